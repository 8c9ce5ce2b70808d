package sources

import (
	"fmt"
	"maps"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"tongbao"
)

// headerScanRows is how many non-empty rows from the top may hold the header.
const headerScanRows = 30

// header is a recognised header: which column holds which field.
type header struct {
	ds        *Dataset
	row       int               // last header row (of two for a merged header)
	firstRow  int               // first header row
	cols      map[string]int    // field name → column
	units     map[string]string // field name → bracketed unit (元, 万元 …)
	measures  [11]int           // assessments: measure n → column
	seqCol    int               // 序号 column, 0 when absent
	unitCol   int               // cols["unit"] and cols["period"], read on every row
	periodCol int
	matched   int
	missing   []string // labels of required fields not found
	caseLevel bool
	dups      []dupColumn    // a second column for a field already found
	labels    map[int]string // header text by column
}

// dupColumn is a column whose header names a field another column already
// has: which value counts would be a guess, so the file is refused.
type dupColumn struct {
	field      string
	first, dup int // columns
	label      string
}

// headerCell is one header label with the candidate texts to match.
type headerCell struct {
	col   int
	texts []string
}

// registryDataset describes units.xlsx for finding its header: the
// registry is not stored as a dataset, but its header is read the same way.
var registryDataset = &Dataset{Name: "units", Label: "单位名录", Fields: []Field{
	{Name: "name", Label: "单位名称", Aliases: []string{"单位", "名称"}, Required: true},
	{Name: "kind", Label: "类别", Aliases: []string{"类型"}, Required: true},
	{Name: "aliases", Label: "别名"}, {Name: "enterprises", Label: "监管企业数"}, {Name: "industries", Label: "主管行业"},
	{Name: "contact", Label: "联系人"}, {Name: "email", Label: "邮箱"},
}}

// aliasIndex maps a normalized header (unit removed) to its field, per dataset.
var aliasIndex = func() map[string]map[string]string {
	idx := map[string]map[string]string{}
	all := maps.Clone(datasets)
	all[registryDataset.Name] = registryDataset
	for name, ds := range all {
		m := map[string]string{}
		for _, f := range ds.Fields {
			for _, a := range append([]string{f.Label}, f.Aliases...) {
				n, _ := NormalizeHeader(a)
				if _, dup := m[n]; !dup {
					m[n] = f.Name
				}
			}
		}
		idx[name] = m
	}
	return idx
}()

var measureNumRe = regexp.MustCompile(`^(?:措施|第)?(\d{1,2})(?:项)?(?:[.、､:)．]|$)(.*)$`)

// quoteless drops quotation marks so 企业落实"一线责任制" matches 企业落实“一线责任制”.
func quoteless(s string) string {
	return strings.Map(func(r rune) rune {
		switch r {
		case '"', '\'', '“', '”', '‘', '’', '「', '」', '『', '』':
			return -1
		}
		return r
	}, s)
}

// measureNumber recognises a ten-measures column by its number (1., 1、,
// 措施1, 第1项), its name, or both; 0 when it is none.
func measureNumber(text string) int {
	n, _ := NormalizeHeader(text)
	n = quoteless(n)
	if m := measureNumRe.FindStringSubmatch(n); m != nil {
		num, _ := strconv.Atoi(m[1])
		rest := m[2]
		prefixed := strings.HasPrefix(n, "措施") || strings.HasPrefix(n, "第")
		if num >= 1 && num <= 10 && (rest != "" || prefixed || strings.ContainsAny(n[len(m[1]):], ".、､:)．")) {
			return num
		}
	}
	for i, name := range MeasureNames {
		if n == quoteless(name) {
			return i + 1
		}
	}
	return 0
}

