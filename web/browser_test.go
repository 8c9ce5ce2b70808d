package web

import (
	"bytes"
	"context"
	"encoding/base64"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"tongbao"
)

// chromium starts a headless Debian chromium for a test (skipped where it
// is missing, except in CI, whose .ci/run installs it).
func chromium(t *testing.T) context.Context {
	t.Helper()
	path, err := exec.LookPath("chromium")
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("chromium is not installed (.ci/run installs it)")
		}
		t.Skip("chromium not installed")
	}
	opts := append(chromedp.DefaultExecAllocatorOptions[:], chromedp.ExecPath(path), chromedp.NoSandbox,
		chromedp.Flag("disable-gpu", true), chromedp.WindowSize(1366, 768))
	actx, cancel := chromedp.NewExecAllocator(context.Background(), opts...)
	t.Cleanup(cancel)
	ctx, cancel2 := chromedp.NewContext(actx)
	t.Cleanup(cancel2)
	ctx, cancel3 := context.WithTimeout(ctx, 60*time.Second)
	t.Cleanup(cancel3)
	return ctx
}

// shot saves a screenshot of the page in dir and fails if it is blank
// (fewer than 2 % of its pixels differ from the background).
func shot(t *testing.T, ctx context.Context, dir, name string) {
	t.Helper()
	shotOf(t, ctx, dir, name, chromedp.CaptureScreenshot())
}

// fullShot is shot of the whole page (PNG at quality 100).
func fullShot(t *testing.T, ctx context.Context, dir, name string) {
	t.Helper()
	shotOf(t, ctx, dir, name, chromedp.FullScreenshot(100))
}

func shotOf(t *testing.T, ctx context.Context, dir, name string, capture chromedp.Action[[]byte]) {
	t.Helper()
	buf, err := chromedp.Run(ctx, capture)
	if err != nil {
		t.Fatal(err)
	}
	img, err := png.Decode(bytes.NewReader(buf))
	if err != nil {
		t.Fatal(err)
	}
	b := img.Bounds()
	bg := img.At(b.Max.X-1, b.Max.Y-1)
	differ := 0
	for y := b.Min.Y; y < b.Max.Y; y += 2 {
		for x := b.Min.X; x < b.Max.X; x += 2 {
			if img.At(x, y) != bg {
				differ++
			}
		}
	}
	if total := b.Dx() * b.Dy() / 4; differ*50 < total {
		t.Errorf("%s looks blank: %d of %d pixels differ from the background", name, differ, total)
	}
	os.WriteFile(filepath.Join(dir, name+".png"), buf, 0o644)
}

// text reads the text of the first element a CSS selector finds.
func text(t *testing.T, ctx context.Context, sel string) string {
	t.Helper()
	s, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(sel)))
	if err != nil {
		t.Fatalf("text of %s: %v", sel, err)
	}
	return s
}

// browserLogin logs name in through the login form.
func browserLogin(t *testing.T, ctx context.Context, base, name string) {
	t.Helper()
	css := func(s string) chromedp.CSS { return chromedp.CSS(s) }
	do(t, ctx,
		chromedp.Navigate(base+"/login"),
		chromedp.SendKeys(css(`input[name=name]`), name),
		chromedp.SendKeys(css(`input[name=password]`), testPassword),
		chromedp.Click(css(`form.card button`)),
		chromedp.WaitVisible(css(`header nav`)),
	)
}

// screenshotDir is where screenshots go: TONGBAO_SCREENSHOTS, else a
// temporary folder.
func screenshotDir(t *testing.T) string {
	if dir := os.Getenv("TONGBAO_SCREENSHOTS"); dir != "" {
		return dir
	}
	return t.TempDir()
}

func do(t *testing.T, ctx context.Context, steps ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	if err := chromedp.Do(ctx, steps...); err != nil {
		t.Fatal(err)
	}
}

