package web

import (
	"archive/zip"
	"bytes"
	"context"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
	"tongbao"

	"tongbao/pipeline"
	"tongbao/scoring"

	"github.com/xuri/excelize/v2"
)

// clock is a settable time for sessions and throttling.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

type fixture struct {
	ws    *pipeline.Workspace
	srv   *httptest.Server
	clock *clock
}

const testPassword = "正确的密码123"

// newFixture is a workspace with an account of each role, and the portal
// over it on a loopback server.
func newFixture(t *testing.T) *fixture {
	t.Helper()
	home := t.TempDir()
	if _, err := pipeline.Init(home); err != nil {
		t.Fatal(err)
	}
	c := &clock{t: time.Date(2022, 4, 2, 9, 0, 0, 0, time.UTC)}
	ws, err := pipeline.Open(home, c.now)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	for _, a := range []pipeline.AccountInput{
		{Name: "admin", Role: pipeline.RoleAdmin, Password: testPassword},
		{Name: "jijiang", Role: pipeline.RoleReporter, Units: []string{"几江街道"}, Password: testPassword},
		{Name: "ledger", Role: pipeline.RoleReporter, Ledger: true, Password: testPassword},
		{Name: "leader", Role: pipeline.RoleLeader, Password: testPassword},
	} {
		if err := ws.AddAccount(ctx, a); err != nil {
			t.Fatal(err)
		}
	}
	s, err := New(ws, DefaultConfig(), c.now, nil)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(s.Handler())
	t.Cleanup(srv.Close)
	return &fixture{ws: ws, srv: srv, clock: c}
}

// browser is a client with cookies that does not follow redirects.
type browser struct {
	t    *testing.T
	fx   *fixture
	c    *http.Client
	csrf string
}

