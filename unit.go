package tongbao

import (
	"sort"
	"strings"
)

// Kind is a unit's kind in the registry.
type Kind string

// The unit kinds.
const (
	Town       Kind = "镇街"
	Platform   Kind = "平台"
	Department Kind = "部门"
)

// Kinds lists the unit kinds in registry order.
var Kinds = []Kind{Town, Platform, Department}

// ParseKind reads a kind as written (spaces and full width ignored).
func ParseKind(s string) (Kind, bool) {
	k := Kind(NormalizeName(s))
	for _, v := range Kinds {
		if k == v {
			return v, true
		}
	}
	return "", false
}

// The default ranking groups (the groups themselves are configuration).
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

// NormalizeIndustry maps an industry as written to a key industry or 其他;
// ok is false when it is neither.
func NormalizeIndustry(s string) (string, bool) {
	n := NormalizeName(s)
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

// Unit is one registered unit: a town or street (镇街), a platform (平台)
// or a department (部门).
type Unit struct {
	Name        string
	Kind        Kind
	Aliases     []string
	Enterprises int      // 监管企业数, 0 when not given
	Industries  []string // 主管行业, departments only
	Contact     string   // 联系人
	Email       string   // 邮箱: refusals and reminders go there
}

// Registry is the list of units and the matching of their names.
type Registry struct {
	Units      []Unit
	byName     map[string]int    // normalized name or alias → index
	byIndustry map[string]string // key industry → department
}

// NewRegistry returns an empty registry.
func NewRegistry() *Registry {
	return &Registry{byName: map[string]int{}, byIndustry: map[string]string{}}
}

// Add registers a unit. A name or alias already taken keeps its unit, an
// industry already in a department's charge keeps its department: the
// reader of units.xlsx checks both first (Resolve, DepartmentFor) and
// refuses the file.
func (r *Registry) Add(u Unit) {
	idx := len(r.Units)
	for _, key := range append([]string{u.Name}, u.Aliases...) {
		if _, dup := r.byName[NormalizeName(key)]; !dup {
			r.byName[NormalizeName(key)] = idx
		}
	}
	for _, ind := range u.Industries {
		if _, dup := r.byIndustry[ind]; !dup {
			r.byIndustry[ind] = u.Name
		}
	}
	r.Units = append(r.Units, u)
}

// Resolve finds a unit by its name or one of its aliases.
func (r *Registry) Resolve(name string) (*Unit, bool) {
	i, ok := r.byName[NormalizeName(name)]
	if !ok {
		return nil, false
	}
	return &r.Units[i], true
}

// DepartmentFor returns the department in charge of a key industry, or "".
func (r *Registry) DepartmentFor(industry string) string { return r.byIndustry[industry] }

// OfKind lists the units of the given kinds in registry order.
func (r *Registry) OfKind(kinds ...Kind) []*Unit {
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
	q := []rune(NormalizeName(name))
	type cand struct {
		unit  int
		score int
	}
	best := map[int]int{}
	for key, idx := range r.byName {
		k := []rune(key)
		score := Levenshtein(q, k)
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

// Levenshtein is the edit distance of two rune strings.
func Levenshtein(a, b []rune) int {
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
