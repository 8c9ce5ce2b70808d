package web

import (
	"context"
	"encoding/json"
	"html"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"tongbao"
	"tongbao/pipeline"
)

// The demo's two years of data, imported once for every dashboard test
// (the dashboard only reads), with an account of each role.
var demo struct {
	once sync.Once
	dir  string // removed by TestMain
	home string
	err  error
}

func TestMain(m *testing.M) {
	code := m.Run()
	if demo.dir != "" {
		os.RemoveAll(demo.dir)
	}
	os.Exit(code)
}

func demoHome(t testing.TB) string {
	t.Helper()
	demo.once.Do(func() {
		demo.dir, demo.err = os.MkdirTemp("", "tongbao-dashboard-")
		if demo.err != nil {
			return
		}
		home := filepath.Join(demo.dir, "ws")
		ctx := context.Background()
		if _, demo.err = pipeline.Demo(ctx, home, pipeline.DemoOptions{Seed: 7, DataOnly: true}); demo.err != nil {
			return
		}
		ws, err := pipeline.Open(home, nil)
		if demo.err = err; err != nil {
			return
		}
		for _, a := range []pipeline.AccountInput{
			{Name: "office", Role: pipeline.RoleAdmin, Password: testPassword},
			{Name: "boss", Role: pipeline.RoleLeader, Password: testPassword},
			{Name: "jijiang", Role: pipeline.RoleReporter, Units: []string{"几江街道"}, Password: testPassword},
			{Name: "ledger", Role: pipeline.RoleReporter, Ledger: true, Password: testPassword},
		} {
			if demo.err = ws.AddAccount(ctx, a); demo.err != nil {
				return
			}
		}
		demo.home = home
	})
	if demo.err != nil {
		t.Fatal(demo.err)
	}
	return demo.home
}