// TestBrowserSubmit drives a real Chromium: log in; a bad file shows the
// error table naming the cell and its marked copy downloads; a good file
// is previewed and imported; another reporter gets 403 for the upload and its marked copy.
func TestBrowserSubmit(t *testing.T) {
	ctx := chromium(t)
	fx := newFixture(t)
	dir := screenshotDir(t)
	files := t.TempDir()
	bad := filepath.Join(files, "几江街道执法检查_2022年3月.xlsx")
	os.WriteFile(bad, townFile(t, []any{"几江街道", 18, 5, 9, 4, 1, 0.5}), 0o644)
	good := filepath.Join(files, "几江街道执法检查_2022年3月_更正.xlsx")
	os.WriteFile(good, townFile(t, []any{"几江街道", 18, 5, 0, 4, 1, 0.5}), 0o644)
	css := func(s string) chromedp.CSS { return chromedp.CSS(s) }
	login := func(name string) {
		t.Helper()
		browserLogin(t, ctx, fx.srv.URL, name)
		if h := text(t, ctx, "h1"); h != "首页" {
			t.Fatalf("login %s: %q", name, h)
		}
	}
	logout := func() {
		t.Helper()
		do(t, ctx, chromedp.Navigate(fx.srv.URL+"/"), chromedp.Click(css(`form.logout button`)), chromedp.WaitVisible(css(`form.card`)))
	}

	do(t, ctx, chromedp.Navigate(fx.srv.URL+"/login"), chromedp.WaitVisible(css(`form.card`)))
	shot(t, ctx, dir, "login")
	login("jijiang")
	shot(t, ctx, dir, "home")

	do(t, ctx,
		chromedp.Navigate(fx.srv.URL+"/submit"),
		chromedp.SetUploadFiles(css(`input[type=file]`), []string{bad}),
		chromedp.Click(css(`form.card button`)),
		chromedp.WaitVisible(css(`a.button`)),
	)
	if main := text(t, ctx, "main"); !strings.Contains(main, "未通过校验：1 个错误") || !strings.Contains(main, "D2") || !strings.Contains(main, "重大隐患数不能大于发现隐患数") {
		t.Errorf("the error page:\n%s", main)
	}
	shot(t, ctx, dir, "upload-refused")
	// The marked copy, fetched with the browser's own session.
	got, err := chromedp.Run(ctx, chromedp.Evaluate[string](`fetch(document.querySelector("a.button").href).then(r => r.status + "|" + r.headers.get("Content-Disposition"))`, chromedp.EvalAwaitPromise))
	if err != nil || !strings.HasPrefix(got, "200|attachment") {
		t.Errorf("the marked copy: %q %v", got, err)
	}
	href, err := chromedp.Run(ctx, chromedp.AttributeValue(css(`a.button`), "href"))
	if err != nil || !href.Exists {
		t.Fatalf("marked copy link: %v", err)
	}
	refused := strings.TrimSuffix(href.Value, "/marked")

	// The good file is dragged onto the drop zone, as a user drops it from
	// the file manager: a DataTransfer holding the file's bytes.
	goodBytes, _ := os.ReadFile(good)
	do(t, ctx, chromedp.Navigate(fx.srv.URL+"/submit"), chromedp.WaitVisible(css(`#dropzone`)))
	dropped, err := chromedp.Run(ctx, chromedp.Evaluate[string](`(() => {
		const bytes = Uint8Array.from(atob("`+base64.StdEncoding.EncodeToString(goodBytes)+`"), c => c.charCodeAt(0));
		const dt = new DataTransfer();
		dt.items.add(new File([bytes], "`+filepath.Base(good)+`"));
		const zone = document.getElementById("dropzone");
		zone.dispatchEvent(new DragEvent("dragover", {dataTransfer: dt, bubbles: true, cancelable: true}));
		zone.dispatchEvent(new DragEvent("drop", {dataTransfer: dt, bubbles: true, cancelable: true}));
		return document.getElementById("chosen").textContent + "|" + document.querySelector("input[type=file]").files.length;
	})()`))
	if err != nil || dropped != "已选择："+filepath.Base(good)+"|1" {
		t.Fatalf("the drop: %q %v", dropped, err)
	}
	do(t, ctx, chromedp.Click(css(`form.card button`)), chromedp.WaitVisible(css(`form[action$="/confirm"] button`)))
	if main := text(t, ctx, "main"); !strings.Contains(main, "通过校验") || !strings.Contains(main, "几江街道") {
		t.Errorf("the preview:\n%s", main)
	}
	shot(t, ctx, dir, "upload-preview")
	do(t, ctx, chromedp.Click(css(`form[action$="/confirm"] button`)), chromedp.WaitVisible(css(`form[action$="/retract"]`)))
	if n := text(t, ctx, "p.notice"); !strings.Contains(n, "已导入") {
		t.Errorf("after confirm: %q", n)
	}
	shot(t, ctx, dir, "upload-imported")
	do(t, ctx, chromedp.Navigate(fx.srv.URL+"/submit"), chromedp.WaitVisible(css(`table.grid`)))
	shot(t, ctx, dir, "submit")

	// Another reporter: the upload is not theirs.
	logout()
	login("ledger")
	do(t, ctx, chromedp.Navigate(fx.srv.URL+refused))
	if main := text(t, ctx, "main"); !strings.Contains(main, "没有这次报送，或不是您的报送") {
		t.Errorf("another reporter's view of the upload:\n%s", main)
	}
	for _, path := range []string{refused, refused + "/marked"} {
		got, err := chromedp.Run(ctx, chromedp.Evaluate[int](`fetch("`+path+`").then(r => r.status)`, chromedp.EvalAwaitPromise))
		if err != nil || got != 403 {
			t.Errorf("another reporter fetching %s: %d %v", path, got, err)
		}
	}
	logout()
	login("admin")
	do(t, ctx, chromedp.Navigate(fx.srv.URL+"/admin/users"), chromedp.WaitVisible(css(`table.grid`)))
	shot(t, ctx, dir, "users")
	do(t, ctx, chromedp.Navigate(fx.srv.URL+"/progress?month=2022-03"), chromedp.WaitVisible(css(`table.progress`)))
	if p := text(t, ctx, "main"); !strings.Contains(p, "执法检查月报已报送 1 / 48 个单位") || !strings.Contains(p, "塘河镇\t镇街\t未报送") ||
		!strings.Contains(p, "几江街道\t镇街\t已报送") {
		t.Errorf("the progress board:\n%.600s", p)
	}
	shot(t, ctx, dir, "progress")

	// 签发: with approval on, the month's bulletin waits; a form stripped
	// of its token is refused; the button numbers it and puts it in the
	// outbox.
	fx.ws.Config.Delivery.Approval = true
	fx.ws.Config.Delivery.Folder = t.TempDir()
	if _, err := fx.ws.Bulletin(context.Background(), tongbao.Month{Year: 2022, Month: 3}); err != nil {
		t.Fatal(err)
	}
	do(t, ctx, chromedp.Navigate(fx.srv.URL+"/reports"), chromedp.WaitVisible(css(`button.sign`)))
	if p := text(t, ctx, "table.reports"); !strings.Contains(p, "待签发") || !strings.Contains(p, "签发时编号") {
		t.Errorf("the reports page before 签发:\n%s", p)
	}
	if _, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`document.querySelector("form[action$='/approve'] input[name=csrf]").remove(), true`)); err != nil {
		t.Fatal(err)
	}
	do(t, ctx, chromedp.Click(css(`button.sign`)), chromedp.WaitVisible(css(`p.problem`)))
	if p := text(t, ctx, "p.problem"); !strings.Contains(p, "表单已失效（缺少或不符的校验码）") {
		t.Errorf("签发 without the token:\n%s", p)
	}
	if ds, _ := fx.ws.Deliveries(); len(ds) != 0 {
		t.Fatalf("queued without the token: %d", len(ds))
	}
	do(t, ctx, chromedp.Navigate(fx.srv.URL+"/reports"), chromedp.WaitVisible(css(`button.sign`)))
	shot(t, ctx, dir, "reports-waiting")
	do(t, ctx, chromedp.Click(css(`button.sign`)), chromedp.WaitVisible(css(`p.notice`)))
	if n := text(t, ctx, "p.notice"); !strings.Contains(n, "已签发 2022-03 第1版（江津安委办〔2022〕1号）") {
		t.Errorf("after 签发: %q", n)
	}
	if p := text(t, ctx, "table.reports"); !strings.Contains(p, "已签发") || !strings.Contains(p, "签发人：admin") {
		t.Errorf("the reports page after 签发:\n%s", p)
	}
	shot(t, ctx, dir, "reports")
	if ds, _ := fx.ws.Deliveries(); len(ds) != 1 || ds[0].Kind != "bulletin" || ds[0].Version != 1 {
		t.Errorf("the outbox after 签发: %+v", ds)
	}
}

