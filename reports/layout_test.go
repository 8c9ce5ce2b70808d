package reports

import (
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"tongbao"
	"tongbao/scoring"
	"tongbao/sources"
)

var shanghai = func() *time.Location {
	loc, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		panic(err)
	}
	return loc
}()

// testData is a year and a half of synthetic figures for the 48 Jiangjin
// units: every unit reports but one a month, accidents here and there
// (one 较大 in July 2022), quotas, assessments for every quarter.
func testData(seed uint64, ledgers func(tongbao.Month) bool) *scoring.Data {
	reg := sources.DefaultRegistry()
	d := scoring.NewData(reg)
	rng := rand.New(rand.NewPCG(seed, 7))
	start := tongbao.Month{Year: 2021, Month: 7}
	d.FirstEnforcement, d.FirstAccident = start, start
	for m := start; m.Index() <= (tongbao.Month{Year: 2022, Month: 12}).Index(); m = m.Add(1) {
		d.Enforcement[m] = map[string]*scoring.EnforcementTotals{}
		skip := reg.Units[rng.IntN(len(reg.Units))].Name
		for _, u := range reg.Units {
			if u.Name == skip {
				continue
			}
			found := int64(rng.IntN(60))
			cases := int64(rng.IntN(6))
			d.Enforcement[m][u.Name] = &scoring.EnforcementTotals{Inspections: int64(5 + rng.IntN(80)), HazardsFound: found,
				HazardsFixed: found * int64(70+rng.IntN(30)) / 100, Cases: cases, Fines: tongbao.Money(cases * int64(rng.IntN(40000)))}
		}
		d.Files = append(d.Files, scoring.SourceFile{Dataset: tongbao.Enforcement, Period: m.String(), File: fmt.Sprintf("执法_%s.xlsx", m), SHA256: strings.Repeat("a", 64),
			ImportedAt: time.Date(m.Year, time.Month(m.Month), 28, 2, 0, 0, 0, time.UTC), Rows: 47})
		if !ledgers(m) {
			continue
		}
		d.Files = append(d.Files, scoring.SourceFile{Dataset: tongbao.Accidents, Period: m.String(), File: fmt.Sprintf("事故台账_%s.xlsx", m), SHA256: strings.Repeat("b", 64)})
		for i := 0; i < rng.IntN(4); i++ {
			u := reg.Units[rng.IntN(34)]
			day := time.Date(m.Year, time.Month(m.Month), 1+rng.IntN(27), 8+rng.IntN(10), 10, 0, 0, time.UTC)
			d.Accidents = append(d.Accidents, scoring.Accident{Date: tongbao.Date{Time: day, HasTime: true}, Month: m, Territory: u.Name,
				Department: "区应急局", Industry: "工贸", Type: "物体打击", Deaths: int64(rng.IntN(2)), Injuries: int64(rng.IntN(3)), Loss: tongbao.Wan(int64(rng.IntN(50)))})
		}
		if m == (tongbao.Month{Year: 2022, Month: 7}) {
			day := time.Date(2022, 7, 24, 17, 50, 0, 0, time.UTC)
			d.Accidents = append(d.Accidents, scoring.Accident{Date: tongbao.Date{Time: day, HasTime: true}, Month: m, Territory: "珞璜镇",
				Department: "区住房城乡建委", Industry: "建设施工", Type: "坍塌", Deaths: 2, Missing: 1, Loss: tongbao.Wan(300)})
		}
	}
	d.Quotas[2022] = map[string]int64{}
	for _, u := range reg.Units {
		d.Quotas[2022][u.Name] = int64(rng.IntN(4))
	}
	for q := (tongbao.Quarter{Year: 2021, Q: 3}); q.Year < 2023; q = q.Months()[2].Add(1).Quarter() {
		d.Assessments[q] = map[string]*scoring.Assessment{}
		for _, u := range reg.Units {
			a := &scoring.Assessment{}
			for i := range a.Items {
				v := int64(60000 + rng.IntN(40000))
				a.Items[i] = &v
			}
			d.Assessments[q][u.Name] = a
		}
	}
	return d
}

func allLedgers(tongbao.Month) bool { return true }

func testInfo(version int) DocInfo {
	info := DocInfo{District: "江津区", Organ: "江津区安全生产委员会办公室", Document: DefaultDocumentConfig(), Number: "江津安委办〔2023〕1号",
		Issued: time.Date(2023, 1, 4, 17, 30, 0, 0, time.UTC), Version: version, Zone: shanghai}
	if version > 1 {
		info.Replaces = time.Date(2023, 1, 4, 1, 0, 0, 0, time.UTC)
	}
	return info
}

// pageItems groups a layout by page.
func pageItems(layout []placement) map[int][]placement {
	out := map[int][]placement{}
	for _, p := range layout {
		out[p.page] = append(out[p.page], p)
	}
	return out
}

