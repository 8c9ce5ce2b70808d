package pipeline

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"tongbao"
)

// needTool skips where a checking tool is missing, except in CI, whose
// .ci/run installs it: there a missing tool fails the test.
func needTool(t *testing.T, name string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("%s is not installed (.ci/run installs it)", name)
		}
		t.Skipf("%s not installed", name)
	}
	return p
}

func run(t *testing.T, name string, args ...string) string {
	t.Helper()
	out, err := exec.Command(name, args...).CombinedOutput()
	if err != nil {
		t.Fatalf("%s %v: %v\n%s", name, args, err, out)
	}
	return string(out)
}

func samplesWorkspace(t *testing.T) *Workspace {
	ws := newWorkspace(t)
	if _, err := ws.ImportFiles(context.Background(), samples(t), ImportOptions{}); err != nil {
		t.Fatal(err)
	}
	return ws
}

func pdfOf(t *testing.T, out *Output) string  { return fileOf(t, out, ".pdf") }
func xlsxOf(t *testing.T, out *Output) string { return fileOf(t, out, ".xlsx") }

func fileOf(t *testing.T, out *Output, ext string) string {
	t.Helper()
	for _, f := range out.Files {
		if strings.HasSuffix(f, ext) {
			return f
		}
	}
	t.Fatalf("no %s among %v", ext, out.Files)
	return ""
}

// squeezeText drops white space so text compares whatever the layout.
func squeezeText(s string) string {
	return strings.Map(func(r rune) rune {
		if r == ' ' || r == '\n' || r == '\t' || r == '\f' || r == '\u3000' {
			return -1
		}
		return r
	}, s)
}

func TestBulletinPDF(t *testing.T) {
	needTool(t, "pdftotext")
	needTool(t, "pdftoppm")
	ws := samplesWorkspace(t)
	out, err := ws.Bulletin(context.Background(), tongbao.Month{Year: 2022, Month: 3})
	if err != nil {
		t.Fatal(err)
	}
	wantName := "江津区2022年3月安全生产执法检查和事故情况通报(v1).pdf"
	pdf := pdfOf(t, out)
	if filepath.Base(pdf) != wantName || filepath.Dir(pdf) != mustAbs(ws.path("reports", "2022-03")) {
		t.Errorf("pdf at %s", pdf)
	}
	layout := run(t, "pdftotext", "-layout", pdf, "-")
	// -raw keeps the content order; -layout splits lines where squeezed
	// punctuation overlaps the next glyph's box.
	raw := withoutPageNumbers(run(t, "pdftotext", "-raw", pdf, "-"))
	text := squeezeText(raw)
	for _, want := range []string{
		"江津区安全生产委员会办公室",
		"江津区2022年3月安全生产执法检查和事故情况通报",
		"各镇街、平台，区安委会各成员单位：",
		"一、生产安全事故情况", "二、安全生产执法检查情况", "三、事故死亡控制指标情况", "四、末位通报", "五、工作要求",
		"3月，全区共发生生产安全事故4起、死亡（含失踪）3人、受伤3人，直接经济损失179.50万元",
		"3月，各镇街、平台共检查企业920家次，发现隐患1140条（其中重大隐患6条），整改914条，整改率80.2%；立案查处54起，罚款100.73万元",
		"双福街道（96.66）", "塘河镇、四屏镇未按时报送本月执法检查数据",
		"超进度的单位：德感街道（累计死亡（含失踪）1人，指标3人，进度33.3%）",
		"（一）执法末位", "镇街平台：塘河镇、四屏镇；部门：区规划自然资源局。",
		"2022年5月20日", "附件1", "执法检查排名表", "镇街平台", "附件4", "末位通报名单",
	} {
		if !strings.Contains(text, squeezeText(want)) {
			t.Errorf("the bulletin lacks %q", want)
		}
	}
	// Page numbers: odd pages right, even pages left.
	pages := strings.Split(layout, "\f")
	for i, p := range pages[:len(pages)-1] {
		lines := strings.Split(strings.TrimRight(p, "\n "), "\n")
		last := lines[len(lines)-1]
		num := fmt.Sprintf("— %d —", i+1)
		idx := strings.Index(last, num)
		if idx < 0 {
			t.Errorf("page %d ends with %q, not its number", i+1, last)
			continue
		}
		left := idx < len(last)/3
		if (i+1)%2 == 1 && left || (i+1)%2 == 0 && !left {
			t.Errorf("page %d number on the wrong side: %q", i+1, last)
		}
	}
	// Line starts, the grid and keep rules are checked on the layout
	// record in reports (TestDocumentLayout); pdftotext cannot see them.
	// Golden: the body text, as extracted, checked by reading it.
	golden := "../testdata/reports/bulletin-2022-03.txt"
	got := strings.TrimSpace(strings.Split(raw, "附件1")[0])
	if *updateScores {
		os.WriteFile(golden, []byte(got+"\n"), 0o644)
	} else if want, err := os.ReadFile(golden); err != nil || squeezeText(string(want)) != squeezeText(got) {
		t.Errorf("body text differs from %s (%v):\n%s", golden, err, got)
	}
	assertPagesNotBlank(t, pdf, len(pages)-1)
}

