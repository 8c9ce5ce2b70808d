package sources

import (
	"bytes"
	"context"
	_ "embed"
	"errors"
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"
	"sync"
)

// Unit kinds in the registry.
const (
	KindTown       = "镇街"
	KindPlatform   = "平台"
	KindDepartment = "部门"
)

// Groups units are ranked in.
const (
	GroupTownsPlatforms = "镇街平台"
	GroupDepartments    = "部门"
)

// KeyIndustries are the 12 key industries; anything else is 其他.
var KeyIndustries = []string{"道路交通", "水上交通", "建设施工", "消防", "危化", "非煤矿山", "工贸", "燃气", "电力", "文化旅游", "农业", "商贸"}

// OtherIndustry is the industry of accidents outside the key industries.
const OtherIndustry = "其他"

// industryAliases are spellings seen in ledgers for the key industries.
var industryAliases = map[string]string{
	"危险化学品": "危化", "危化品": "危化", "建筑施工": "建设施工", "建筑": "建设施工", "工程建设": "建设施工",
	"道路运输": "道路交通", "交通": "道路交通", "水上运输": "水上交通", "水路交通": "水上交通",
	"消防火灾": "消防", "火灾": "消防", "矿山": "非煤矿山", "工商贸": "工贸", "冶金工贸": "工贸",
	"城镇燃气": "燃气", "文旅": "文化旅游", "旅游": "文化旅游", "农机": "农业", "商贸流通": "商贸", "其它": "其他",
}

// Unit is one registered unit.
type Unit struct {
	Name        string
	Kind        string // 镇街, 平台 or 部门
	Aliases     []string
	Enterprises int      // 监管企业数, 0 when not given
	Industries  []string // 主管行业, departments only
}

// Group is the ranking group of the unit.
func (u *Unit) Group() string {
	if u.Kind == KindDepartment {
		return GroupDepartments
	}
	return GroupTownsPlatforms
}

// Registry is the list of units and their name matching.
type Registry struct {
	Units      []Unit
	byName     map[string]int    // normalized name or alias → index
	byIndustry map[string]string // key industry → department
}

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

// Resolve finds a unit by its name or one of its aliases.
func (r *Registry) Resolve(name string) (*Unit, bool) {
	i, ok := r.byName[normalizeName(name)]
	if !ok {
		return nil, false
	}
	return &r.Units[i], true
}

// DepartmentFor returns the department in charge of a key industry, or "".
func (r *Registry) DepartmentFor(industry string) string { return r.byIndustry[industry] }

// OfKind lists the units of the given kinds in registry order.
func (r *Registry) OfKind(kinds ...string) []*Unit {
	var out []*Unit
	for i := range r.Units {
		for _, k := range kinds {
			if r.Units[i].Kind == k {
				out = append(out, &r.Units[i])
			}
		}
	}
	return out
}

// Names lists the canonical names in registry order.
func (r *Registry) Names() []string {
	out := make([]string, len(r.Units))
	for i, u := range r.Units {
		out[i] = u.Name
	}
	return out
}

// Suggest returns up to n registered names closest to an unknown name:
// names contained in it or containing it first, then by edit distance.
func (r *Registry) Suggest(name string, n int) []string {
	q := []rune(normalizeName(name))
	type cand struct {
		unit  int
		score int
	}
	best := map[int]int{}
	for key, idx := range r.byName {
		k := []rune(key)
		score := levenshtein(q, k)
		if len(k) >= 2 && (strings.Contains(string(q), key) || strings.Contains(key, string(q))) {
			score = 0
		}
		limit := max(len(k), len(q)) / 3
		if score > limit {
			continue
		}
		if s, ok := best[idx]; !ok || score < s {
			best[idx] = score
		}
	}
	cands := make([]cand, 0, len(best))
	for u, s := range best {
		cands = append(cands, cand{u, s})
	}
	sort.Slice(cands, func(i, j int) bool {
		if cands[i].score != cands[j].score {
			return cands[i].score < cands[j].score
		}
		return cands[i].unit < cands[j].unit
	})
	var out []string
	for _, c := range cands {
		if len(out) == n || c.score > cands[0].score+1 {
			break
		}
		out = append(out, r.Units[c.unit].Name)
	}
	return out
}

func levenshtein(a, b []rune) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}

// unknownUnitRule is the message for a name that is not registered.
func (r *Registry) unknownUnitRule(name string) string {
	if s := r.Suggest(name, 3); len(s) > 0 {
		return "单位名称未在单位名录中登记，是否为：" + strings.Join(s, "、") + "？"
	}
	return "单位名称未在单位名录（units.xlsx）中登记"
}