// demoFixture is the portal over the demo workspace (its own Workspace
// value, so its overview cache is its own).
func demoFixture(t testing.TB) *fixture {
	t.Helper()
	ws, err := pipeline.Open(demoHome(t), nil)
	if err != nil {
		t.Fatal(err)
	}
	s, err := New(ws, DefaultConfig(), nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(s.Handler())
	t.Cleanup(srv.Close)
	return &fixture{ws: ws, srv: srv, clock: &clock{t: time.Now()}}
}

var idText = regexp.MustCompile(`id="([a-z-]+)">([^<]*)<`)

// figures are the texts of the page's elements with ids.
func figures(page string) map[string]string {
	out := map[string]string{}
	for _, m := range idText.FindAllStringSubmatch(page, -1) {
		out[m[1]] = html.UnescapeString(m[2])
	}
	return out
}

// scoreJSON is what `score --json` prints for v.
func scoreJSON(t *testing.T, v any) string {
	t.Helper()
	js, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(js)
}

// TestDashboardFiguresEqualScoreJSON: the front page, the unit page and
// the /api JSON give the numbers `score --json` gives, computed here by a
// Workspace of its own.
func TestDashboardFiguresEqualScoreJSON(t *testing.T) {
	fx := demoFixture(t)
	ctx := context.Background()
	score, err := pipeline.Open(fx.ws.Home, nil)
	if err != nil {
		t.Fatal(err)
	}
	latest := tongbao.Month{Year: 2022, Month: 12}
	r, err := score.ScoreMonth(ctx, latest)
	if err != nil {
		t.Fatal(err)
	}
	b := fx.browser(t)
	b.login("boss", testPassword)
	code, page := b.get("/dashboard")
	if code != http.StatusOK || !strings.Contains(page, "数据月份：<strong id=\"month\">2022年12月</strong>") || !strings.Contains(page, "（最新有数据的月份）") {
		t.Fatalf("front page %d:\n%.2000s", code, page)
	}
	var ins, cases int64
	var fines int64
	for _, e := range r.Enforcement {
		ins, cases, fines = ins+e.Inspections, cases+e.Cases, fines+e.Fines.V
	}
	f := figures(page)
	want := map[string]string{
		"acc-count": itoa(r.Accidents.Month.Count), "acc-deaths": itoa(r.Accidents.Month.Deaths),
		"ytd-count": itoa(r.Accidents.YTD.Count), "ytd-deaths": itoa(r.Accidents.YTD.Deaths),
		"enf-inspections": itoa(ins), "enf-cases": itoa(cases),
		"not-reported-count": itoa(int64(len(r.NotReported))),
		"acc-count-yoy":      changeText(r.Accidents.Month.CountYoY),
		"ctl-deaths":         itoa(r.Accidents.YTD.Deaths),
		"ctl-time":           "100.0%",
	}
	for id, w := range want {
		if f[id] != w {
			t.Errorf("front page %s = %q, Score JSON %q", id, f[id], w)
		}
	}
	if got := f["enf-fines"]; got == "" || got != (scoringFixed(fines, r.Enforcement[0].Fines.Scale)) {
		t.Errorf("fines %q", got)
	}
	for _, lp := range r.LastPlace {
		if !strings.Contains(page, ">"+lp.Unit+"</a></td><td>"+lp.Group+"</td><td>"+strings.Join(lp.Reasons, "、")+"</td><td>"+itoa(int64(lp.ConsecutiveMonths))+"</td>") {
			t.Errorf("last place %s not on the page as in Score JSON", lp.Unit)
		}
	}
	// The API's month is the Score JSON itself.
	code, js := b.get("/api/month/2022-12")
	if code != http.StatusOK || strings.TrimSpace(js) != scoreJSON(t, r) {
		t.Errorf("/api/month differs from the Score JSON (%d)", code)
	}
	q, err := score.ScoreQuarter(ctx, tongbao.Quarter{Year: 2022, Q: 4})
	if err != nil {
		t.Fatal(err)
	}
	if code, js := b.get("/api/quarter/2022Q4"); code != http.StatusOK || strings.TrimSpace(js) != scoreJSON(t, q) {
		t.Errorf("/api/quarter differs from the Score JSON (%d)", code)
	}
	// An earlier month on request: its own figures.
	r11, _ := score.ScoreMonth(ctx, latest.Add(-1))
	_, page = b.get("/dashboard?month=2022-11")
	if f := figures(page); f["acc-count"] != itoa(r11.Accidents.Month.Count) || !strings.Contains(page, "最新有数据的月份为 2022年12月") {
		t.Errorf("2022-11: acc-count %q, want %d", f["acc-count"], r11.Accidents.Month.Count)
	}

	// A unit page: index, rank and the quarter's total as scored.
	unit := r.LastPlace[0].Unit
	_, page = b.get("/dashboard/unit/" + url.PathEscape(unit))
	f = figures(page)
	for _, e := range r.Enforcement {
		if e.Unit == unit && (f["unit-index"] != e.Index.String() || f["unit-rank"] != itoa(int64(e.Rank))) {
			t.Errorf("%s: index %q rank %q, Score JSON %s %d", unit, f["unit-index"], f["unit-rank"], e.Index, e.Rank)
		}
	}
	for _, sc := range q.Scores {
		if sc.Unit == unit && !strings.Contains(page, "<td>2022年第四季度</td><td>"+sc.Total.String()+"</td>") {
			t.Errorf("%s: 2022Q4 total %s not on the unit page", unit, sc.Total)
		}
	}
	// The trend chart's points are the months' Score JSON.
	var tv struct {
		Charts []chart
		Grid   lastPlaceGrid
	}
	_, js = b.get("/api/trends?months=24")
	if err := json.Unmarshal([]byte(js), &tv); err != nil {
		t.Fatal(err)
	}
	acc := tv.Charts[0]
	if len(acc.X) != 24 || acc.X[23] != "2022-12" || *acc.Series[0].Data[23] != float64(r.Accidents.Month.Count) || *acc.Series[1].Data[23] != float64(r.Accidents.Month.Deaths) {
		t.Errorf("accident chart: %v %v", acc.X, acc.Series[0].Data)
	}
	if ly := acc.Series[2].Data[23]; r.Accidents.Month.CountYoY != nil && *ly != float64(r.Accidents.Month.Count-*r.Accidents.Month.CountYoY) {
		t.Errorf("last year's December %v, Score JSON says %d − %d", *ly, r.Accidents.Month.Count, *r.Accidents.Month.CountYoY)
	}
	if acc.Series[2].Data[0] != nil {
		t.Errorf("2020-01 has no data but a point: %v", *acc.Series[2].Data[0])
	}
	flagged := 0
	for _, u := range tv.Grid.Units {
		if len(u.Cells[23].Reasons) > 0 {
			flagged++
		}
	}
	if flagged != len(r.LastPlace) {
		t.Errorf("the grid's last month flags %d units, Score JSON %d", flagged, len(r.LastPlace))
	}
}

func itoa(n int64) string { return signedless(n) }

func signedless(n int64) string { return strings.TrimPrefix(signed(float64(n), 0), "+") }

func scoringFixed(v int64, scale int) string {
	return strings.TrimPrefix(signed(float64(v)/pow10(scale), scale), "+")
}

func pow10(n int) float64 {
	p := 1.0
	for range n {
		p *= 10
	}
	return p
}

// TestDashboardRoles: 领导 and 管理员 see everything; a 填报员 only their
// own unit's page and JSON (another unit, the front page and every other
// /api answer 403); a 领导 reaches no upload or approval route.
func TestDashboardRoles(t *testing.T) {
	fx := demoFixture(t)
	own, other := "/dashboard/unit/"+url.PathEscape("几江街道"), "/dashboard/unit/"+url.PathEscape("珞璜镇")
	apiOwn, apiOther := "/api/unit/"+url.PathEscape("几江街道"), "/api/unit/"+url.PathEscape("珞璜镇")
	routes := []struct {
		method, path string
		want         map[string]int
	}{
		{"GET", "/dashboard", map[string]int{"": 303, "jijiang": 403, "ledger": 403, "boss": 200, "office": 200}},
		{"GET", "/dashboard/trends", map[string]int{"jijiang": 403, "boss": 200, "office": 200}},
		{"GET", "/dashboard/quarter", map[string]int{"jijiang": 403, "boss": 200}},
		{"GET", "/dashboard/quarter?quarter=2022Q1", map[string]int{"boss": 200}},
		{"GET", "/dashboard/quarter?quarter=2019Q1", map[string]int{"boss": 404}},
		{"GET", own, map[string]int{"": 303, "jijiang": 200, "ledger": 403, "boss": 200, "office": 200}},
		{"GET", other, map[string]int{"jijiang": 403, "ledger": 403, "boss": 200}},
		{"GET", "/dashboard/unit/" + url.PathEscape("不存在的镇"), map[string]int{"jijiang": 403, "boss": 403}},
		{"GET", apiOwn, map[string]int{"": 303, "jijiang": 200, "boss": 200}},
		{"GET", apiOther, map[string]int{"jijiang": 403, "boss": 200}},
		{"GET", "/api/front", map[string]int{"": 303, "jijiang": 403, "ledger": 403, "boss": 200, "office": 200}},
		{"GET", "/api/trends?months=12", map[string]int{"jijiang": 403, "boss": 200}},
		{"GET", "/api/quarterview", map[string]int{"jijiang": 403, "boss": 200}},
		{"GET", "/api/month/2022-12", map[string]int{"jijiang": 403, "ledger": 403, "boss": 200}},
		{"GET", "/api/month/2031-01", map[string]int{"boss": 404}},
		{"GET", "/api/quarter/2022Q4", map[string]int{"jijiang": 403, "boss": 200}},
		{"GET", "/submit", map[string]int{"boss": 403}},
		{"POST", "/submit", map[string]int{"boss": 403}},
		{"POST", "/submit/zero", map[string]int{"boss": 403}},
		{"POST", "/reports/2022-12/approve", map[string]int{"boss": 403, "jijiang": 403}},
		{"POST", "/progress/remind", map[string]int{"boss": 403}},
	}
	browsers := map[string]*browser{"": fx.browser(t)}
	for _, name := range []string{"jijiang", "ledger", "boss", "office"} {
		b := fx.browser(t)
		if code := b.login(name, testPassword); code != http.StatusSeeOther {
			t.Fatalf("login %s: %d", name, code)
		}
		browsers[name] = b
	}
	for _, r := range routes {
		for account, want := range r.want {
			browsers[account].expect(r.method, r.path, account, want)
		}
	}
	// The reporter's navigation leads to their unit, not the dashboard.
	_, page := browsers["jijiang"].get("/")
	if !strings.Contains(page, `href="`+own+`"`) || strings.Contains(page, `href="/dashboard"`) {
		t.Errorf("a reporter's navigation:\n%.1500s", page)
	}
}

// TestOverviewFollowsTheStore: the cached overview is computed again when
// an import changes the store, and not otherwise.
func TestOverviewFollowsTheStore(t *testing.T) {
	fx := newFixture(t)
	ctx := context.Background()
	b := fx.browser(t)
	b.login("leader", testPassword)
	if code, page := b.get("/dashboard"); code != http.StatusNotFound || !strings.Contains(page, "驾驶舱暂无数据：工作区还没有导入任何执法检查月报或事故台账") {
		t.Errorf("an empty workspace's dashboard: %d", code)
	}
	samples, _ := filepath.Glob("../../shared/samples/*")
	if _, err := fx.ws.ImportFiles(ctx, samples[:1], pipeline.ImportOptions{}); err != nil {
		t.Fatal(err)
	}
	o1, err := fx.ws.Overview(ctx)
	if err != nil {
		t.Fatal(err)
	}
	o2, _ := fx.ws.Overview(ctx)
	if o1 != o2 {
		t.Error("the overview was computed twice for one store version")
	}
	if _, err := fx.ws.ImportFiles(ctx, samples, pipeline.ImportOptions{}); err != nil {
		t.Fatal(err)
	}
	o3, _ := fx.ws.Overview(ctx)
	if o3 == o1 || o3.Version == o1.Version || len(o3.Months) <= len(o1.Months) {
		t.Errorf("after an import: %d months, was %d", len(o3.Months), len(o1.Months))
	}
}

func TestQuantiles(t *testing.T) {
	tests := []struct {
		name string
		xs   []float64
		want []float64 // median, max, q3, q1, min
	}{
		{"none", nil, nil},
		{"one", []float64{40}, []float64{40, 40, 40, 40, 40}},
		{"odd", []float64{10, 50, 30}, []float64{30, 50, 40, 20, 10}},
		{"even", []float64{4, 1, 3, 2}, []float64{2.5, 4, 3.25, 1.75, 1}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := quantiles(tt.xs)
			for i := range got {
				if tt.want == nil {
					if got[i] != nil {
						t.Errorf("%d: %v, want none", i, *got[i])
					}
					continue
				}
				if got[i] == nil || *got[i] != tt.want[i] {
					t.Errorf("%d: %v, want %v", i, got[i], tt.want[i])
				}
			}
		})
	}
}

