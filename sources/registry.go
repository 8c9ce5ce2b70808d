package sources

import (
	"bytes"
	"cmp"
	"context"
	_ "embed"
	"errors"
	"fmt"
	"io"
	"net/mail"
	"slices"
	"strconv"
	"strings"
	"sync"

	"tongbao"
)

// Registry, Unit and their kinds are the domain's; this file reads and
// writes units.xlsx.
type (
	Registry = tongbao.Registry
	Unit     = tongbao.Unit
)

//go:embed units_jiangjin.csv
var defaultRegistryCSV []byte

// DefaultRegistryCSV is the Jiangjin registry (48 units) as shipped.
func DefaultRegistryCSV() []byte { return bytes.Clone(defaultRegistryCSV) }

// DefaultRegistry is the embedded Jiangjin registry, parsed once; callers
// only read it.
func DefaultRegistry() *Registry { return defaultRegistry() }

var defaultRegistry = sync.OnceValue(func() *Registry {
	reg, errs := ReadRegistry(context.Background(), "units-jiangjin.csv", bytes.NewReader(defaultRegistryCSV), int64(len(defaultRegistryCSV)), DefaultLimits())
	if len(errs) > 0 {
		panic(fmt.Sprintf("embedded registry is invalid: %v", errs[0]))
	}
	return reg
})

// unknownUnitRule is the message for a name that is not registered.
func unknownUnitRule(r *Registry, name string) string {
	if s := r.Suggest(name, 3); len(s) > 0 {
		return "单位名称未在单位名录中登记，是否为：" + strings.Join(s, "、") + "？"
	}
	return "单位名称未在单位名录（units.xlsx）中登记"
}