// NormalizeIndustry maps an industry as written to a key industry or 其他;
// ok is false when it is neither.
func NormalizeIndustry(s string) (string, bool) {
	n := normalizeName(s)
	for _, k := range KeyIndustries {
		if n == k {
			return k, true
		}
	}
	if n == OtherIndustry {
		return OtherIndustry, true
	}
	if k, ok := industryAliases[n]; ok {
		return k, true
	}
	return "", false
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

var registryFields = []struct{ field, label string }{
	{"name", "单位名称"}, {"kind", "类别"}, {"aliases", "别名"}, {"enterprises", "监管企业数"}, {"industries", "主管行业"},
}

// RegistryHeaders are the canonical headers of units.xlsx.
func RegistryHeaders() []string {
	out := make([]string, len(registryFields))
	for i, f := range registryFields {
		out[i] = f.label
	}
	return out
}

// ReadRegistry reads and validates a registry file (units.xlsx or .csv):
// unique names and aliases, valid kinds, key industries for departments.
func ReadRegistry(ctx context.Context, name string, r io.ReaderAt, size int64, lim Limits) (*Registry, []*ImportError) {
	is := &issues{file: baseName(name)}
	wb, err := OpenWorkbook(name, r, size, lim)
	if err != nil {
		is.errorf("", 0, 0, "", "", "%s", reasonOf(err))
		return nil, is.errors
	}
	defer wb.Close()
	sheets := wb.Sheets()
	if len(sheets) == 0 {
		is.errorf("", 0, 0, "", "", "工作簿中没有工作表")
		return nil, is.errors
	}
	sheet := sheets[0]
	rs, err := wb.Rows(ctx, sheet)
	if err != nil {
		is.errorf(sheet, 0, 0, "", "", "%s", reasonOf(err))
		return nil, is.errors
	}
	defer rs.Close()
	reg := &Registry{byName: map[string]int{}, byIndustry: map[string]string{}}
	cols := map[string]int{}
	headerRow := 0
	for {
		row, err := rs.Next(ctx)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			is.errorf(sheet, 0, 0, "", "", "%s", reasonOf(err))
			return nil, is.errors
		}
		if row.Empty() {
			continue
		}
		if headerRow == 0 {
			for _, c := range row.Cells {
				n, _ := NormalizeHeader(c.Value)
				for _, f := range registryFields {
					if n == f.label || (f.field == "name" && (n == "单位" || n == "名称")) || (f.field == "kind" && n == "类型") {
						cols[f.field] = c.Col
					}
				}
			}
			if cols["name"] == 0 || cols["kind"] == 0 {
				if isNotesRow(row) || len(row.Cells) == 1 {
					continue // a title or note above the header
				}
				is.errorf(sheet, row.Num, 0, "", "", "单位名录缺少「单位名称」或「类别」列")
				return nil, is.errors
			}
			headerRow = row.Num
			continue
		}
		u := Unit{Name: trimSpace(row.Value(cols["name"])), Kind: normalizeName(row.Value(cols["kind"]))}
		if u.Name == "" {
			is.errorf(sheet, row.Num, cols["name"], "单位名称", "", "单位名称不能为空")
			continue
		}
		if u.Kind != KindTown && u.Kind != KindPlatform && u.Kind != KindDepartment {
			is.errorf(sheet, row.Num, cols["kind"], "类别", row.Value(cols["kind"]), "类别应为 镇街、平台 或 部门")
		}
		if c := cols["aliases"]; c > 0 {
			u.Aliases = splitList(row.Value(c))
		}
		if c := cols["enterprises"]; c > 0 && trimSpace(row.Value(c)) != "" {
			v, err := ParseInt(row.Value(c))
			if err != nil || v < 0 {
				is.errorf(sheet, row.Num, c, "监管企业数", row.Value(c), "应为非负整数")
			}
			u.Enterprises = int(v)
		}
		if c := cols["industries"]; c > 0 {
			for _, ind := range splitList(row.Value(c)) {
				k, ok := NormalizeIndustry(ind)
				if !ok || k == OtherIndustry {
					is.errorf(sheet, row.Num, c, "主管行业", ind, "不是12个重点行业之一（%s）", strings.Join(KeyIndustries, "、"))
					continue
				}
				if u.Kind != KindDepartment {
					is.errorf(sheet, row.Num, c, "主管行业", ind, "只有部门可以填写主管行业")
					continue
				}
				if other, dup := reg.byIndustry[k]; dup {
					is.errorf(sheet, row.Num, c, "主管行业", ind, "该行业已由「%s」主管", other)
					continue
				}
				reg.byIndustry[k] = u.Name
				u.Industries = append(u.Industries, k)
			}
		}
		idx := len(reg.Units)
		for _, key := range append([]string{u.Name}, u.Aliases...) {
			n := normalizeName(key)
			if prev, dup := reg.byName[n]; dup && prev != idx {
				is.errorf(sheet, row.Num, cols["name"], "单位名称", key, "名称或别名与「%s」重复", reg.Units[prev].Name)
				continue
			}
			reg.byName[n] = idx
		}
		reg.Units = append(reg.Units, u)
	}
	if headerRow == 0 {
		is.errorf(sheet, 0, 0, "", "", "单位名录中没有表头（单位名称、类别）")
	} else if len(reg.Units) == 0 {
		is.errorf(sheet, 0, 0, "", "", "单位名录中没有任何单位")
	}
	if len(is.errors) > 0 {
		return nil, is.errors
	}
	return reg, nil
}

// RegistryRows returns the registry as rows for writing units.xlsx.
func (r *Registry) RegistryRows() [][]string {
	rows := [][]string{RegistryHeaders()}
	for _, u := range r.Units {
		ent := ""
		if u.Enterprises > 0 {
			ent = strconv.Itoa(u.Enterprises)
		}
		rows = append(rows, []string{u.Name, u.Kind, strings.Join(u.Aliases, "、"), ent, strings.Join(u.Industries, "、")})
	}
	return rows
}

// reasonOf turns a reader error into its one-line Chinese reason.
func reasonOf(err error) string {
	var rf *refusal
	if errors.As(err, &rf) {
		return rf.reason
	}
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return "读取被中止"
	}
	return "无法读取文件：" + causeOf(err)
}

func baseName(p string) string {
	if i := strings.LastIndexAny(p, `/\`); i >= 0 {
		return p[i+1:]
	}
	return p
}