// withoutPageNumbers drops the "— N —" lines, which pdftotext puts
// between the last line of a page and the first of the next.
func withoutPageNumbers(s string) string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if t := strings.TrimSpace(l); strings.HasPrefix(t, "— ") && strings.HasSuffix(t, " —") {
			continue
		}
		out = append(out, l)
	}
	return strings.Join(out, "\n")
}

func mustAbs(p string) string {
	a, _ := filepath.Abs(p)
	return a
}

// assertPagesNotBlank renders every page and counts its inked pixels.
func assertPagesNotBlank(t *testing.T, pdf string, want int) {
	t.Helper()
	dir := t.TempDir()
	run(t, "pdftoppm", "-r", "30", "-png", pdf, filepath.Join(dir, "p"))
	files, _ := filepath.Glob(filepath.Join(dir, "p*.png"))
	if len(files) != want {
		t.Fatalf("rendered %d pages, want %d", len(files), want)
	}
	for _, f := range files {
		fh, err := os.Open(f)
		if err != nil {
			t.Fatal(err)
		}
		img, err := png.Decode(fh)
		fh.Close()
		if err != nil {
			t.Fatal(err)
		}
		ink := 0
		b := img.Bounds()
		for y := b.Min.Y; y < b.Max.Y; y++ {
			for x := b.Min.X; x < b.Max.X; x++ {
				r, g, bl, _ := img.At(x, y).RGBA()
				if r+g+bl < 3*0xC000 {
					ink++
				}
			}
		}
		if ink < 200 {
			t.Errorf("%s is blank (%d inked pixels)", filepath.Base(f), ink)
		}
	}
}

// libreCSV converts every sheet of a workbook to CSV with LibreOffice,
// values as shown; it returns sheet name → rows.
func libreCSV(t *testing.T, xlsx string) map[string][][]string {
	t.Helper()
	needTool(t, "soffice")
	dir := t.TempDir()
	src := filepath.Join(dir, "book.xlsx")
	data, _ := os.ReadFile(xlsx)
	os.WriteFile(src, data, 0o644)
	run(t, "soffice", "-env:UserInstallation=file://"+filepath.Join(dir, "profile"), "--headless", "--convert-to",
		"csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,true,false,false,-1", "--outdir", dir, src)
	files, _ := filepath.Glob(filepath.Join(dir, "book-*.csv"))
	out := map[string][][]string{}
	for _, f := range files {
		data, _ := os.ReadFile(f)
		var rows [][]string
		for _, line := range strings.Split(strings.TrimRight(string(data), "\n"), "\n") {
			rows = append(rows, strings.Split(line, ","))
		}
		out[strings.TrimSuffix(strings.TrimPrefix(filepath.Base(f), "book-"), ".csv")] = rows
	}
	if len(out) == 0 {
		t.Fatal("LibreOffice produced no CSV")
	}
	return out
}

