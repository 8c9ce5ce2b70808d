package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestCommands(t *testing.T) {
	home := t.TempDir()
	samples, _ := filepath.Glob("../../../shared/samples/*")
	tmpl := filepath.Join(t.TempDir(), "模板.xlsx")
	tests := []struct {
		name     string
		args     []string
		wantCode int
		wantOut  string
	}{
		{"no command", nil, exitUsage, "用法"},
		{"unknown command", []string{"frobnicate"}, exitUsage, "未知命令「frobnicate」"},
		{"import before init", []string{"import", "--home", home + "/none", samples[0]}, exitRefused, "请先运行 tongbao init"},
		{"init", []string{"init", "--home", home}, exitOK, "已创建工作区"},
		{"init again", []string{"init", "--home", home}, exitOK, "未覆盖任何文件"},
		{"validate refused", []string{"validate", "--home", home, "../../testdata/import/refused/镇街执法_2022年3月.xlsx"}, exitRefused, "单元格 B3"},
		{"import samples", append([]string{"import", "--home", home}, samples...), exitOK, "已导入：文件「镇街平台执法检查月报_2022年3月.xlsx」，执法检查月报：2022-03 32 行"},
		{"import again", []string{"import", samples[0], "--home", home}, exitOK, "已导入过"},
		{"import refused", []string{"import", "--home", home, "../../testdata/import/refused/镇街执法_2022年3月.xlsx"}, exitRefused, "已拒收"},
		{"bad flag", []string{"import", "--bogus", "x"}, exitUsage, "flag provided but not defined"},
		{"no files", []string{"import", "--home", home}, exitUsage, "请指定要导入的文件"},
		{"bad dataset", []string{"import", "--home", home, "--dataset", "x", samples[0]}, exitUsage, "未知的数据类型"},
		{"template", []string{"template", "accidents", "-o", tmpl, "--home", home}, exitOK, "已生成生产安全事故台账模板"},
		{"score a month without data", []string{"score", "--month", "2021-03", "--home", home}, exitRefused, "2021-03 没有任何数据"},
		{"score table", []string{"score", "--month", "2022-03", "--home", home}, exitOK, "执法检查排名（镇街平台）"},
		{"score json", []string{"score", "--quarter", "2022Q1", "--json", "--home", home}, exitOK, `"period": "2022Q1"`},
		{"score needs one period", []string{"score", "--home", home}, exitUsage, "score 需要 --month"},
		{"bulletin", []string{"bulletin", "--month", "2022-03", "--home", home}, exitOK, "通报(v1).pdf"},
		{"bulletin again", []string{"bulletin", "--month", "2022-03", "--home", home}, exitOK, "数据没有变化，沿用第1版"},
		{"scorecard", []string{"scorecard", "--quarter", "2022年第一季度", "--home", home}, exitOK, "绩效评估(v1).xlsx"},
		{"status", []string{"status", "--home", home}, exitOK, "月度通报"},
		{"status json", []string{"status", "--json", "--home", home}, exitOK, `"name": "bulletin"`},
		{"template without dataset", []string{"template"}, exitUsage, "template 需要一个数据类型"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out, errOut bytes.Buffer
			code := run(context.Background(), tt.args, &out, &errOut)
			all := out.String() + errOut.String()
			if code != tt.wantCode || !strings.Contains(all, tt.wantOut) {
				t.Errorf("exit %d (want %d), output:\n%s\nwant it to contain %q", code, tt.wantCode, all, tt.wantOut)
			}
		})
	}
	if _, err := os.Stat(tmpl); err != nil {
		t.Errorf("template not written: %v", err)
	}
}
