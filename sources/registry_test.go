package sources

import (
	"bytes"
	"context"
	"slices"
	"strings"
	"testing"

	"tongbao"
)

func TestDefaultRegistry(t *testing.T) {
	reg := DefaultRegistry()
	if len(reg.Units) != 48 {
		t.Fatalf("default registry has %d units, want 48", len(reg.Units))
	}
	tests := []struct {
		written, want string
		kind          tongbao.Kind
	}{
		{"几江", "几江街道", tongbao.Town},
		{"德感园区", "德感工业园", tongbao.Platform},
		{"综保区", "江津综合保税区", tongbao.Platform},
		{"区应急管理局", "区应急局", tongbao.Department},
		{"区住房和城乡建设委员会", "区住房城乡建委", tongbao.Department},
		{" 区 公安局 ", "公安江津分局", tongbao.Department},
	}
	for _, tt := range tests {
		u, ok := reg.Resolve(tt.written)
		if !ok || u.Name != tt.want || u.Kind != tt.kind {
			t.Errorf("Resolve(%q) = %+v, %v; want %s (%s)", tt.written, u, ok, tt.want, tt.kind)
		}
	}
	if d := reg.DepartmentFor("建设施工"); d != "区住房城乡建委" {
		t.Errorf("DepartmentFor(建设施工) = %q", d)
	}
	if d := reg.DepartmentFor("危化"); d != "区应急局" {
		t.Errorf("DepartmentFor(危化) = %q", d)
	}
	if got := reg.Suggest("几江街道办事处", 3); len(got) == 0 || got[0] != "几江街道" {
		t.Errorf("Suggest(几江街道办事处) = %v", got)
	}
	if got := reg.Suggest("区应急管理", 3); !slices.Contains(got, "区应急局") {
		t.Errorf("Suggest(区应急管理) = %v", got)
	}
	if got := reg.Suggest("火星基地", 3); len(got) != 0 {
		t.Errorf("Suggest(火星基地) = %v, want none", got)
	}
}

func TestReadRegistryRejects(t *testing.T) {
	tests := []struct {
		name string
		csv  string
		want string
	}{
		{"bad kind", "单位名称,类别\n几江街道,街道\n", "类别应为"},
		{"duplicate alias", "单位名称,类别,别名\n几江街道,镇街,几江\n德感街道,镇街,几江\n", "与「几江街道」重复"},
		{"industry for a town", "单位名称,类别,别名,主管行业\n几江街道,镇街,,工贸\n", "只有部门可以填写主管行业"},
		{"unknown industry", "单位名称,类别,别名,主管行业\n区应急局,部门,,航天\n", "不是12个重点行业之一"},
		{"industry twice", "单位名称,类别,别名,主管行业\n区应急局,部门,,工贸\n区经信委,部门,,工贸\n", "该行业已由「区应急局」主管"},
		{"no header", "a,b\n1,2\n", "缺少「单位名称」「类别」列"},
		{"no kind column", "单位名称,别名\n几江街道,几江\n", "缺少「类别」列"},
		{"two name columns", "单位名称,类别,名称\n几江街道,镇街,德感街道\n", "「单位名称」（A 列）与「名称」（C 列）都是“单位名称”列"},
		{"header under a title", "江津区单位名录\n单位,类型\n几江街道,街道\n", "类别应为"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, errs := ReadRegistry(context.Background(), "units.csv", bytes.NewReader([]byte(tt.csv)), int64(len(tt.csv)), DefaultLimits())
			var msgs []string
			for _, e := range errs {
				msgs = append(msgs, e.Error())
			}
			if !strings.Contains(strings.Join(msgs, "\n"), tt.want) {
				t.Errorf("errors %v do not mention %q", msgs, tt.want)
			}
		})
	}
}