func TestBulletinXLSXInLibreOffice(t *testing.T) {
	ws := samplesWorkspace(t)
	m := tongbao.Month{Year: 2022, Month: 3}
	out, err := ws.Bulletin(context.Background(), m)
	if err != nil {
		t.Fatal(err)
	}
	sheets := libreCSV(t, xlsxOf(t, out))
	for _, name := range []string{"镇街平台执法排名", "部门执法排名", "事故总体", "事故按属地", "事故按部门", "事故按行业", "事故明细", "控制指标", "末位通报", "数据质量", "数据来源"} {
		if _, ok := sheets[name]; !ok {
			t.Errorf("sheet %s missing (have %v)", name, keys(sheets))
		}
	}
	r, err := ws.ScoreMonth(context.Background(), m)
	if err != nil {
		t.Fatal(err)
	}
	rows := map[string][]string{}
	for _, name := range []string{"镇街平台执法排名", "部门执法排名"} {
		for _, row := range sheets[name][1:] {
			rows[row[1]] = row
		}
	}
	for _, e := range r.Enforcement {
		row := rows[e.Unit]
		if row == nil {
			t.Errorf("%s missing from the workbook", e.Unit)
			continue
		}
		want := []string{fmt.Sprint(e.Rank), e.Unit, string(e.Kind), map[bool]string{true: "已报送", false: "未报送"}[e.Reported], fmt.Sprint(e.Inspections),
			fmt.Sprint(e.HazardsFound), fmt.Sprint(e.MajorHazards), fmt.Sprint(e.HazardsFixed)}
		if strings.Join(row[:8], "|") != strings.Join(want, "|") || row[10] != e.Fines.String() || row[14] != e.Index.String() {
			t.Errorf("%s: workbook %v, Score JSON %v fines %s index %s", e.Unit, row, want, e.Fines, e.Index)
		}
	}
	total := sheets["事故总体"][1]
	if total[1] != "4" || total[2] != "3" || total[3] != "3" || total[4] != "179.50" {
		t.Errorf("事故总体 %v", total)
	}
	list := sheets["事故明细"]
	if len(list) != 5 || list[1][0] != "2022-03-04 07:40" || list[4][1] != "白沙镇" {
		t.Errorf("事故明细 %v", list)
	}
	src := sheets["数据来源"]
	if len(src) != 5 || len(src[1][3]) != 64 { // the April CSV is not behind March's figures
		t.Errorf("数据来源 %v", src)
	}
	var dq []string
	for _, row := range sheets["数据质量"] {
		dq = append(dq, strings.Join(row, "|"))
	}
	if !strings.Contains(strings.Join(dq, "\n"), "未报送|塘河镇") {
		t.Errorf("数据质量 %v", dq)
	}
}

func keys[V any](m map[string]V) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}

func TestScorecard(t *testing.T) {
	needTool(t, "pdftotext")
	ws := samplesWorkspace(t)
	q := tongbao.Quarter{Year: 2022, Q: 1}
	out, err := ws.Scorecard(context.Background(), q)
	if err != nil {
		t.Fatal(err)
	}
	if filepath.Base(pdfOf(t, out)) != "江津区2022年第一季度“十条措施”落实情况绩效评估(v1).pdf" {
		t.Errorf("name %s", pdfOf(t, out))
	}
	layout := run(t, "pdftotext", "-layout", pdfOf(t, out), "-")
	assertPagesNotBlank(t, pdfOf(t, out), strings.Count(layout, "\f"))
	text := squeezeText(withoutPageNumbers(layout))
	for _, want := range []string{"江津区2022年第一季度“十条措施”落实情况绩效评估", "本季度共评估48个单位，其中优秀0个、良好14个、合格34个、不合格0个",
		"镇街平台排名前三位的是：江津综合保税区（85.00分）、夏坝镇（84.02分）、德感街道（83.08分）", "本季度无一票否决单位。",
		"评估结果汇总表", "各单位“十条措施”分项得分"} {
		if !strings.Contains(text, squeezeText(want)) {
			t.Errorf("the scorecard lacks %q", want)
		}
	}
	r, _ := ws.ScoreQuarter(context.Background(), q)
	sheets := libreCSV(t, xlsxOf(t, out))
	summary := map[string][]string{}
	for _, name := range []string{"镇街平台评估", "部门评估"} {
		for _, row := range sheets[name][1:] {
			summary[row[1]] = row
		}
	}
	items := map[string][]string{}
	for _, row := range sheets["分项得分"][1:] {
		items[row[2]] = row
	}
	for _, s := range r.Scores {
		row, it := summary[s.Unit], items[s.Unit]
		if row == nil || row[0] != fmt.Sprint(s.Rank) || row[2] != s.Total.String() || row[3] != s.Grade {
			t.Errorf("%s: summary %v, JSON rank %d total %s %s", s.Unit, row, s.Rank, s.Total, s.Grade)
			continue
		}
		// 主要失分 names the unit's three largest losses, largest first.
		var lost []string
		for _, l := range s.Lost[:min(3, len(s.Lost))] {
			lost = append(lost, fmt.Sprintf("第%d项-%s", l.Item, strings.TrimRight(strings.TrimRight(l.Points.String(), "0"), ".")))
		}
		if want := strings.Join(lost, "、"); row[6] != want {
			t.Errorf("%s: 主要失分 %q, want %q", s.Unit, row[6], want)
		}
		if it == nil || it[1] != fmt.Sprint(s.Rank) || it[3] != s.Items[0].String() || it[9] != s.Items[6].String() || it[15] != s.Total.String() {
			t.Errorf("%s: 分项得分 %v, JSON item1 %s item7 %s total %s", s.Unit, it, s.Items[0], s.Items[6], s.Total)
		}
	}
}