// TestBrowserDashboard: in a real Chromium each dashboard page draws its
// charts (every chart's SVG holds drawn paths, none failed to load), the
// figures printed are the Score JSON's, and a reporter reaches only their
// unit's page.
func TestBrowserDashboard(t *testing.T) {
	ctx := chromium(t)
	fx := demoFixture(t)
	dir := screenshotDir(t)
	css := func(s string) chromedp.CSS { return chromedp.CSS(s) }
	login := func(name string) { t.Helper(); browserLogin(t, ctx, fx.srv.URL, name) }
	// charts waits for every chart of the page and counts its drawn SVG paths.
	charts := func(page string, want int) {
		t.Helper()
		do(t, ctx, chromedp.Navigate(fx.srv.URL+page), chromedp.WaitVisible(css(`main`)))
		got, err := chromedp.Run(ctx, chromedp.Evaluate[[]int](`new Promise(done => {
			const check = () => {
				const cs = [...document.querySelectorAll(".chart")];
				if (cs.every(c => c.hasAttribute("data-drawn") || c.hasAttribute("data-failed"))) {
					done(cs.map(c => c.hasAttribute("data-failed") ? -1 : c.querySelectorAll("svg path").length));
				} else { setTimeout(check, 50); }
			};
			check();
		})`, chromedp.EvalAwaitPromise))
		if err != nil {
			t.Fatalf("%s: %v", page, err)
		}
		if len(got) != want {
			t.Errorf("%s: %d charts, want %d", page, len(got), want)
		}
		for i, n := range got {
			if n < 10 {
				t.Errorf("%s: chart %d drew %d SVG paths (−1: its data failed to load)", page, i, n)
			}
		}
	}
	login("boss")
	charts("/dashboard", 1)
	r, err := fx.ws.ScoreMonth(context.Background(), tongbao.Month{Year: 2022, Month: 12})
	if err != nil {
		t.Fatal(err)
	}
	if got := text(t, ctx, "#acc-count"); got != itoa(r.Accidents.Month.Count) {
		t.Errorf("accidents on the page %q, Score JSON %d", got, r.Accidents.Month.Count)
	}
	if got := text(t, ctx, "#not-reported-count"); got != itoa(int64(len(r.NotReported))) {
		t.Errorf("未报送 on the page %q, Score JSON %d", got, len(r.NotReported))
	}
	fullShot(t, ctx, dir, "dashboard")
	// Printed (the print stylesheet): the figures and the chart's words as
	// text on A4, no navigation.
	pdf, err := chromedp.Run(ctx, chromedp.PrintToPDF(chromedp.PDFPaper(chromedp.PaperA4), chromedp.PDFMargin(0.6)))
	if err != nil {
		t.Fatal(err)
	}
	pdfPath := filepath.Join(dir, "dashboard-print.pdf")
	os.WriteFile(pdfPath, pdf, 0o644)
	if _, err := exec.LookPath("pdftotext"); err == nil {
		out, err := exec.Command("pdftotext", "-layout", pdfPath, "-").Output()
		if err != nil {
			t.Fatal(err)
		}
		printed := string(out)
		for _, want := range []string{"数据月份", "生产安全事故", "事故死亡控制指标", "事故起数", "上年同期死亡人数", "末位单位"} {
			if !strings.Contains(printed, want) {
				t.Errorf("the printed dashboard lacks %q", want)
			}
		}
		if strings.Contains(printed, "退出") || strings.Contains(printed, "修改密码") {
			t.Error("the printed dashboard shows the navigation")
		}
	}
	charts("/dashboard/trends", 1+len(fx.ws.Config.Scoring.Groups)+1)
	fullShot(t, ctx, dir, "trends")
	unit := r.LastPlace[0].Unit
	charts("/dashboard/unit/"+unit, 3)
	for _, e := range r.Enforcement {
		if e.Unit == unit {
			if got := text(t, ctx, "#unit-index"); got != e.Index.String() {
				t.Errorf("%s's index on the page %q, Score JSON %s", unit, got, e.Index)
			}
		}
	}
	fullShot(t, ctx, dir, "unit")
	charts("/dashboard/quarter", len(fx.ws.Config.Scoring.Groups))
	fullShot(t, ctx, dir, "quarter")
	// The leader reaches no upload or approval route, neither by the page
	// nor by a request of its own.
	do(t, ctx, chromedp.Navigate(fx.srv.URL+"/submit"), chromedp.WaitVisible(css(`p.problem`)))
	if p := text(t, ctx, "p.problem"); !strings.Contains(p, "没有权限访问此页面") {
		t.Errorf("a leader's /submit: %q", p)
	}
	for _, path := range []string{"/submit", "/submit/zero", "/reports/2022-12/approve"} {
		got, err := chromedp.Run(ctx, chromedp.Evaluate[int](`fetch("`+path+`", {method: "POST"}).then(r => r.status)`, chromedp.EvalAwaitPromise))
		if err != nil || got != 403 {
			t.Errorf("a leader's POST %s: %d %v", path, got, err)
		}
	}

	// A reporter: their unit's page draws; another's is refused.
	do(t, ctx, chromedp.Navigate(fx.srv.URL+"/"), chromedp.Click(css(`form.logout button`)), chromedp.WaitVisible(css(`form.card`)))
	login("jijiang")
	charts("/dashboard/unit/几江街道", 3)
	do(t, ctx, chromedp.Navigate(fx.srv.URL+"/dashboard/unit/珞璜镇"), chromedp.WaitVisible(css(`p.problem`)))
	if p := text(t, ctx, "p.problem"); !strings.Contains(p, "没有权限查看这个单位") {
		t.Errorf("another unit's page: %q", p)
	}
	got, err := chromedp.Run(ctx, chromedp.Evaluate[int](`fetch("/api/front").then(r => r.status)`, chromedp.EvalAwaitPromise))
	if err != nil || got != 403 {
		t.Errorf("a reporter's /api/front: %d %v", got, err)
	}
}
