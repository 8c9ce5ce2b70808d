package reports

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"

	"tongbao"

	"github.com/xuri/excelize/v2"

	"tongbao/sources"
)

func TestWriteTemplate(t *testing.T) {
	reg := sources.DefaultRegistry()
	tests := []struct {
		dataset string
		headers []string
		lists   map[string]string // header → drop-down column of the list sheet
	}{
		{tongbao.Enforcement, []string{"单位", "月份", "检查企业(家次)", "发现隐患(条)", "其中重大隐患(条)", "整改隐患(条)", "立案查处(起)", "罚款金额(万元)", "责令停产停业整顿(家)", "关闭取缔(家)", "移送司法机关(起)"},
			map[string]string{"A": "$A$1:$A$48"}},
		{tongbao.Accidents, []string{"发生时间", "属地", "行业领域", "监管部门", "事故单位", "事故类型", "死亡(人)", "失踪(人)", "重伤(人)", "受伤(人)", "直接经济损失(万元)", "事故等级", "简要经过"},
			map[string]string{"B": "$B$1:$B$34", "C": "$D$1:$D$13", "D": "$C$1:$C$14"}},
		{tongbao.Quotas, []string{"单位", "年度", "控制指标(人)"}, map[string]string{"A": "$A$1:$A$48"}},
		{tongbao.Assessments, []string{"单位", "季度", "1.党政领导示范履职", "2.监管部门务实履职", "3.督查考核问责问效", "4.两委办统筹协调", "5.企业主要负责人依法履职",
			"6.企业落实“一线责任制”", "7.执法“清零”和执法强度提升", "8.“一案双查”和“三责同追”", "9.联合惩戒和群众举报", "10.科技兴安和信息化", "扣分", "加分", "备注"},
			map[string]string{"A": "$A$1:$A$48"}},
	}
	for _, tt := range tests {
		t.Run(tt.dataset, func(t *testing.T) {
			var buf bytes.Buffer
			if err := WriteTemplate(&buf, tt.dataset, reg); err != nil {
				t.Fatal(err)
			}
			f, err := excelize.OpenReader(&buf)
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			sheet := f.GetSheetList()[0]
			rows, _ := f.GetRows(sheet)
			if !strings.HasPrefix(rows[0][0], "填表说明：") || strings.Join(rows[1], "|") != strings.Join(tt.headers, "|") {
				t.Errorf("rows: %q", rows)
			}
			dvs, _ := f.GetDataValidations(sheet)
			got := map[string]string{}
			whole := 0
			for _, dv := range dvs {
				if dv.Type == "list" {
					got[dv.Sqref[:1]] = dv.Formula1
				}
				if dv.Type == "whole" {
					whole++
				}
			}
			for col, ref := range tt.lists {
				if !strings.Contains(got[col], ref) {
					t.Errorf("column %s drop-down %q, want a reference to %s", col, got[col], ref)
				}
			}
			if tt.dataset != tongbao.Assessments && whole == 0 {
				t.Error("no whole-number checks")
			}
			panes, _ := f.GetPanes(sheet)
			if !panes.Freeze || panes.YSplit != 2 {
				t.Errorf("header not frozen: %+v", panes)
			}
		})
	}
}

func TestWriteErrorListWithoutOriginal(t *testing.T) {
	// A file that is not a workbook cannot be marked; it gets an error list.
	res := &sources.Result{File: "x.xlsx", ErrorCount: 1, Errors: []*sources.ImportError{{File: "x.xlsx", Rule: "不是有效的 .xlsx 文件"}}}
	var buf bytes.Buffer
	src := bytes.NewReader([]byte("garbage"))
	if err := WriteMarkedCopy(context.Background(), &buf, "x.xlsx", src, 7, res, sources.DefaultLimits()); !errors.Is(err, ErrNotMarkable) {
		t.Fatalf("marking garbage: %v", err)
	}
	buf.Reset()
	if err := WriteErrorList(&buf, res); err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(&buf)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if strings.Join(f.GetSheetList(), ",") != "错误清单" {
		t.Errorf("sheets %v", f.GetSheetList())
	}
	rows, _ := f.GetRows("错误清单")
	if len(rows) != 3 || rows[2][0] != "错误" || rows[2][5] != "不是有效的 .xlsx 文件" {
		t.Errorf("rows %q", rows)
	}
}