func TestBulletinVersions(t *testing.T) {
	needTool(t, "pdftotext")
	ws := samplesWorkspace(t)
	m := tongbao.Month{Year: 2022, Month: 3}
	v1, err := ws.Bulletin(context.Background(), m)
	if err != nil || v1.Version != 1 || !v1.New {
		t.Fatalf("v1 %+v %v", v1, err)
	}
	again, err := ws.Bulletin(context.Background(), m)
	if err != nil || again.Version != 1 || again.New {
		t.Fatalf("unchanged figures made %+v %v", again, err)
	}
	// 塘河镇 reports late: the figures change, a 更正 v2 appears beside v1.
	late := writeXLSX(t, t.TempDir(), "塘河镇执法检查_2022年3月.xlsx", [][]any{
		{"单位", "检查企业(家次)", "发现隐患(条)", "其中重大隐患(条)", "整改隐患(条)", "立案查处(起)", "罚款金额(万元)"},
		{"塘河镇", 18, 20, 0, 15, 2, 1.5},
	})
	if o := importOne(t, ws, late, ImportOptions{}); o.Status != Imported {
		t.Fatal(o.Text())
	}
	v2, err := ws.Bulletin(context.Background(), m)
	if err != nil || v2.Version != 2 || !v2.New {
		t.Fatalf("v2 %+v %v", v2, err)
	}
	for _, f := range append(v1.Files, v2.Files...) {
		if _, err := os.Stat(f); err != nil {
			t.Errorf("missing %s", f)
		}
	}
	text := squeezeText(run(t, "pdftotext", pdfOf(t, v2), "-"))
	if !strings.Contains(text, "【更正】江津区2022年3月") || !strings.Contains(text, squeezeText("本通报为更正版（第2版），替代2022年5月20日印发的第1版")) {
		t.Errorf("v2 does not say what it replaces:\n%.400s", text)
	}
	var vs []Version
	data, _ := os.ReadFile(ws.path("reports", "2022-03", "versions.json"))
	json.Unmarshal(data, &vs)
	if len(vs) != 2 || vs[0].Hash == vs[1].Hash {
		t.Errorf("versions %+v", vs)
	}
	if bytes.Contains(data, []byte("v3")) {
		t.Error("a third version")
	}
}

func TestConfiguredFonts(t *testing.T) {
	needTool(t, "pdffonts")
	ws := samplesWorkspace(t)
	// Point the body role at another TrueType file: the 楷体 shipped with us.
	kai := filepath.Join(t.TempDir(), "mykai.ttf")
	data, err := os.ReadFile("../reports/fonts/gkai00mp.ttf")
	if err != nil {
		t.Fatal(err)
	}
	os.WriteFile(kai, data, 0o644)
	ws.Config.Fonts.Body = kai
	out, err := ws.Bulletin(context.Background(), tongbao.Month{Year: 2022, Month: 3})
	if err != nil {
		t.Fatal(err)
	}
	fonts := run(t, "pdffonts", pdfOf(t, out))
	for _, want := range []string{"cfgbody", "arplsungtilgb", "droidsansfallback"} {
		if !strings.Contains(fonts, want) {
			t.Errorf("fonts lack %s:\n%s", want, fonts)
		}
	}
	for _, line := range strings.Split(fonts, "\n")[2:] {
		if f := strings.Fields(line); len(f) > 5 && f[len(f)-5] != "yes" { // the emb column
			t.Errorf("font not embedded: %s", line)
		}
	}
	bad := ws.Config.Fonts
	bad.Heading1 = "C:/Windows/Fonts/simsun.ttc"
	if err := bad.Validate(); err == nil || !strings.Contains(err.Error(), "fonts.heading1") {
		t.Errorf("a .ttc font was accepted: %v", err)
	}
}