func splitList(s string) []string {
	s = strings.NewReplacer("，", ",", "、", ",", "；", ",", ";", ",").Replace(s)
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = trimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// RegistryHeaders are the canonical headers of units.xlsx.
func RegistryHeaders() []string {
	out := make([]string, len(registryDataset.Fields))
	for i, f := range registryDataset.Fields {
		out[i] = f.Label
	}
	return out
}

// ReadRegistry reads and validates a registry file (units.xlsx or .csv):
// unique names and aliases, valid kinds, key industries for departments.
func ReadRegistry(ctx context.Context, name string, r io.ReaderAt, size int64, lim Limits) (*Registry, []*ImportError) {
	is := &issues{file: baseName(name)}
	wb, err := OpenWorkbook(name, r, size, lim)
	if err != nil {
		is.fileProblem(codeOf(err), "", "%s", reasonOf(err))
		return nil, is.errors
	}
	defer wb.Close()
	sheets := wb.Sheets()
	if len(sheets) == 0 {
		is.fileProblem(tongbao.CodeUnreadable, "", "工作簿中没有工作表")
		return nil, is.errors
	}
	sheet := sheets[0]
	rs, err := wb.Rows(ctx, sheet)
	if err != nil {
		is.fileProblem(codeOf(err), sheet, "%s", reasonOf(err))
		return nil, is.errors
	}
	defer rs.Close()
	reg := tongbao.NewRegistry()
	var cols map[string]int
	headerRow := 0
	for {
		row, err := rs.Next(ctx)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			is.fileProblem(codeOf(err), sheet, "%s", reasonOf(err))
			return nil, is.errors
		}
		if row.Empty() {
			continue
		}
		if headerRow == 0 {
			h := matchHeader(registryDataset, singleRowCells(row), nil)
			if len(h.missing) > 0 {
				if isNotesRow(row) || len(row.Cells) == 1 {
					continue // a title or note above the header
				}
				is.problem(tongbao.CodeMissingColumn, cell{sheet, row.Num, 0, "", ""}, "单位名录缺少「%s」列", strings.Join(h.missing, "」「"))
				return nil, is.errors
			}
			if is.duplicateColumns(sheet, h); len(h.dups) > 0 {
				return nil, is.errors
			}
			cols, headerRow = h.cols, row.Num
			continue
		}
		kind, kindOK := tongbao.ParseKind(row.Value(cols["kind"]))
		u := Unit{Name: trimSpace(row.Value(cols["name"])), Kind: kind}
		if u.Name == "" {
			is.problem(tongbao.CodeBlank, cell{sheet, row.Num, cols["name"], "单位名称", ""}, "单位名称不能为空")
			continue
		}
		if !kindOK {
			is.problem(tongbao.CodeBadValue, cell{sheet, row.Num, cols["kind"], "类别", row.Value(cols["kind"])}, "类别应为 镇街、平台 或 部门")
		}
		if c := cols["aliases"]; c > 0 {
			u.Aliases = splitList(row.Value(c))
		}
		if c := cols["enterprises"]; c > 0 && trimSpace(row.Value(c)) != "" {
			v, err := ParseInt(row.Value(c))
			if err != nil || v < 0 {
				is.problem(tongbao.CodeNotNumber, cell{sheet, row.Num, c, "监管企业数", row.Value(c)}, "应为非负整数")
			}
			u.Enterprises = int(v)
		}
		if c := cols["industries"]; c > 0 {
			for _, ind := range splitList(row.Value(c)) {
				k, ok := tongbao.NormalizeIndustry(ind)
				if !ok || k == tongbao.OtherIndustry {
					is.problem(tongbao.CodeBadValue, cell{sheet, row.Num, c, "主管行业", ind}, "不是12个重点行业之一（%s）", strings.Join(tongbao.KeyIndustries, "、"))
					continue
				}
				if u.Kind != tongbao.Department {
					is.problem(tongbao.CodeBadValue, cell{sheet, row.Num, c, "主管行业", ind}, "只有部门可以填写主管行业")
					continue
				}
				if other := reg.DepartmentFor(k); other != "" || slices.Contains(u.Industries, k) {
					is.problem(tongbao.CodeDuplicateRow, cell{sheet, row.Num, c, "主管行业", ind}, "该行业已由「%s」主管", cmp.Or(other, u.Name))
					continue
				}
				u.Industries = append(u.Industries, k)
			}
		}
		if c := cols["contact"]; c > 0 {
			u.Contact = trimSpace(row.Value(c))
		}
		if c := cols["email"]; c > 0 {
			if e := trimSpace(row.Value(c)); e != "" {
				if _, err := mail.ParseAddress(e); err != nil || !strings.Contains(e, "@") {
					is.problem(tongbao.CodeBadValue, cell{sheet, row.Num, c, "邮箱", e}, "不是有效的电子邮件地址")
				}
				u.Email = e
			}
		}
		seen := map[string]bool{}
		for _, key := range append([]string{u.Name}, u.Aliases...) {
			if prev, dup := reg.Resolve(key); dup {
				is.problem(tongbao.CodeDuplicateRow, cell{sheet, row.Num, cols["name"], "单位名称", key}, "名称或别名与「%s」重复", prev.Name)
			} else if n := normalizeName(key); seen[n] {
				is.problem(tongbao.CodeDuplicateRow, cell{sheet, row.Num, cols["name"], "单位名称", key}, "名称或别名与「%s」重复", u.Name)
			} else {
				seen[n] = true
			}
		}
		reg.Add(u)
	}
	if headerRow == 0 {
		is.fileProblem(tongbao.CodeNoHeader, sheet, "单位名录中没有表头（单位名称、类别）")
	} else if len(reg.Units) == 0 {
		is.fileProblem(tongbao.CodeEmpty, sheet, "单位名录中没有任何单位")
	}
	if len(is.errors) > 0 {
		return nil, is.errors
	}
	return reg, nil
}

// RegistryRows returns the registry as rows for writing units.xlsx.
func RegistryRows(r *Registry) [][]string {
	rows := [][]string{RegistryHeaders()}
	for _, u := range r.Units {
		ent := ""
		if u.Enterprises > 0 {
			ent = strconv.Itoa(u.Enterprises)
		}
		rows = append(rows, []string{u.Name, string(u.Kind), strings.Join(u.Aliases, "、"), ent, strings.Join(u.Industries, "、"), u.Contact, u.Email})
	}
	return rows
}

func baseName(p string) string {
	if i := strings.LastIndexAny(p, `/\`); i >= 0 {
		return p[i+1:]
	}
	return p
}