// TestOverviewEqualsScoreJSON: the overview's one load and its cache give,
// for every month and quarter it holds, exactly what `score --json` gives
// for that period on its own (the plain way: a load per period).
func TestOverviewEqualsScoreJSON(t *testing.T) {
	fx := demoFixture(t)
	ctx := context.Background()
	o, err := fx.ws.Overview(ctx)
	if err != nil {
		t.Fatal(err)
	}
	plain, _ := pipeline.Open(fx.ws.Home, nil)
	if len(o.Months) != 24 || len(o.Quarters) != 8 {
		t.Fatalf("%d months and %d quarters, want the demo's 24 and 8", len(o.Months), len(o.Quarters))
	}
	for m, r := range o.Months {
		want, err := plain.ScoreMonth(ctx, m)
		if err != nil {
			t.Fatal(err)
		}
		if scoreJSON(t, r) != scoreJSON(t, want) {
			t.Errorf("%s differs from score --json", m)
		}
	}
	for q, r := range o.Quarters {
		want, err := plain.ScoreQuarter(ctx, q)
		if err != nil {
			t.Fatal(err)
		}
		if scoreJSON(t, r) != scoreJSON(t, want) {
			t.Errorf("%s differs from score --json", q)
		}
	}
}

// TestConcurrentDashboard: leaders' and reporters' requests at once while
// the store version changes under them (run with -race in CI): every
// answer is whole and the same for the same store.
func TestConcurrentDashboard(t *testing.T) {
	fx := newFixture(t)
	samples, _ := filepath.Glob("../../shared/samples/*")
	if _, err := fx.ws.ImportFiles(context.Background(), samples, pipeline.ImportOptions{}); err != nil {
		t.Fatal(err)
	}
	paths := []string{"/dashboard", "/api/front", "/api/trends?months=12", "/dashboard/unit/" + url.PathEscape("几江街道"), "/api/quarterview", "/api/month/2022-03"}
	var wg sync.WaitGroup
	stop := make(chan struct{})
	catalog := filepath.Join(fx.ws.Home, "catalog.json")
	wg.Go(func() {
		for i := 0; ; i++ {
			select {
			case <-stop:
				return
			case <-time.After(200 * time.Millisecond):
				at := time.Now().Add(time.Duration(i) * time.Second)
				os.Chtimes(catalog, at, at) // a new store version: computed again
			}
		}
	})
	want := map[string]string{}
	b := fx.browser(t)
	b.login("leader", testPassword)
	for _, p := range paths {
		_, want[p] = b.get(p)
	}
	var clients sync.WaitGroup
	for range 6 {
		c := fx.browser(t)
		c.login("leader", testPassword)
		clients.Go(func() {
			for i := range 8 {
				p := paths[i%len(paths)]
				code, page := c.get(p)
				if code != http.StatusOK {
					t.Errorf("%s: %d", p, code)
				}
				if stripComputed(page) != stripComputed(want[p]) {
					t.Errorf("%s: an answer differs from the first", p)
				}
			}
		})
	}
	clients.Wait()
	close(stop)
	wg.Wait()
}

var computedAt = regexp.MustCompile(`"computed":"[^"]*"|数字计算于 [0-9: -]+|name="csrf" value="[0-9a-f]+"`)

// stripComputed drops when the figures were computed, which changes with
// each computation, and the session's form token.
func stripComputed(s string) string { return computedAt.ReplaceAllString(s, "") }