// assessmentCopy copies the sample quarterly assessment as quarter q's,
// with change applied to its rows (header first).
func assessmentCopy(t *testing.T, dir string, q tongbao.Quarter, change func(rows [][]string)) string {
	t.Helper()
	src, err := excelize.OpenFile(filepath.Join(samplesDir, "十条措施季度评估_2022年第一季度.xlsx"))
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	rows, err := src.GetRows(src.GetSheetList()[0])
	if err != nil {
		t.Fatal(err)
	}
	label := fmt.Sprintf("%d年第%s季度", q.Year, []string{"", "一", "二", "三", "四"}[q.Q])
	for _, row := range rows[1:] {
		row[1] = label
	}
	change(rows)
	var out [][]any
	for _, row := range rows {
		var r []any
		for i, v := range row {
			if f, err := strconv.ParseFloat(v, 64); err == nil && i >= 2 {
				r = append(r, f)
			} else {
				r = append(r, v)
			}
		}
		out = append(out, r)
	}
	return writeXLSX(t, dir, "十条措施季度评估_"+label+".xlsx", out)
}

// TestScorecardCorrectedByLastQuarter: the scorecard prints last quarter's
// totals beside this quarter's, so a late correction to last quarter makes
// a 更正 version of this quarter's scorecard though this quarter's own
// figures (its Score JSON) stay the same.
func TestScorecardCorrectedByLastQuarter(t *testing.T) {
	needTool(t, "pdftotext")
	ws := samplesWorkspace(t)
	ctx := context.Background()
	q2 := tongbao.Quarter{Year: 2022, Q: 2}
	if o := importOne(t, ws, assessmentCopy(t, t.TempDir(), q2, func([][]string) {}), ImportOptions{}); o.Status != Imported {
		t.Fatal(o.Text())
	}
	v1, err := ws.Scorecard(ctx, q2)
	if err != nil || v1.Version != 1 {
		t.Fatalf("v1 %+v %v", v1, err)
	}
	before, _ := ws.ScoreQuarter(ctx, q2)
	beforeJSON, _ := json.Marshal(before)

	// 几江街道 corrects its first quarter: item 1 from 7.2 to 9.2.
	fixed := assessmentCopy(t, t.TempDir(), tongbao.Quarter{Year: 2022, Q: 1}, func(rows [][]string) {
		if rows[1][0] != "几江街道" || rows[1][2] != "7.2" {
			t.Fatalf("sample changed: %v", rows[1])
		}
		rows[1][2] = "9.2"
	})
	if o := importOne(t, ws, fixed, ImportOptions{}); o.Status != Imported {
		t.Fatal(o.Text())
	}
	after, _ := ws.ScoreQuarter(ctx, q2)
	if afterJSON, _ := json.Marshal(after); !bytes.Equal(afterJSON, beforeJSON) {
		t.Fatal("the second quarter's own figures changed: the test no longer isolates last quarter")
	}
	v2, err := ws.Scorecard(ctx, q2)
	if err != nil || v2.Version != 2 || !v2.New {
		t.Fatalf("a corrected last quarter made %+v %v, want a new version 2", v2, err)
	}
	text := squeezeText(run(t, "pdftotext", pdfOf(t, v2), "-"))
	if !strings.Contains(text, squeezeText("本评估为更正版（第2版）")) {
		t.Errorf("v2 does not say it is a correction:\n%.400s", text)
	}
	change := func(out *Output) string {
		for _, row := range libreCSV(t, xlsxOf(t, out))["镇街平台评估"] {
			if len(row) > 1 && row[1] == "几江街道" {
				return strings.Join(row, "|")
			}
		}
		return ""
	}
	if a, b := change(v1), change(v2); a == b || a == "" {
		t.Errorf("几江街道's row did not change with last quarter:\n v1 %s\n v2 %s", a, b)
	}
	again, err := ws.Scorecard(ctx, q2)
	if err != nil || again.New || again.Version != 2 {
		t.Errorf("unchanged figures made %+v %v", again, err)
	}
}