// checkLayout holds a laid-out document to the rules of a printed one.
func checkLayout(t *testing.T, name string, d *officialDoc) {
	t.Helper()
	if err := d.write(io.Discard); err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	if len(d.missing) > 0 {
		var rs []string
		for r := range d.missing {
			rs = append(rs, string(r))
		}
		t.Errorf("%s: characters no font has (they print blank): %q", name, rs)
	}
	pages := pageItems(d.layout)
	last := 0
	for n := range pages {
		last = max(last, n)
	}
	for n := 1; n <= last; n++ {
		items := pages[n]
		if len(items) == 0 {
			t.Errorf("%s: page %d is empty", name, n)
			continue
		}
		// No heading as a page's last line.
		for i := len(items) - 1; i >= 0; i-- {
			if items[i].it.kind == kindSpace || items[i].it.kind == kindImprint {
				continue
			}
			if k := items[i].it.kind; k == kindHeading || k == kindCaption || k == kindHeader {
				t.Errorf("%s: page %d ends with %s %q", name, n, k, items[i].it.text)
			}
			break
		}
		// No page with the signature alone, none with fewer than three rows of a table.
		text, rows := 0, 0
		for _, p := range items {
			switch p.it.kind {
			case kindLine, kindHeading, kindTitle:
				text++
			case kindRow:
				rows++
			}
		}
		for _, p := range items {
			if p.it.kind == kindSignature && text < 2 {
				t.Errorf("%s: page %d holds the signature with %d lines of text", name, n, text)
			}
		}
		if rows > 0 && rows < 3 && !tableEndsOrStartsShort(d.layout, n) {
			t.Errorf("%s: page %d holds %d table rows", name, n, rows)
		}
		for _, p := range items {
			checkGrid(t, name, n, p.it)
			if p.y+p.it.h > blockBottom+0.01 || p.y < marginTop-0.01 {
				t.Errorf("%s: page %d: %s %q at %.1f–%.1f mm, outside the block", name, n, p.it.kind, p.it.text, p.y, p.y+p.it.h)
			}
		}
	}
	if im := pages[last]; len(im) == 0 || im[len(im)-1].it.kind != kindImprint {
		t.Errorf("%s: the last page does not end with 版记", name)
	}
}

// checkGrid holds a text line to the character grid: two ideographs side
// by side are one pitch apart, never spread; the line ends within its
// measure.
func checkGrid(t *testing.T, name string, page int, it *item) {
	t.Helper()
	if it.xs == nil {
		return
	}
	for i := 0; i+1 < len(it.glyphs); i++ {
		a, b := it.glyphs[i], it.glyphs[i+1]
		if ideograph(a.r) && ideograph(b.r) && math.Abs(it.xs[i+1]-it.xs[i]-pitch) > 1e-6 {
			t.Errorf("%s: page %d: %c%c are %.2f mm apart on a %.2f mm grid in %q", name, page, a.r, b.r, it.xs[i+1]-it.xs[i], pitch, it.text)
		}
	}
	if first, lastG := it.glyphs[0].r, it.glyphs[len(it.glyphs)-1].r; it.kind == kindLine && (strings.ContainsRune("、。，；：）」』”！？", first) || strings.ContainsRune("（「『“", lastG)) {
		t.Errorf("%s: page %d: line %q opens or closes with punctuation it may not", name, page, it.text)
	}
	n := len(it.glyphs) - 1
	if end := it.xs[n] + it.glyphs[n].adv - it.glyphs[n].squeezable(); end > it.width+0.01 {
		t.Errorf("%s: page %d: %q ends %.2f mm past its measure", name, page, it.text, end-it.width)
	}
}

// tableEndsOrStartsShort allows a page with fewer than three rows only
// when the whole table has fewer than three rows.
func tableEndsOrStartsShort(layout []placement, page int) bool {
	for i, p := range layout {
		if p.page != page || p.it.kind != kindRow {
			continue
		}
		// Count the table's rows: back and forth to its header.
		n := 1
		for j := i - 1; j >= 0 && layout[j].it.kind == kindRow; j-- {
			n++
		}
		for j := i + 1; j < len(layout) && (layout[j].it.kind == kindRow || layout[j].it.kind == kindHeader && layout[j].page != page); j++ {
			if layout[j].it.kind == kindRow {
				n++
			}
		}
		return n < 3
	}
	return false
}

func TestDocumentLayout(t *testing.T) {
	cfg := scoring.DefaultConfig()
	noFeb := func(m tongbao.Month) bool {
		return m != (tongbao.Month{Year: 2022, Month: 2}) && m != (tongbao.Month{Year: 2022, Month: 12})
	}
	for seed := uint64(1); seed <= 4; seed++ {
		d := testData(seed, allLedgers)
		for _, m := range []tongbao.Month{{Year: 2022, Month: 1}, {Year: 2022, Month: 7}, {Year: 2022, Month: 12}} {
			for _, version := range []int{1, 2} {
				name := fmt.Sprintf("bulletin %s v%d seed %d", m, version, seed)
				doc, err := bulletinDoc(scoring.Month(d, cfg, m), testInfo(version))
				if err != nil {
					t.Fatal(err)
				}
				checkLayout(t, name, doc)
			}
		}
		missing := testData(seed, noFeb)
		doc, err := bulletinDoc(scoring.Month(missing, cfg, tongbao.Month{Year: 2022, Month: 12}), testInfo(1))
		if err != nil {
			t.Fatal(err)
		}
		checkLayout(t, fmt.Sprintf("bulletin without ledgers seed %d", seed), doc)
		for _, q := range []tongbao.Quarter{{Year: 2022, Q: 1}, {Year: 2022, Q: 3}} {
			doc, err := scorecardDoc(scoring.Quarter(d, cfg, q), scoring.Quarter(d, cfg, q.Prev()), testInfo(1))
			if err != nil {
				t.Fatal(err)
			}
			checkLayout(t, fmt.Sprintf("scorecard %s seed %d", q, seed), doc)
		}
	}
}