// matchHeader maps header cells to the fields of one dataset.
func matchHeader(ds *Dataset, cells []headerCell, extra Aliases) *header {
	h := &header{ds: ds, cols: map[string]int{}, units: map[string]string{}, labels: map[int]string{}}
	idx := aliasIndex[ds.Name]
	if more := extra[ds.Name]; len(more) > 0 {
		idx = maps.Clone(idx)
		for field, names := range more {
			for _, a := range names {
				if n, _ := NormalizeHeader(a); n != "" {
					if _, known := idx[n]; !known {
						idx[n] = field
					}
				}
			}
		}
	}
	for _, c := range cells {
		if len(c.texts) > 0 {
			h.labels[c.col] = c.texts[0]
		}
		for _, t := range c.texts {
			n, unit := NormalizeHeader(t)
			if n == "序号" {
				h.seqCol = c.col
				break
			}
			if ds.Name == tongbao.Assessments {
				if num := measureNumber(t); num > 0 {
					if h.measures[num] == 0 {
						h.measures[num] = c.col
						h.matched++
					} else {
						h.dups = append(h.dups, dupColumn{field: ItemColumn(num), first: h.measures[num], dup: c.col, label: "第" + strconv.Itoa(num) + "项"})
					}
					break
				}
			}
			if f, ok := idx[n]; ok {
				if first, dup := h.cols[f]; !dup {
					h.cols[f] = c.col
					h.units[f] = unit
					h.matched++
					if f == "record" {
						h.caseLevel = true
					}
				} else if ds.Field(f).Kind != KindMarker {
					h.dups = append(h.dups, dupColumn{field: f, first: first, dup: c.col, label: ds.Field(f).Label})
				}
				break
			}
		}
	}
	for _, f := range ds.Fields {
		if f.Required && h.cols[f.Name] == 0 {
			h.missing = append(h.missing, f.Label)
		}
	}
	if ds.Name == tongbao.Assessments {
		wide := false
		for _, c := range h.measures[1:] {
			wide = wide || c > 0
		}
		if !wide && (h.cols["item_no"] == 0 || h.cols["score"] == 0) {
			h.missing = append(h.missing, "十条措施各项得分（如“1.党政领导示范履职”）或“措施序号”与“得分”")
		}
	}
	return h
}

// duplicateColumns refuses the columns of a header that name a field
// another column already has.
func (is *issues) duplicateColumns(sheet string, h *header) {
	for _, d := range h.dups {
		is.problem(tongbao.CodeDuplicateColumn, cell{sheet, h.row, d.dup, d.label, h.labels[d.dup]}, "「%s」（%s 列）与「%s」（%s 列）都是“%s”列，无法确定以哪一列为准，请删除或改名其中一列", h.labels[d.first], ColumnName(d.first), h.labels[d.dup], ColumnName(d.dup), d.label)
	}
}

// singleRowCells are the labels of one header row.
func singleRowCells(r Row) []headerCell {
	out := make([]headerCell, 0, len(r.Cells))
	for _, c := range r.Cells {
		if v := trimSpace(c.Value); v != "" {
			out = append(out, headerCell{col: c.Col, texts: []string{v}})
		}
	}
	return out
}

// twoRowCells combines a group row and a sub-header row. A label in the top
// row with blank cells beside it is a group over the sub-labels below; a
// label with a blank below is a column of its own (merged vertically). The
// sheet XML lists merge ranges after the rows, so this is inferred from blanks.
func twoRowCells(top, bottom Row) []headerCell {
	maxCol := 0
	for _, c := range top.Cells {
		maxCol = max(maxCol, c.Col)
	}
	for _, c := range bottom.Cells {
		maxCol = max(maxCol, c.Col)
	}
	var out []headerCell
	group := ""
	for col := 1; col <= maxCol; col++ {
		t, b := trimSpace(top.Value(col)), trimSpace(bottom.Value(col))
		if t != "" {
			group = t
		}
		switch {
		case b != "" && group != "":
			out = append(out, headerCell{col: col, texts: []string{b, group + b}})
		case b != "":
			out = append(out, headerCell{col: col, texts: []string{b}})
		case t != "":
			out = append(out, headerCell{col: col, texts: []string{t}})
		}
	}
	return out
}

// findHeader looks for the header among the first rows of a sheet, trying
// each candidate dataset with one- and two-row headers. It returns the best
// complete match, or the best partial one (with missing fields) when none is.
func findHeader(rows []Row, candidates []*Dataset, extra Aliases) (best, partial *header) {
	better := func(a, b *header) bool { return b == nil || a.matched > b.matched }
	for i, r := range rows {
		if r.Empty() || isNotesRow(r) || len(r.Cells) < 2 {
			continue
		}
		for _, ds := range candidates {
			h := matchHeader(ds, singleRowCells(r), extra)
			h.row, h.firstRow = r.Num, r.Num
			if i+1 < len(rows) && rows[i+1].Num == r.Num+1 && !isNotesRow(rows[i+1]) {
				h2 := matchHeader(ds, twoRowCells(r, rows[i+1]), extra)
				if h2.matched > h.matched {
					h2.row, h2.firstRow = rows[i+1].Num, r.Num
					h = h2
				}
			}
			if h.matched < 2 {
				continue
			}
			if len(h.missing) == 0 {
				if better(h, best) {
					best = h
				}
			} else if better(h, partial) {
				partial = h
			}
		}
	}
	return best, partial
}