func (fx *fixture) browser(t *testing.T) *browser {
	jar, _ := cookiejar.New(nil)
	return &browser{t: t, fx: fx, c: &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

// confirmAction finds a preview's confirm form; uploadOfConfirm its upload.
var (
	confirmAction   = regexp.MustCompile(`action="(/submit/[0-9a-f]{24}/confirm)"`)
	uploadOfConfirm = regexp.MustCompile(`action="(/submit/[0-9a-f]{24})/confirm"`)
)

var csrfField = regexp.MustCompile(`name="csrf" value="([0-9a-f]+)"`)

// get fetches a page, remembering its form token.
func (b *browser) get(path string) (int, string) {
	b.t.Helper()
	resp, err := b.c.Get(b.fx.srv.URL + path)
	return b.read(resp, err)
}

// read takes a response's status and page, remembering its form token.
func (b *browser) read(resp *http.Response, err error) (int, string) {
	b.t.Helper()
	if err != nil {
		b.t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if m := csrfField.FindSubmatch(body); m != nil {
		b.csrf = string(m[1])
	}
	return resp.StatusCode, string(body)
}

// post submits a form with the last token seen (unless the form gives one).
func (b *browser) post(path string, form url.Values) (int, string) {
	b.t.Helper()
	if form == nil {
		form = url.Values{}
	}
	if _, given := form["csrf"]; !given {
		form.Set("csrf", b.csrf)
	}
	return b.read(b.c.PostForm(b.fx.srv.URL+path, form))
}

// expect asks for a route (a POST with the session's token) and checks
// the status, naming the account.
func (b *browser) expect(method, path, account string, want int) {
	b.t.Helper()
	var code int
	if method == "GET" {
		code, _ = b.get(path)
	} else {
		code, _ = b.post(path, nil)
	}
	if code != want {
		b.t.Errorf("%s %s as %q: %d, want %d", method, path, account, code, want)
	}
}

func (b *browser) login(name, password string) int {
	b.t.Helper()
	b.get("/login")
	code, _ := b.post("/login", url.Values{"name": {name}, "password": {password}})
	if code == http.StatusSeeOther {
		b.get("/") // the home page's token for the next form
	}
	return code
}

// TestRolesPerRoute: every route's answer for each role.
func TestRolesPerRoute(t *testing.T) {
	fx := newFixture(t)
	routes := []struct {
		method, path string
		want         map[string]int // by account ("" anonymous)
	}{
		{"GET", "/", map[string]int{"": 303, "jijiang": 200, "ledger": 200, "leader": 200, "admin": 200}},
		{"GET", "/password", map[string]int{"": 303, "jijiang": 200, "leader": 200, "admin": 200}},
		{"GET", "/admin/users", map[string]int{"": 303, "jijiang": 403, "ledger": 403, "leader": 403, "admin": 200}},
		{"POST", "/admin/users/reset", map[string]int{"": 401, "jijiang": 403, "leader": 403, "admin": 400}},
		{"POST", "/password", map[string]int{"": 401, "jijiang": 400, "leader": 400, "admin": 400}},
		{"GET", "/static/app.css", map[string]int{"": 200, "jijiang": 200}},
		{"GET", "/reports", map[string]int{"": 303, "jijiang": 403, "ledger": 403, "leader": 200, "admin": 200}},
		{"GET", "/progress", map[string]int{"": 303, "jijiang": 403, "leader": 200, "admin": 200}},
		{"POST", "/progress/remind", map[string]int{"": 401, "jijiang": 403, "leader": 403, "admin": 409}},
		{"POST", "/reports/2022-03/approve", map[string]int{"": 401, "jijiang": 403, "ledger": 403, "leader": 403, "admin": 409}},
		{"GET", "/submit", map[string]int{"": 303, "jijiang": 200, "ledger": 200, "leader": 403, "admin": 200}},
		{"POST", "/submit", map[string]int{"": 401, "jijiang": 400, "leader": 403, "admin": 400}},
		{"GET", "/no-such-page", map[string]int{"": 404, "admin": 404}},
	}
	for _, r := range routes {
		for account, want := range r.want {
			t.Run(r.method+r.path+"/"+account, func(t *testing.T) {
				b := fx.browser(t)
				if account != "" {
					if code := b.login(account, testPassword); code != http.StatusSeeOther {
						t.Fatalf("login %s: %d", account, code)
					}
				}
				b.expect(r.method, r.path, account, want)
			})
		}
	}
}

func TestCSRFRefused(t *testing.T) {
	fx := newFixture(t)
	b := fx.browser(t)
	b.login("admin", testPassword)
	for _, form := range []url.Values{{"csrf": {""}}, {"csrf": {strings.Repeat("0", 64)}}} {
		form.Set("old", testPassword)
		form.Set("new", "另一个密码456789")
		form.Set("again", "另一个密码456789")
		if code, body := b.post("/password", form); code != http.StatusForbidden || !strings.Contains(body, "表单已失效") {
			t.Errorf("a form with csrf %q: %d", form.Get("csrf"), code)
		}
	}
	if _, ok := fx.ws.CheckPassword("admin", testPassword); !ok {
		t.Error("the password changed without a token")
	}
	// The login form has its own token.
	b2 := fx.browser(t)
	if code, _ := b2.post("/login", url.Values{"name": {"admin"}, "password": {testPassword}, "csrf": {"x"}}); code != http.StatusForbidden {
		t.Errorf("a login without the form's token: %d", code)
	}
}

func TestLoginThrottled(t *testing.T) {
	fx := newFixture(t)
	b := fx.browser(t)
	for i := 0; i < DefaultConfig().LoginFailures; i++ {
		if code := b.login("jijiang", "错误的密码000"); code != http.StatusUnauthorized {
			t.Fatalf("attempt %d: %d", i+1, code)
		}
	}
	if code := b.login("jijiang", testPassword); code != http.StatusTooManyRequests {
		t.Errorf("the right password after %d failures: %d, want 429", DefaultConfig().LoginFailures, code)
	}
	// The address is locked too: another account from it waits as well.
	if code := b.login("leader", testPassword); code != http.StatusTooManyRequests {
		t.Errorf("another account from the same address: %d, want 429", code)
	}
	fx.clock.advance(time.Duration(DefaultConfig().LoginWindowMinutes) * time.Minute)
	if code := b.login("jijiang", testPassword); code != http.StatusSeeOther {
		t.Errorf("after the window: %d", code)
	}
	journal, _ := os.ReadFile(fx.ws.Home + "/journal.jsonl")
	if strings.Count(string(journal), `"event":"login_failed"`) != 5 || !strings.Contains(string(journal), `"event":"login_throttled"`) || !strings.Contains(string(journal), `"event":"login"`) {
		t.Errorf("audit:\n%s", journal)
	}
}

func TestSessionsEnd(t *testing.T) {
	fx := newFixture(t)
	ctx := context.Background()
	loggedIn := func(b *browser) bool {
		code, _ := b.get("/")
		return code == http.StatusOK
	}
	t.Run("idle", func(t *testing.T) {
		b := fx.browser(t)
		b.login("leader", testPassword)
		fx.clock.advance(29 * time.Minute)
		if !loggedIn(b) {
			t.Fatal("ended before the idle time")
		}
		fx.clock.advance(31 * time.Minute)
		if loggedIn(b) {
			t.Error("alive after 31 idle minutes")
		}
	})
	t.Run("absolute", func(t *testing.T) {
		b := fx.browser(t)
		b.login("leader", testPassword)
		for i := 0; i < 12*3; i++ {
			fx.clock.advance(20 * time.Minute)
			if i < 35 && !loggedIn(b) {
				t.Fatalf("ended after %d minutes of use", (i+1)*20)
			}
		}
		fx.clock.advance(time.Minute)
		if loggedIn(b) {
			t.Error("alive after 12 hours")
		}
	})
	t.Run("password set on the command line", func(t *testing.T) {
		b := fx.browser(t)
		b.login("jijiang", testPassword)
		fx.clock.advance(time.Second)
		if err := fx.ws.SetPassword(ctx, "jijiang", "新的密码abcdefg"); err != nil {
			t.Fatal(err)
		}
		if loggedIn(b) {
			t.Error("a session survived a password change")
		}
	})
	t.Run("disabled on the command line", func(t *testing.T) {
		b := fx.browser(t)
		b.login("ledger", testPassword)
		if err := fx.ws.SetDisabled(ctx, "ledger", true); err != nil {
			t.Fatal(err)
		}
		if loggedIn(b) {
			t.Error("a disabled account's session survived")
		}
		if code := b.login("ledger", testPassword); code != http.StatusUnauthorized {
			t.Errorf("a disabled account logged in: %d", code)
		}
	})
}

func TestCookiesAndHeaders(t *testing.T) {
	fx := newFixture(t)
	b := fx.browser(t)
	u, _ := url.Parse(fx.srv.URL)
	b.c.Jar.SetCookies(u, []*http.Cookie{{Name: sessionCookie, Value: "planted-by-an-attacker", Path: "/"}})
	b.get("/login")
	resp, err := b.c.PostForm(fx.srv.URL+"/login", url.Values{"name": {"admin"}, "password": {testPassword}, "csrf": {b.csrf}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	var set *http.Cookie
	for _, c := range resp.Cookies() {
		if c.Name == sessionCookie {
			set = c
		}
	}
	if set == nil || !set.HttpOnly || set.SameSite != http.SameSiteStrictMode || set.Value == "planted-by-an-attacker" || len(set.Value) != 64 {
		t.Errorf("session cookie %+v", set)
	}
	for k, want := range map[string]string{
		"Content-Security-Policy": "script-src 'self'",
		"X-Content-Type-Options":  "nosniff",
		"X-Frame-Options":         "DENY",
	} {
		if !strings.Contains(resp.Header.Get(k), want) {
			t.Errorf("%s: %q", k, resp.Header.Get(k))
		}
	}
	_, body := b.get("/")
	if !strings.Contains(body, `<meta name="renderer" content="webkit">`) || strings.Contains(body, "<script>") {
		t.Error("the page lacks the renderer meta or has inline script")
	}
}

func TestChangeAndResetPassword(t *testing.T) {
	fx := newFixture(t)
	b := fx.browser(t)
	b.login("jijiang", testPassword)
	other := fx.browser(t)
	other.login("jijiang", testPassword)
	b.get("/password")
	fx.clock.advance(time.Second)
	code, body := b.post("/password", url.Values{"old": {testPassword}, "new": {"我的新密码12345"}, "again": {"我的新密码12345"}})
	if code != http.StatusOK || !strings.Contains(body, "密码已修改") {
		t.Fatalf("change: %d", code)
	}
	if c, _ := b.get("/"); c != http.StatusOK {
		t.Error("the browser that changed the password was logged out")
	}
	if c, _ := other.get("/"); c == http.StatusOK {
		t.Error("another browser of the account stayed in")
	}
	admin := fx.browser(t)
	admin.login("admin", testPassword)
	admin.get("/admin/users")
	if code, body := admin.post("/admin/users/reset", url.Values{"name": {"jijiang"}, "password": {"管理员重设的密码"}}); code != http.StatusOK || !strings.Contains(body, "已重设「jijiang」的密码") {
		t.Fatalf("reset: %d", code)
	}
	if _, ok := fx.ws.CheckPassword("jijiang", "管理员重设的密码"); !ok {
		t.Error("the reset password does not work")
	}
	if code, _ := admin.post("/admin/users/reset", url.Values{"name": {"jijiang"}, "password": {"短"}}); code != http.StatusBadRequest {
		t.Errorf("a short password: %d", code)
	}
}

// TestConfigTextLoads: the [web] block init writes reads back as the defaults.
func TestConfigTextLoads(t *testing.T) {
	home := t.TempDir()
	if _, err := pipeline.Init(home, ConfigText); err != nil {
		t.Fatal(err)
	}
	ws, err := pipeline.Open(home, nil)
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := LoadConfig(ws)
	if err != nil || cfg != DefaultConfig() {
		t.Errorf("got %+v %v, want %+v", cfg, err, DefaultConfig())
	}
}

// upload posts a file to /submit as a browser would, returning the
// status and the page it leads to.
func (b *browser) upload(name string, data []byte, period string) (int, string) {
	b.t.Helper()
	b.fx.clock.advance(time.Second) // uploads list newest first
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	mw.WriteField("csrf", b.csrf)
	mw.WriteField("period", period)
	fw, _ := mw.CreateFormFile("file", name)
	fw.Write(data)
	mw.Close()
	resp, err := b.c.Post(b.fx.srv.URL+"/submit", mw.FormDataContentType(), &body)
	if err != nil {
		b.t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther {
		return resp.StatusCode, ""
	}
	return b.get(resp.Header.Get("Location"))
}

// uploadAndConfirm uploads a file that must pass validation and confirms
// it, returning the preview page.
func (b *browser) uploadAndConfirm(name string, data []byte) string {
	b.t.Helper()
	_, page := b.upload(name, data, "")
	confirm := confirmAction.FindStringSubmatch(page)
	if confirm == nil {
		b.t.Fatalf("%s: no preview:\n%.3000s", name, page)
	}
	if code, _ := b.post(confirm[1], nil); code != http.StatusOK {
		b.t.Fatalf("%s: confirm %d", name, code)
	}
	return page
}

func townFile(t *testing.T, rows ...[]any) []byte {
	t.Helper()
	f := excelize.NewFile()
	defer f.Close()
	f.SetSheetRow("Sheet1", "A1", &[]any{"单位", "检查企业(家次)", "发现隐患(条)", "其中重大隐患(条)", "整改隐患(条)", "立案查处(起)", "罚款金额(万元)"})
	for i, r := range rows {
		f.SetSheetRow("Sheet1", fmt.Sprintf("A%d", i+2), &r)
	}
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// TestSubmit: a reporter's bad file shows its error table and its marked
// copy downloads (not for another reporter); another unit's file is
// refused by scope; a good file previews, is imported on confirm, once.
func TestSubmit(t *testing.T) {
	fx := newFixture(t)
	b := fx.browser(t)
	b.login("jijiang", testPassword)
	b.get("/submit")

	code, page := b.upload("几江街道执法检查_2022年3月.xlsx", townFile(t, []any{"几江街道", 18, 5, 9, 4, 1, 0.5}), "")
	if code != http.StatusOK || !strings.Contains(page, "未通过校验：1 个错误") || !strings.Contains(page, "<td>D2</td>") || !strings.Contains(page, "重大隐患数不能大于发现隐患数") {
		t.Fatalf("a bad file: %d\n%s", code, page)
	}
	marked := regexp.MustCompile(`href="(/submit/[0-9a-f]{24}/marked)"`).FindStringSubmatch(page)
	if marked == nil {
		t.Fatal("no marked copy link")
	}
	resp, err := b.c.Get(fx.srv.URL + marked[1])
	if err != nil {
		t.Fatal(err)
	}
	data, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !bytes.HasPrefix(data, []byte("PK")) || !strings.Contains(resp.Header.Get("Content-Disposition"), "attachment") {
		t.Errorf("marked copy: %d %q", resp.StatusCode, resp.Header.Get("Content-Disposition"))
	}
	other := fx.browser(t)
	other.login("ledger", testPassword)
	if code, _ := other.get(marked[1]); code != http.StatusForbidden {
		t.Errorf("another reporter fetched the marked copy: %d", code)
	}
	if code, _ := other.get(strings.TrimSuffix(marked[1], "/marked")); code != http.StatusForbidden {
		t.Errorf("another reporter saw the upload: %d", code)
	}

	code, page = b.upload("德感街道执法检查_2022年3月.xlsx", townFile(t, []any{"德感街道", 18, 5, 0, 4, 1, 0.5}), "")
	if code != http.StatusOK || !strings.Contains(page, "文件中有不由您报送的单位：德感街道") {
		t.Errorf("another unit's file: %d\n%s", code, page)
	}

	code, page = b.upload("../../etc/几江街道执法检查_2022年3月.xlsx", townFile(t, []any{"几江街道", 18, 5, 0, 4, 1, 0.5}), "")
	if code != http.StatusOK || !strings.Contains(page, "通过校验") || !strings.Contains(page, "确认导入") {
		t.Fatalf("a good file: %d\n%s", code, page)
	}
	for _, want := range []string{"数据：执法检查月报", "<td>2022-03</td><td>检查企业 18 家次，发现隐患 5 条（重大 0 条），整改 4 条，立案查处 1 起，罚款 0.5 万元</td>", "不替换任何现有数据"} {
		if !strings.Contains(page, want) {
			t.Errorf("the preview lacks %q", want)
		}
	}
	confirm := confirmAction.FindStringSubmatch(page)
	code, page = b.post(confirm[1], nil)
	if code != http.StatusOK || !strings.Contains(page, "已导入") {
		t.Fatalf("confirm: %d\n%s", code, page)
	}
	if code, _ = b.post(confirm[1], nil); code != http.StatusConflict {
		t.Errorf("a second confirm: %d", code)
	}
	r, err := fx.ws.ScoreMonth(context.Background(), tongbao.Month{Year: 2022, Month: 3})
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range r.Enforcement {
		if e.Unit == "几江街道" && (!e.Reported || e.Inspections != 18) {
			t.Errorf("几江街道 after the upload: %+v", e)
		}
	}
	// A correction's preview says what it replaces.
	_, page = b.upload("几江街道执法检查_2022年3月_更正.xlsx", townFile(t, []any{"几江街道", 20, 5, 0, 4, 1, 0.5}), "")
	if !strings.Contains(page, "确认后将替换：<br>2022-03 现有 1 条记录（文件「几江街道执法检查_2022年3月.xlsx」）") {
		t.Errorf("the correction's preview:\n%s", page)
	}
	// The hostile name stayed inside its upload folder.
	if _, err := os.Stat(filepath.Join(fx.ws.Home, "etc")); err == nil {
		t.Error("a file was written outside the uploads folder")
	}
	ups, _ := fx.ws.Uploads("jijiang")
	if len(ups) != 4 || ups[1].Name != "几江街道执法检查_2022年3月.xlsx" || ups[1].Status != pipeline.UploadImported {
		t.Errorf("uploads %+v", ups[1])
	}
	// A leader may not submit.
	l := fx.browser(t)
	l.login("leader", testPassword)
	if code, _ := l.get("/submit"); code != http.StatusForbidden {
		t.Errorf("a leader's submit page: %d", code)
	}
}

// TestLedgerPreview: the accident ledger's preview totals are what the
// month scores once it is imported; a second ledger replaces the whole
// month, counted in records.
func TestLedgerPreview(t *testing.T) {
	fx := newFixture(t)
	b := fx.browser(t)
	b.login("ledger", testPassword)
	b.get("/submit")
	data, err := os.ReadFile("../../shared/samples/事故台账_2022年3月.xlsx")
	if err != nil {
		t.Fatal(err)
	}
	page := b.uploadAndConfirm("事故台账_2022年3月.xlsx", data)
	r, err := fx.ws.ScoreMonth(context.Background(), tongbao.Month{Year: 2022, Month: 3})
	if err != nil {
		t.Fatal(err)
	}
	want := fmt.Sprintf("<td>2022-03</td><td>事故 %d 起，死亡（含失踪）%d 人</td>", r.Accidents.Month.Count, r.Accidents.Month.Deaths)
	if !strings.Contains(page, want) {
		t.Errorf("the ledger's preview lacks %q", want)
	}
	// The same ledger saved again by Excel: other bytes, the same rows.
	f, err := excelize.OpenReader(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	var again bytes.Buffer
	f.Write(&again)
	f.Close()
	_, page = b.upload("事故台账_2022年3月_补充.xlsx", again.Bytes(), "")
	if !strings.Contains(page, fmt.Sprintf("2022-03 现有 %d 条记录（文件「事故台账_2022年3月.xlsx」）", r.Accidents.Month.Count)) {
		t.Errorf("the second ledger's preview:\n%s", page)
	}
}

// TestPreviewReplacesUnits: a reporter's correction of one unit in the
// office's file of two replaces that unit's data only, and says so.
func TestPreviewReplacesUnits(t *testing.T) {
	fx := newFixture(t)
	a := fx.browser(t)
	a.login("admin", testPassword)
	a.get("/submit")
	a.uploadAndConfirm("镇街执法_2022年3月.xlsx", townFile(t, []any{"几江街道", 10, 5, 0, 4, 1, 0.5}, []any{"德感街道", 12, 5, 0, 4, 1, 0.5}))
	b := fx.browser(t)
	b.login("jijiang", testPassword)
	b.get("/submit")
	_, page := b.upload("几江街道执法检查_2022年3月.xlsx", townFile(t, []any{"几江街道", 20, 5, 0, 4, 1, 0.5}), "")
	if !strings.Contains(page, "确认后将替换：<br>2022-03 几江街道 的数据（文件「镇街执法_2022年3月.xlsx」）") {
		t.Errorf("the preview:\n%s", page)
	}
}

func TestUploadTooLarge(t *testing.T) {
	fx := newFixture(t)
	fx.ws.Config.Import.MaxFileMB = 1
	b := fx.browser(t)
	b.login("jijiang", testPassword)
	b.get("/submit")
	if code, _ := b.upload("big.xlsx", bytes.Repeat([]byte("x"), 3<<20), ""); code != http.StatusRequestEntityTooLarge {
		t.Errorf("a 3 MB upload over a 1 MB limit: %d", code)
	}
	if ups, _ := fx.ws.Uploads(""); len(ups) != 0 {
		t.Errorf("kept %d uploads", len(ups))
	}
}

// TestZeroReportAndRetract: the ledger account files 本月无事故 for March
// (the month counts as received, with no accidents); a reporter retracts
// their upload before the deadline but not after it.
func TestZeroReportAndRetract(t *testing.T) {
	fx := newFixture(t)
	ctx := context.Background()
	b := fx.browser(t)
	b.login("ledger", testPassword)
	b.get("/submit")
	code, page := b.post("/submit/zero", url.Values{"month": {"2022-03"}})
	if code != http.StatusSeeOther && code != http.StatusOK {
		t.Fatalf("zero report: %d\n%s", code, page)
	}
	r, err := fx.ws.ScoreMonth(ctx, tongbao.Month{Year: 2022, Month: 3})
	if err != nil {
		t.Fatal(err)
	}
	if !r.Accidents.Received || r.Accidents.Month == nil || r.Accidents.Month.Count != 0 {
		t.Errorf("March after the zero report: received %v, month %+v", r.Accidents.Received, r.Accidents.Month)
	}
	// A reporter without the ledger cannot file it.
	j := fx.browser(t)
	j.login("jijiang", testPassword)
	j.get("/submit")
	if code, page := j.post("/submit/zero", url.Values{"month": {"2022-03"}}); code != http.StatusBadRequest || !strings.Contains(page, "事故台账由负责台账的账号报送") {
		t.Errorf("zero report by a unit's reporter: %d", code)
	}

	// Before the deadline (2022-04-03 inclusive): retract works.
	_, page = j.upload("几江街道执法检查_2022年3月.xlsx", townFile(t, []any{"几江街道", 18, 5, 0, 4, 1, 0.5}), "")
	confirm := uploadOfConfirm.FindStringSubmatch(page)
	j.post(confirm[1]+"/confirm", nil)
	if code, page := j.post(confirm[1]+"/retract", nil); code != http.StatusOK || !strings.Contains(page, "已撤回") {
		t.Fatalf("retract before the deadline: %d\n%s", code, page)
	}
	if r, _ := fx.ws.ScoreMonth(ctx, tongbao.Month{Year: 2022, Month: 3}); r != nil {
		for _, e := range r.Enforcement {
			if e.Unit == "几江街道" && e.Reported {
				t.Error("几江街道 still reported after the retraction")
			}
		}
	}
	// After the deadline: refused, naming it.
	_, page = j.upload("几江街道执法检查_2022年3月_2.xlsx", townFile(t, []any{"几江街道", 19, 5, 0, 4, 1, 0.5}), "")
	confirm = uploadOfConfirm.FindStringSubmatch(page)
	j.post(confirm[1]+"/confirm", nil)
	fx.clock.advance(48 * time.Hour) // 2022-04-04; the session has long expired
	j.login("jijiang", testPassword)
	j.get(confirm[1])
	if code, page := j.post(confirm[1]+"/retract", nil); code != http.StatusConflict || !strings.Contains(page, "已过截止日（4月3日）") {
		t.Errorf("retract after the deadline: %d\n%s", code, page)
	}
}

// TestConcurrentRequests: many browsers of a few accounts at once (the
// session table and the throttle are shared; run under -race in CI).
func TestConcurrentRequests(t *testing.T) {
	fx := newFixture(t)
	var browsers []*browser
	for _, name := range []string{"admin", "jijiang", "leader"} {
		b := fx.browser(t)
		if code := b.login(name, testPassword); code != http.StatusSeeOther {
			t.Fatalf("login %s: %d", name, code)
		}
		browsers = append(browsers, b)
	}
	var wg sync.WaitGroup
	errs := make(chan string, 300)
	for i := 0; i < 60; i++ {
		b := browsers[i%len(browsers)]
		wg.Add(1)
		go func() {
			defer wg.Done()
			resp, err := b.c.Get(fx.srv.URL + "/")
			if err != nil {
				errs <- err.Error()
				return
			}
			resp.Body.Close()
			if resp.StatusCode != http.StatusOK {
				errs <- fmt.Sprintf("status %d", resp.StatusCode)
			}
			// Failed logins of an unknown account from the same address.
			form := url.Values{"name": {fmt.Sprintf("nobody%d", i)}, "password": {"x"}, "csrf": {"y"}}
			if resp, err := b.c.PostForm(fx.srv.URL+"/login", form); err == nil {
				resp.Body.Close()
			}
		}()
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Error(e)
	}
}

// TestProgress: the month's board shows who reported, who was refused
// (with the problem), who has not, and the deadline.
func TestProgress(t *testing.T) {
	fx := newFixture(t)
	j := fx.browser(t)
	j.login("jijiang", testPassword)
	j.get("/submit")
	_, page := j.upload("几江街道执法检查_2022年3月.xlsx", townFile(t, []any{"几江街道", 18, 5, 0, 4, 1, 0.5}), "")
	confirm := confirmAction.FindStringSubmatch(page)
	j.post(confirm[1], nil)
	a := fx.browser(t)
	a.login("admin", testPassword)
	a.get("/submit")
	a.upload("德感街道执法检查_2022年3月.xlsx", townFile(t, []any{"德感街道", 18, 5, 9, 4, 1, 0.5}), "")

	code, page := a.get("/progress")
	if code != http.StatusOK {
		t.Fatalf("progress: %d", code)
	}
	rows := map[string]string{}
	for _, m := range regexp.MustCompile(`(?s)<tr class="(\w+)">\s*<td>([^<]+)</td>.*?</tr>`).FindAllStringSubmatch(page, -1) {
		rows[m[2]] = m[0]
	}
	for unit, want := range map[string][]string{
		"几江街道": {`class="done"`, "已报送 04-02 17:0"},
		"德感街道": {`class="refused"`, "被拒收 1 次", "重大隐患数不能大于发现隐患数"},
		"塘河镇":  {`class="missing"`, "未报送"},
	} {
		for _, w := range want {
			if !strings.Contains(rows[unit], w) {
				t.Errorf("%s's row lacks %q: %s", unit, w, rows[unit])
			}
		}
	}
	for _, want := range []string{"<strong>2022-03</strong>", "截止日 4月3日：还剩 1 天", "执法检查月报已报送 1 / 48 个单位", "事故台账未报送"} {
		if !strings.Contains(page, want) {
			t.Errorf("the board lacks %q", want)
		}
	}
	fx.clock.advance(72 * time.Hour) // 4月5日
	a.login("admin", testPassword)
	if _, page := a.get("/progress?month=2022-03"); !strings.Contains(page, "已过 2 天") {
		t.Error("two days after the deadline the board does not say so")
	}
	if code, _ := j.get("/progress"); code != http.StatusSeeOther && code != http.StatusForbidden {
		t.Errorf("a reporter's progress: %d", code)
	}
	j.login("jijiang", testPassword)
	if code, _ := j.get("/progress"); code != http.StatusForbidden {
		t.Errorf("a reporter's progress: %d", code)
	}
	if code, _ := a.get("/progress?month=三月"); code != http.StatusBadRequest {
		t.Errorf("a bad month: %d", code)
	}
}

// TestRemindButton: the office's 催报 queues a mail for each unit not
// reported that has a mailbox, at most once a day; leaders may not.
// setUnitEmail gives a unit a 邮箱 in units.xlsx.
func setUnitEmail(t *testing.T, fx *fixture, unit, email string) {
	t.Helper()
	u, err := excelize.OpenFile(filepath.Join(fx.ws.Home, "units.xlsx"))
	if err != nil {
		t.Fatal(err)
	}
	sheet := u.GetSheetList()[0]
	rows, _ := u.GetRows(sheet)
	for i, r := range rows {
		if r[0] == unit {
			u.SetCellValue(sheet, fmt.Sprintf("G%d", i+1), email) // 邮箱
		}
	}
	if v, _ := u.GetCellValue(sheet, "G1"); v != "邮箱" {
		t.Fatalf("units.xlsx column G is %q", v)
	}
	u.Save()
	u.Close()
}

// TestPortalRefusalMailed: with mail on, a refused portal upload is also
// mailed to its unit with the marked copy, once per file content; a file
// refused for naming another's unit is not mailed to that unit.
func TestPortalRefusalMailed(t *testing.T) {
	fx := newFixture(t)
	setUnitEmail(t, fx, "几江街道", "jijiang@example.org")
	setUnitEmail(t, fx, "德感街道", "degan@example.org")
	fx.ws.Config.Delivery.SMTP = pipeline.SMTPConfig{Host: "127.0.0.1", Port: 25, From: "t@example.org", To: []string{"o@example.org"}}
	b := fx.browser(t)
	b.login("jijiang", testPassword)
	b.get("/submit")
	bad := townFile(t, []any{"几江街道", 18, 5, 9, 4, 1, 0.5})
	_, page := b.upload("几江街道执法检查_2022年3月.xlsx", bad, "")
	if !strings.Contains(page, "错误清单和标注文件也已发送到 jijiang@example.org") {
		t.Errorf("the page does not say the refusal was mailed:\n%s", page)
	}
	b.upload("几江街道执法检查_2022年3月.xlsx", bad, "") // the same file again: no second mail
	b.upload("德感街道执法检查_2022年3月.xlsx", townFile(t, []any{"德感街道", 18, 5, 0, 4, 1, 0.5}), "")
	ds, _ := fx.ws.Deliveries()
	if len(ds) != 1 {
		t.Fatalf("%d mails, want 1", len(ds))
	}
	d := ds[0]
	if d.Kind != "refusal" || d.To != "jijiang@example.org" || !strings.HasPrefix(d.Body, "几江街道") || !strings.Contains(d.Body, "重大隐患数不能大于发现隐患数") ||
		len(d.Attachments) != 1 || d.AttachmentNames[0] != "几江街道执法检查_2022年3月（问题标注）.xlsx" {
		t.Errorf("the refusal mail: %+v", d)
	}
	if _, err := os.Stat(d.Attachments[0]); err != nil {
		t.Errorf("the attached marked copy: %v", err)
	}
}

func TestRemindButton(t *testing.T) {
	fx := newFixture(t)
	setUnitEmail(t, fx, "塘河镇", "tanghe@example.org")
	a := fx.browser(t)
	a.login("admin", testPassword)
	a.get("/progress?month=2022-03")
	if code, page := a.post("/progress/remind", url.Values{"month": {"2022-03"}}); code != http.StatusConflict || !strings.Contains(page, "未配置邮件服务器") {
		t.Errorf("without a mail server: %d", code)
	}
	fx.ws.Config.Delivery.SMTP = pipeline.SMTPConfig{Host: "127.0.0.1", Port: 25, From: "t@example.org", To: []string{"o@example.org"}}
	if code, page := a.post("/progress/remind", url.Values{"month": {"2022-03"}}); code != http.StatusOK || !strings.Contains(page, "已催报 1 个单位：塘河镇") {
		t.Errorf("remind: %d", code)
	}
	if _, page := a.post("/progress/remind", url.Values{"month": {"2022-03"}, "unit": {"塘河镇"}}); !strings.Contains(page, "没有需要催报的单位") {
		t.Error("a second reminder the same day was queued")
	}
	ds, _ := fx.ws.Deliveries()
	if len(ds) != 1 || ds[0].To != "tanghe@example.org" || ds[0].Kind != "reminder" {
		t.Errorf("deliveries %+v", ds)
	}
	l := fx.browser(t)
	l.login("leader", testPassword)
	l.get("/progress")
	if code, _ := l.post("/progress/remind", url.Values{"month": {"2022-03"}}); code != http.StatusForbidden {
		t.Errorf("a leader's reminder: %d", code)
	}
}

// TestLoad48Units: 48 units' reporters log in and submit their month at
// the same moment on loopback (bounded: one upload and one confirm each).
// Every file is imported exactly once; the p95 time per upload+confirm is
// logged (measured, not asserted).
func TestLoad48Units(t *testing.T) {
	fx := newFixture(t)
	ctx := context.Background()
	reg, err := fx.ws.Registry(ctx)
	if err != nil {
		t.Fatal(err)
	}
	type unitBrowser struct {
		unit string
		b    *browser
	}
	var ubs []unitBrowser
	for i, u := range reg.Units {
		name := fmt.Sprintf("unit%02d", i)
		if err := fx.ws.AddAccount(ctx, pipeline.AccountInput{Name: name, Role: pipeline.RoleReporter, Units: []string{u.Name}, Password: testPassword}); err != nil {
			t.Fatal(err)
		}
		b := fx.browser(t)
		if code := b.login(name, testPassword); code != http.StatusSeeOther {
			t.Fatalf("login %s: %d", name, code)
		}
		b.get("/submit")
		ubs = append(ubs, unitBrowser{u.Name, b})
	}
	if len(ubs) != 48 {
		t.Fatalf("%d units", len(ubs))
	}
	confirmRe := regexp.MustCompile(`action="(/submit/[0-9a-f]{24}/confirm)"`)
	times := make([]time.Duration, len(ubs))
	var wg sync.WaitGroup
	errs := make(chan string, len(ubs))
	for i, ub := range ubs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			start := time.Now()
			data := townFile(t, []any{ub.unit, 10 + i, 5, 0, 4, 1, 0.5})
			var body bytes.Buffer
			mw := multipart.NewWriter(&body)
			mw.WriteField("csrf", ub.b.csrf)
			fw, _ := mw.CreateFormFile("file", ub.unit+"执法检查_2022年3月.xlsx")
			fw.Write(data)
			mw.Close()
			resp, err := ub.b.c.Post(fx.srv.URL+"/submit", mw.FormDataContentType(), &body)
			if err != nil {
				errs <- err.Error()
				return
			}
			if resp.StatusCode != http.StatusSeeOther {
				b, _ := io.ReadAll(resp.Body)
				resp.Body.Close()
				errs <- fmt.Sprintf("%s: upload %d: %s", ub.unit, resp.StatusCode, regexp.MustCompile(`(?s)<main>.*</main>`).FindString(string(b)))
				return
			}
			resp.Body.Close()
			page, err := ub.b.c.Get(fx.srv.URL + resp.Header.Get("Location"))
			if err != nil {
				errs <- err.Error()
				return
			}
			html, _ := io.ReadAll(page.Body)
			page.Body.Close()
			m := confirmRe.FindSubmatch(html)
			if m == nil {
				errs <- ub.unit + ": no confirm button: " + regexp.MustCompile(`(?s)<main>.*</main>`).FindString(string(html))
				return
			}
			resp, err = ub.b.c.PostForm(fx.srv.URL+string(m[1]), url.Values{"csrf": {ub.b.csrf}})
			if err != nil || resp.StatusCode != http.StatusOK {
				errs <- fmt.Sprintf("%s: confirm %v", ub.unit, err)
				return
			}
			resp.Body.Close()
			times[i] = time.Since(start)
		}()
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Error(e)
	}
	r, err := fx.ws.ScoreMonth(ctx, tongbao.Month{Year: 2022, Month: 3})
	if err != nil {
		t.Fatal(err)
	}
	for i, ub := range ubs {
		found := false
		for _, e := range r.Enforcement {
			if e.Unit == ub.unit {
				found = e.Reported && e.Inspections == int64(10+i)
			}
		}
		if !found {
			t.Errorf("%s not imported with its figures", ub.unit)
		}
	}
	cat, _ := os.ReadFile(filepath.Join(fx.ws.Home, "catalog.json"))
	if n := strings.Count(string(cat), `"dataset": "enforcement"`); n != 48 {
		t.Errorf("%d enforcement partitions, want 48 (each file once)", n)
	}
	slices.Sort(times)
	t.Logf("48 concurrent upload+confirm: median %v, p95 %v, max %v", times[24], times[45], times[47])
}

// TestReportsPage: 通报 lists each period's versions with their number and
// state; a listed file downloads; nothing else under the workspace does;
// reporters may not.
func TestReportsPage(t *testing.T) {
	fx := newFixture(t)
	ctx := context.Background()
	samples, _ := filepath.Glob("../../shared/samples/*")
	if _, err := fx.ws.ImportFiles(ctx, samples, pipeline.ImportOptions{}); err != nil {
		t.Fatal(err)
	}
	out, err := fx.ws.Bulletin(ctx, tongbao.Month{Year: 2022, Month: 3})
	if err != nil {
		t.Fatal(err)
	}
	l := fx.browser(t)
	l.login("leader", testPassword)
	code, page := l.get("/reports")
	if code != http.StatusOK || !strings.Contains(page, "<td>2022-03</td>") || !strings.Contains(page, "第1版") || !strings.Contains(page, out.Number) || !strings.Contains(page, "已签发") {
		t.Fatalf("reports page: %d\n%s", code, page)
	}
	link := regexp.MustCompile(`href="(/reports/2022-03/[^"]+\.pdf)"`).FindStringSubmatch(page)
	if link == nil {
		t.Fatal("no PDF link")
	}
	resp, err := l.c.Get(fx.srv.URL + link[1])
	if err != nil {
		t.Fatal(err)
	}
	data, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !bytes.HasPrefix(data, []byte("%PDF")) {
		t.Errorf("PDF download: %d", resp.StatusCode)
	}
	for _, path := range []string{"/reports/2022-03/versions.json", "/reports/2022-03/..%2F..%2Faccounts.json", "/reports/..%2F/accounts.json", "/reports/2022-03/nothing.pdf"} {
		if code, _ := l.get(path); code != http.StatusNotFound {
			t.Errorf("%s: %d, want 404", path, code)
		}
	}
	j := fx.browser(t)
	j.login("jijiang", testPassword)
	if code, _ := j.get(link[1]); code != http.StatusForbidden {
		t.Errorf("a reporter downloading a bulletin: %d", code)
	}
	// A listed file replaced by a link (to accounts.json) is not served.
	pdf := out.Files[1]
	os.Remove(pdf)
	if err := os.Symlink(filepath.Join(fx.ws.Home, "accounts.json"), pdf); err != nil {
		t.Fatal(err)
	}
	if code, body := l.get(link[1]); code != http.StatusNotFound || strings.Contains(body, "$2a$") {
		t.Errorf("a linked report file: %d", code)
	}
}

// TestApprovalInPortal: with approval on, the draft is the office's
// alone (a leader neither sees nor fetches it); 签发 needs the form's
// token, numbers the version and puts it in the outbox; then the leader
// sees it.
func TestApprovalInPortal(t *testing.T) {
	fx := newFixture(t)
	ctx := context.Background()
	fx.ws.Config.Delivery.Approval = true
	fx.ws.Config.Delivery.Folder = t.TempDir()
	samples, _ := filepath.Glob("../../shared/samples/*")
	if _, err := fx.ws.ImportFiles(ctx, samples, pipeline.ImportOptions{}); err != nil {
		t.Fatal(err)
	}
	draft, err := fx.ws.Bulletin(ctx, tongbao.Month{Year: 2022, Month: 3})
	if err != nil || draft.State != pipeline.VersionWaiting {
		t.Fatalf("%+v %v", draft, err)
	}
	name := url.PathEscape(filepath.Base(draft.Files[1]))
	l := fx.browser(t)
	l.login("leader", testPassword)
	if _, page := l.get("/reports"); strings.Contains(page, "2022-03") {
		t.Errorf("a leader sees the draft:\n%s", page)
	}
	if code, _ := l.get("/reports/2022-03/" + name); code != http.StatusNotFound {
		t.Errorf("a leader fetching the draft: %d", code)
	}
	if _, page := l.get("/dashboard?month=2022-03"); !strings.Contains(page, "本月通报：尚未印发") || strings.Contains(page, "待签发") {
		t.Errorf("a leader's dashboard shows the draft:\n%s", figures(page))
	}
	a := fx.browser(t)
	a.login("admin", testPassword)
	if _, page := a.get("/dashboard?month=2022-03"); !strings.Contains(page, "本月通报：第1版，待签发") {
		t.Errorf("the office's dashboard does not show the draft")
	}
	_, page := a.get("/reports")
	for _, want := range []string{"待签发", "签发时编号", `action="/reports/2022-03/approve"`, "已开启签发"} {
		if !strings.Contains(page, want) {
			t.Errorf("the office's page lacks %q", want)
		}
	}
	if code, _ := a.get("/reports/2022-03/" + name); code != http.StatusOK {
		t.Errorf("the office fetching the draft: %d", code)
	}
	if code, _ := a.post("/reports/2022-03/approve", url.Values{"csrf": {"0000"}}); code != http.StatusForbidden {
		t.Errorf("签发 without the form's token: %d", code)
	}
	if ds, _ := fx.ws.Deliveries(); len(ds) != 0 {
		t.Fatalf("queued before 签发: %d", len(ds))
	}
	fx.clock.advance(48 * time.Hour) // signed two days later: the sessions expired
	a.login("admin", testPassword)
	l.login("leader", testPassword)
	code, page := a.post("/reports/2022-03/approve", nil)
	if code != http.StatusOK || !strings.Contains(page, "已签发 2022-03 第1版（江津安委办〔2022〕1号）") {
		t.Fatalf("签发: %d\n%s", code, page)
	}
	ds, _ := fx.ws.Deliveries()
	if len(ds) != 1 || ds[0].Version != 1 || ds[0].Kind != "bulletin" {
		t.Fatalf("the outbox after 签发: %+v", ds)
	}
	if code, page := a.post("/reports/2022-03/approve", nil); code != http.StatusConflict || !strings.Contains(page, "没有待签发的版本") {
		t.Errorf("a second 签发: %d", code)
	}
	if _, page := l.get("/dashboard?month=2022-03"); !strings.Contains(page, "本月通报：第1版（江津安委办〔2022〕1号），已签发") {
		t.Errorf("a leader's dashboard after 签发 does not name the bulletin")
	}
	if _, page := l.get("/reports"); !strings.Contains(page, "江津安委办〔2022〕1号") || !strings.Contains(page, "2022-04-04") || !strings.Contains(page, "签发人：admin") {
		t.Errorf("the leader's page after 签发:\n%s", page)
	}
	journal, _ := os.ReadFile(filepath.Join(fx.ws.Home, "journal.jsonl"))
	if !strings.Contains(string(journal), `"event":"approve"`) || !strings.Contains(string(journal), "签发人 admin") {
		t.Error("签发 not in the journal")
	}
}

// TestLargeUploadPreviewEqualsImport: a file of 70,001 case-level rows
// (more than two 32,768-row batches) previews the totals that the month
// has once it is imported, summed the plain way from the stored rows.
func TestLargeUploadPreviewEqualsImport(t *testing.T) {
	if testing.Short() {
		t.Skip("a 70,001-row upload")
	}
	fx := newFixture(t)
	var csv bytes.Buffer
	csv.WriteString("执法单位,被检查单位,检查日期,检查家次,发现隐患(条),其中重大隐患(条),整改隐患(条),立案查处(起),罚款金额(元)\n")
	units := []string{"几江街道", "德感街道", "珞璜镇", "区应急局"}
	for i := range 70001 {
		found := i % 6
		cases, fine := 0, 0
		if i%5 == 0 {
			cases, fine = 1, 1000*(1+i%50)
		}
		fmt.Fprintf(&csv, "%s,企业%06d,2022-03-%02d,1,%d,%d,%d,%d,%d\n", units[i%len(units)], i, 1+i%28, found, min(found, i%2), i%(found+1), cases, fine)
	}
	a := fx.browser(t)
	a.login("admin", testPassword)
	a.get("/submit")
	page := a.uploadAndConfirm("执法检查明细_2022年3月.csv", csv.Bytes())
	shown := regexp.MustCompile(`<td>2022-03</td><td>(检查企业[^<]*)</td>`).FindStringSubmatch(page)
	r, err := fx.ws.ScoreMonthFromRows(context.Background(), tongbao.Month{Year: 2022, Month: 3})
	if err != nil {
		t.Fatal(err)
	}
	var sum scoring.EnforcementTotals
	for _, e := range r.Enforcement {
		sum.Inspections += e.Inspections
		sum.HazardsFound += e.HazardsFound
		sum.MajorHazards += e.MajorHazards
		sum.HazardsFixed += e.HazardsFixed
		sum.Cases += e.Cases
		sum.Fines += tongbao.Money(e.Fines.V * 100) // Fixed with 2 decimals → 万元 × 10^4
	}
	want := fmt.Sprintf("检查企业 %d 家次，发现隐患 %d 条（重大 %d 条），整改 %d 条，立案查处 %d 起，罚款 %s 万元",
		sum.Inspections, sum.HazardsFound, sum.MajorHazards, sum.HazardsFixed, sum.Cases, sum.Fines)
	if shown == nil || shown[1] != want || sum.Inspections != 70001 {
		t.Errorf("the preview showed\n  %v\nthe stored rows sum to\n  %s", shown, want)
	}
}

// TestHostileUploads: a zip bomb, a truncated workbook, bytes that are no
// spreadsheet, an empty file and a binary named .csv are each refused
// with a Chinese reason; nothing panics and the portal goes on serving.
func TestHostileUploads(t *testing.T) {
	fx := newFixture(t)
	fx.ws.Config.Import.MaxUncompressedMB = 8
	good := townFile(t, []any{"几江街道", 18, 5, 0, 4, 1, 0.5})
	var bomb bytes.Buffer
	zw := zip.NewWriter(&bomb)
	for _, name := range []string{"[Content_Types].xml", "xl/workbook.xml", "xl/worksheets/sheet1.xml"} {
		w, _ := zw.Create(name)
		if strings.HasSuffix(name, "sheet1.xml") {
			w.Write(bytes.Repeat([]byte(" "), 64<<20)) // 64 MB of nothing, a few hundred KB packed
		} else {
			w.Write([]byte(`<?xml version="1.0"?><x/>`))
		}
	}
	zw.Close()
	files := []struct {
		name string
		data []byte
	}{
		{"炸弹_2022年3月.xlsx", bomb.Bytes()},
		{"截断_2022年3月.xlsx", good[:len(good)/2]},
		{"乱码_2022年3月.xlsx", bytes.Repeat([]byte{0xde, 0xad, 0xbe, 0xef}, 4096)},
		{"空文件_2022年3月.xlsx", nil},
		{"程序_2022年3月.csv", append([]byte("MZ\x00\x00"), bytes.Repeat([]byte{0, 1, 2, 0xff}, 2048)...)},
	}
	a := fx.browser(t)
	a.login("admin", testPassword)
	a.get("/submit")
	for _, f := range files {
		code, page := a.upload(f.name, f.data, "")
		problem := regexp.MustCompile(`<td>([^<]*)</td>\s*</tr>`).FindAllStringSubmatch(page, -1)
		if code != http.StatusOK || !strings.Contains(page, "未通过校验") || len(problem) == 0 || !hasHan(problem[0][1]) {
			t.Errorf("%s (%d bytes): %d\n%.1500s", f.name, len(f.data), code, page)
			continue
		}
		t.Logf("%s: %s", f.name, problem[0][1])
	}
	if code, _ := a.get("/submit"); code != http.StatusOK {
		t.Errorf("the portal after the hostile files: %d", code)
	}
}

func hasHan(s string) bool {
	for _, r := range s {
		if r >= 0x4e00 && r <= 0x9fff {
			return true
		}
	}
	return false
}