// TestLegacyVersionHashStands: a scorecard version recorded when the hash
// covered this quarter's Score JSON alone is not redone for that reason.
// TestOldVersionRecordUpgraded: a version record written by an older
// build (another "covers") stands and is upgraded in place when nothing
// was imported since it was issued; after a later import the figures may
// really differ, so a new version is issued.
func TestOldVersionRecordUpgraded(t *testing.T) {
	ws := samplesWorkspace(t)
	ctx := context.Background()
	q := tongbao.Quarter{Year: 2022, Q: 1}
	v1, err := ws.Scorecard(ctx, q)
	if err != nil {
		t.Fatal(err)
	}
	vpath := ws.path("reports", q.String(), "versions.json")
	makeOld := func() {
		vs, _ := readVersions(vpath)
		vs[len(vs)-1].Hash, vs[len(vs)-1].Covers = "an older build's hash", "previous-totals"
		if err := writeVersions(vpath, vs); err != nil {
			t.Fatal(err)
		}
	}
	makeOld()
	again, err := ws.Scorecard(ctx, q)
	if err != nil || again.New || again.Version != v1.Version {
		t.Fatalf("an old record with nothing imported since made %+v %v", again, err)
	}
	vs, _ := readVersions(vpath)
	if len(vs) != 1 || vs[0].Covers != coversScorecard || vs[0].Hash == "an older build's hash" {
		t.Errorf("the old record was not upgraded: %+v", vs)
	}
	makeOld()
	ws.now = func() time.Time { return fixedNow().Add(24 * time.Hour) }
	late := writeXLSX(t, t.TempDir(), "塘河镇执法检查_2022年3月.xlsx", [][]any{
		{"单位", "检查企业(家次)", "发现隐患(条)", "其中重大隐患(条)", "整改隐患(条)", "立案查处(起)", "罚款金额(万元)"},
		{"塘河镇", 18, 20, 0, 15, 2, 1.5},
	})
	if o := importOne(t, ws, late, ImportOptions{}); o.Status != Imported {
		t.Fatal(o.Text())
	}
	v2, err := ws.Scorecard(ctx, q)
	if err != nil || !v2.New || v2.Version != 2 {
		t.Fatalf("an old record with a later import: %+v %v", v2, err)
	}
}

func TestSystemFontDir(t *testing.T) {
	env := func(vars map[string]string) func(string) string { return func(k string) string { return vars[k] } }
	tests := []struct {
		name, configured, goos string
		vars                   map[string]string
		want                   string
	}{
		{"configured wins", "/srv/fonts", "windows", map[string]string{"WINDIR": `D:\Win`}, "/srv/fonts"},
		{"windows WINDIR", "", "windows", map[string]string{"WINDIR": `D:\Win`}, filepath.Join(`D:\Win`, "Fonts")},
		{"windows SystemRoot", "", "windows", map[string]string{"SystemRoot": `E:\Windows`}, filepath.Join(`E:\Windows`, "Fonts")},
		{"windows without either", "", "windows", nil, filepath.Join(`C:\Windows`, "Fonts")},
		{"linux searches nothing", "", "linux", map[string]string{"WINDIR": "/x"}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := systemFontDir(tt.configured, tt.goos, env(tt.vars)); got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}

// TestSystemFontsFound: with no [fonts] paths, the fonts Windows installs
// (simfang.ttf for the body, simhei.ttf for 一、 headings) are taken from
// the system folder; a file there that is no usable TrueType font is
// passed over for the shipped one.
func TestSystemFontsFound(t *testing.T) {
	needTool(t, "pdffonts")
	ws := samplesWorkspace(t)
	dir := t.TempDir()
	copyFont := func(from, to string) {
		data, err := os.ReadFile(filepath.Join("../reports/fonts", from))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, to), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	copyFont("gkai00mp.ttf", "simfang.ttf")             // stands in for 仿宋
	copyFont("DroidSansFallbackFull.ttf", "simhei.ttf") // stands in for 黑体
	os.WriteFile(filepath.Join(dir, "simkai.ttf"), []byte("not a font"), 0o644)
	ws.Config.Fonts.SystemDir = dir
	out, err := ws.Bulletin(context.Background(), tongbao.Month{Year: 2022, Month: 3})
	if err != nil {
		t.Fatal(err)
	}
	fonts := run(t, "pdffonts", pdfOf(t, out))
	for _, want := range []string{"cfgbody", "cfgheading1", "arplkaitimgb", "arplsungtilgb"} {
		if !strings.Contains(strings.ToLower(fonts), want) {
			t.Errorf("fonts lack %s:\n%s", want, fonts)
		}
	}
	if strings.Contains(strings.ToLower(fonts), "cfgheading2") {
		t.Errorf("the unusable simkai.ttf was used:\n%s", fonts)
	}
}