// fieldAt names the field read from column col ("" for a column not read).
func (h *header) fieldAt(col int) string {
	for f, c := range h.cols {
		if c == col {
			return f
		}
	}
	for n, c := range h.measures {
		if c == col && n > 0 {
			return ItemColumn(n)
		}
	}
	return ""
}

// labelOf is the canonical label of the field in column col.
func (h *header) labelOf(ds *Dataset, col int) string {
	f := h.fieldAt(col)
	if fl := ds.Field(f); fl != nil {
		return fl.Label
	}
	if l, ok := h.labels[col]; ok {
		return l
	}
	return ""
}

// Aliases are the analysts' own header names, per dataset and field
// ([aliases] in tongbao.toml): dataset → field → headers.
type Aliases map[string]map[string][]string

// Validate refuses aliases of unknown datasets or fields, and aliases that
// already name another field.
func (a Aliases) Validate() error {
	for dsName, fields := range a {
		ds, ok := datasets[dsName]
		if !ok {
			return fmt.Errorf("aliases.%s: unknown dataset (one of %s)", dsName, strings.Join(tongbao.DatasetNames, ", "))
		}
		for field, names := range fields {
			f := ds.Field(field)
			if f == nil || f.Kind == KindMarker {
				return fmt.Errorf("aliases.%s.%s: unknown field (one of %s)", dsName, field, strings.Join(ds.FieldNames(), ", "))
			}
			for _, n := range names {
				norm, _ := NormalizeHeader(n)
				if norm == "" {
					return fmt.Errorf("aliases.%s.%s: an empty header", dsName, field)
				}
				if other, ok := aliasIndex[dsName][norm]; ok && other != field {
					return fmt.Errorf("aliases.%s.%s: %q already names %s", dsName, field, n, other)
				}
			}
		}
	}
	return nil
}

// headerHint is an unrecognised header and the missing field it may be.
type headerHint struct {
	col         int
	text, field string
	label       string // the field's canonical header
}

// hints pairs the header's unrecognised labels with the missing required
// fields they most resemble (shared characters, Dice coefficient ≥ 0.4),
// each field at most once, best pairs first.
func (h *header) hints() (unknown []string, hints []headerHint) {
	var missing []*Field
	for i := range h.ds.Fields {
		f := &h.ds.Fields[i]
		if f.Required && h.cols[f.Name] == 0 {
			missing = append(missing, f)
		}
	}
	used := map[int]bool{h.seqCol: true}
	for _, c := range h.cols {
		used[c] = true
	}
	for _, c := range h.measures {
		used[c] = true
	}
	var cols []int
	for c := range h.labels {
		if !used[c] && strings.TrimSpace(h.labels[c]) != "" {
			cols = append(cols, c)
		}
	}
	sort.Ints(cols)
	type pair struct {
		col   int
		f     *Field
		score float64
	}
	var pairs []pair
	for _, c := range cols {
		unknown = append(unknown, h.labels[c])
		n, _ := NormalizeHeader(h.labels[c])
		for _, f := range missing {
			best := 0.0
			for _, a := range append([]string{f.Label}, f.Aliases...) {
				m, _ := NormalizeHeader(a)
				best = max(best, dice(n, m))
			}
			if best >= 0.4 {
				pairs = append(pairs, pair{c, f, best})
			}
		}
	}
	sort.SliceStable(pairs, func(i, j int) bool { return pairs[i].score > pairs[j].score })
	takenCol, takenField := map[int]bool{}, map[string]bool{}
	for _, p := range pairs {
		if takenCol[p.col] || takenField[p.f.Name] {
			continue
		}
		takenCol[p.col], takenField[p.f.Name] = true, true
		hints = append(hints, headerHint{col: p.col, text: h.labels[p.col], field: p.f.Name, label: p.f.Label})
	}
	sort.Slice(hints, func(i, j int) bool { return hints[i].col < hints[j].col })
	return unknown, hints
}

// dice is the Dice coefficient of two strings' character sets.
func dice(a, b string) float64 {
	as, bs := map[rune]bool{}, map[rune]bool{}
	for _, r := range a {
		as[r] = true
	}
	for _, r := range b {
		bs[r] = true
	}
	if len(as)+len(bs) == 0 {
		return 0
	}
	common := 0
	for r := range as {
		if bs[r] {
			common++
		}
	}
	return 2 * float64(common) / float64(len(as)+len(bs))
}
