package pipeline

import (
	"context"
	"fmt"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"tongbao"
)

// approvalWorkspace is a workspace whose versions wait for 签发, with a
// shared folder as the delivery channel.
func approvalWorkspace(t *testing.T) (*Workspace, *time.Time) {
	t.Helper()
	ws := newWorkspace(t)
	ws.Config.Delivery.Approval = true
	ws.Config.Delivery.Folder = t.TempDir()
	clock := time.Date(2022, 4, 5, 1, 0, 0, 0, time.UTC)
	ws.now = func() time.Time { return clock }
	return ws, &clock
}

func pdfText(t *testing.T, out *Output) string {
	t.Helper()
	needTool(t, "pdftotext")
	return squeezeText(run(t, "pdftotext", "-raw", pdfOf(t, out), "-"))
}

// queuedVersions are the outbox's report versions of kind.
func queuedVersions(t *testing.T, ws *Workspace, kind string) []int {
	t.Helper()
	ds, err := ws.Deliveries()
	if err != nil {
		t.Fatal(err)
	}
	var out []int
	for _, d := range ds {
		if d.Kind == kind {
			out = append(out, d.Version)
		}
	}
	return out
}

func versionStates(t *testing.T, ws *Workspace, period string) []string {
	t.Helper()
	vs, err := readVersions(ws.path("reports", period, "versions.json"))
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, v := range vs {
		out = append(out, v.StateText())
	}
	return out
}

// TestApproval: with approval on a version is a draft without 发文字号,
// queued for nobody; 签发 numbers, dates, renders and queues it; a draft
// followed by a newer one is dropped, never queued; the 更正 names the
// last issued version, not the dropped draft.
func TestApproval(t *testing.T) {
	ws, clock := approvalWorkspace(t)
	ctx := context.Background()
	m := tongbao.Month{Year: 2022, Month: 3}
	step := func(d time.Duration) { *clock = clock.Add(d) }
	imp := func(path string) {
		t.Helper()
		step(time.Hour)
		if o := importOne(t, ws, path, ImportOptions{}); o.Status != Imported {
			t.Fatal(o.Text())
		}
	}
	imp(townFile(t, "A_2022年3月.xlsx", map[string]int{"几江街道": 10, "德感街道": 20}))
	v1, err := ws.Bulletin(ctx, m)
	if err != nil {
		t.Fatal(err)
	}
	if v1.State != VersionWaiting || v1.Number != "" || v1.Issued() || v1.Replaces != 0 {
		t.Fatalf("v1 %+v, want a waiting draft without number", v1)
	}
	if text := pdfText(t, v1); !strings.Contains(text, "待签发稿") || strings.Contains(text, "江津安委办〔") {
		t.Errorf("the draft's head:\n%.300s", text)
	}
	if q := queuedVersions(t, ws, "bulletin"); len(q) != 0 {
		t.Errorf("a draft was queued: %v", q)
	}
	// Asked again with unchanged figures: the same draft.
	if again, err := ws.Bulletin(ctx, m); err != nil || again.Version != 1 || again.New {
		t.Errorf("unchanged: %+v %v", again, err)
	}

	step(24 * time.Hour) // signed the next day: the date is the signing day's
	signed, err := ws.Approve(ctx, "2022-03", "王主任", 0)
	if err != nil {
		t.Fatal(err)
	}
	if !signed.Issued() || signed.Version != 1 || signed.Number != "江津安委办〔2022〕1号" || signed.Stale {
		t.Fatalf("signed %+v", signed)
	}
	text := pdfText(t, signed)
	for _, want := range []string{"江津安委办〔2022〕1号", "2022年4月6日"} {
		if !strings.Contains(text, want) {
			t.Errorf("the signed PDF lacks %q", want)
		}
	}
	if strings.Contains(text, "待签发稿") || strings.Contains(text, "【更正】") {
		t.Errorf("the signed PDF still says 待签发稿 or 更正")
	}
	if q := queuedVersions(t, ws, "bulletin"); !slices.Equal(q, []int{1}) {
		t.Errorf("queued %v, want v1", q)
	}
	if _, err := ws.Approve(ctx, "2022-03", "王主任", 0); err == nil || !strings.Contains(err.Error(), "没有待签发的版本：第1版已于2022-04-06") {
		t.Errorf("a second approval: %v", err)
	}

	// Two corrections before anyone signs: v2 is dropped by v3.
	imp(townFile(t, "B_2022年3月.xlsx", map[string]int{"几江街道": 11}))
	v2, _ := ws.Bulletin(ctx, m)
	imp(townFile(t, "C_2022年3月.xlsx", map[string]int{"几江街道": 12}))
	v3, err := ws.Bulletin(ctx, m)
	if err != nil || v2.Version != 2 || v3.Version != 3 || v3.Dropped != 2 || v3.State != VersionWaiting || v3.Replaces != 1 {
		t.Fatalf("v2 %+v v3 %+v %v", v2, v3, err)
	}
	if got := versionStates(t, ws, "2022-03"); !slices.Equal(got, []string{"已签发", "已作废", "待签发"}) {
		t.Errorf("states %v", got)
	}
	// The figures changed after v3 was drafted: approval signs nothing and
	// drafts v4 for the office to look at.
	imp(townFile(t, "D_2022年3月.xlsx", map[string]int{"几江街道": 13}))
	stale, err := ws.Approve(ctx, "2022-03", "王主任", 0)
	if err != nil || !stale.Stale || stale.Version != 4 || stale.State != VersionWaiting || stale.Dropped != 3 {
		t.Fatalf("a stale approval: %+v %v", stale, err)
	}
	v4, err := ws.Approve(ctx, "2022-03", "王主任", 0)
	if err != nil || !v4.Issued() || v4.Number != "江津安委办〔2022〕2号" || v4.Replaces != 1 {
		t.Fatalf("v4 %+v %v", v4, err)
	}
	text = pdfText(t, v4)
	if !strings.Contains(text, "【更正】") || !strings.Contains(text, "本通报为更正版（第4版），替代2022年4月6日印发的第1版") {
		t.Errorf("v4 does not correct v1:\n%.600s", text)
	}
	if q := queuedVersions(t, ws, "bulletin"); !slices.Equal(q, []int{1, 4}) {
		t.Errorf("queued %v, want v1 and v4 (never the dropped drafts)", q)
	}
	ds, _ := ws.Deliveries()
	for _, d := range ds {
		if d.Version == 4 && !strings.HasPrefix(d.Subject, "【更正】") {
			t.Errorf("v4's subject %q", d.Subject)
		}
	}
	journal, _ := os.ReadFile(ws.path("journal.jsonl"))
	for _, want := range []string{`"event":"approve"`, "签发人 王主任", `"event":"drop"`, `"event":"await"`} {
		if !strings.Contains(string(journal), want) {
			t.Errorf("journal lacks %s", want)
		}
	}
}

// TestApprovalFirstDraftDropped: drafts that were never issued make no
// correction: the first issued version is no 【更正】 whatever its number.
func TestApprovalFirstDraftDropped(t *testing.T) {
	ws, clock := approvalWorkspace(t)
	ctx := context.Background()
	m := tongbao.Month{Year: 2022, Month: 3}
	importOne(t, ws, townFile(t, "A_2022年3月.xlsx", map[string]int{"几江街道": 10}), ImportOptions{})
	if _, err := ws.Bulletin(ctx, m); err != nil {
		t.Fatal(err)
	}
	*clock = clock.Add(time.Hour)
	importOne(t, ws, townFile(t, "B_2022年3月.xlsx", map[string]int{"德感街道": 10}), ImportOptions{})
	v2, err := ws.Bulletin(ctx, m)
	if err != nil || v2.Version != 2 || v2.Dropped != 1 {
		t.Fatalf("%+v %v", v2, err)
	}
	signed, err := ws.Approve(ctx, "2022-03", "命令行", 7)
	if err != nil || signed.Replaces != 0 || signed.Number != "江津安委办〔2022〕7号" {
		t.Fatalf("%+v %v", signed, err)
	}
	if ReportSubject(signed) != "江津区2022年3月安全生产执法检查和事故情况通报" {
		t.Errorf("subject %q", ReportSubject(signed))
	}
	if text := pdfText(t, signed); strings.Contains(text, "更正") {
		t.Errorf("a first issue printed as a correction")
	}
	if _, err := ws.Approve(ctx, "2022-13", "x", 0); err == nil {
		t.Error("a bad period was accepted")
	}
}

// TestApprovalDraftMootWhenFiguresReturn: a draft whose figures go back to
// the issued version's (its data retracted) is dropped; nothing new.
func TestApprovalDraftMootWhenFiguresReturn(t *testing.T) {
	ws, clock := approvalWorkspace(t)
	ctx := context.Background()
	m := tongbao.Month{Year: 2022, Month: 3}
	importOne(t, ws, townFile(t, "A_2022年3月.xlsx", map[string]int{"几江街道": 10}), ImportOptions{})
	ws.Bulletin(ctx, m)
	if _, err := ws.Approve(ctx, "2022-03", "王主任", 0); err != nil {
		t.Fatal(err)
	}
	*clock = clock.Add(time.Hour)
	b := townFile(t, "B_2022年3月.xlsx", map[string]int{"几江街道": 11})
	importOne(t, ws, b, ImportOptions{})
	if v2, _ := ws.Bulletin(ctx, m); v2.Version != 2 || v2.State != VersionWaiting {
		t.Fatalf("v2 %+v", v2)
	}
	*clock = clock.Add(time.Hour)
	if _, err := ws.Retract(ctx, b, "报错了"); err != nil {
		t.Fatal(err)
	}
	out, err := ws.Bulletin(ctx, m)
	if err != nil || out.Version != 1 || !out.Issued() || out.Dropped != 2 || out.New {
		t.Fatalf("%+v %v", out, err)
	}
	if got := versionStates(t, ws, "2022-03"); !slices.Equal(got, []string{"已签发", "已作废"}) {
		t.Errorf("states %v", got)
	}
}

// TestHoldMissing: with approval off, a bulletin produced while more than
// hold_missing_pct of the units are 未报送 is held (a draft, the office
// told by mail); once the units have reported the next version is issued
// at once and the held one dropped; a held version may also be signed.
func TestHoldMissing(t *testing.T) {
	ctx := context.Background()
	m := tongbao.Month{Year: 2022, Month: 3}
	heldWorkspace := func(t *testing.T) (*Workspace, *Output) {
		ws := newWorkspace(t)
		ws.Config.Delivery.HoldMissingPct = 50
		ws.Config.Delivery.SMTP = SMTPConfig{Host: "127.0.0.1", Port: 25, Security: "none", From: "tongbao@example.cn", To: []string{"ban@example.cn"}}
		ws.Config.Delivery.Office = []string{"office@example.cn"}
		importOne(t, ws, townFile(t, "A_2022年3月.xlsx", map[string]int{"几江街道": 10, "德感街道": 20}), ImportOptions{})
		held, err := ws.Bulletin(ctx, m)
		if err != nil {
			t.Fatal(err)
		}
		if held.State != VersionHeld || held.Number != "" || held.Issued() {
			t.Fatalf("held %+v", held)
		}
		return ws, held
	}
	t.Run("office told", func(t *testing.T) {
		ws, held := heldWorkspace(t)
		reg, _ := ws.Registry(ctx)
		want := fmt.Sprintf("生成时 %d 个单位中有 %d 个", len(reg.Units), len(reg.Units)-2)
		if !strings.HasPrefix(held.Held, want) || !strings.HasSuffix(held.Held, "未报送，超过 [delivery] hold_missing_pct 的 50%") {
			t.Errorf("reason %q, want it to start %q", held.Held, want)
		}
		ds, _ := ws.Deliveries()
		var notice *Delivery
		for _, d := range ds {
			if d.Kind == "bulletin" {
				t.Errorf("a held version was queued: %s", d.ID)
			}
			if d.Kind == "notice" {
				notice = d
			}
		}
		if notice == nil || notice.To != "office@example.cn" || !strings.HasPrefix(notice.Subject, "【暂缓投送】") ||
			!strings.Contains(notice.Body, held.Held) || !strings.Contains(notice.Body, "tongbao approve --month 2022-03") ||
			!strings.HasSuffix(notice.AttachmentNames[1], "(v1)（待签发稿）.pdf") {
			t.Fatalf("the office's notice: %+v", notice)
		}
	})
	t.Run("complete data issue the next version", func(t *testing.T) {
		ws, _ := heldWorkspace(t)
		reg, _ := ws.Registry(ctx)
		all := map[string]int{}
		for _, u := range reg.Units {
			all[u.Name] = 5
		}
		importOne(t, ws, townFile(t, "全部_2022年3月.xlsx", all), ImportOptions{})
		v2, err := ws.Bulletin(ctx, m)
		if err != nil || !v2.Issued() || v2.Version != 2 || v2.Dropped != 1 || v2.Replaces != 0 || v2.Number == "" {
			t.Fatalf("%+v %v", v2, err)
		}
		if got := versionStates(t, ws, "2022-03"); !slices.Equal(got, []string{"已作废", "已签发"}) {
			t.Errorf("states %v", got)
		}
	})
	t.Run("signed", func(t *testing.T) {
		ws, _ := heldWorkspace(t)
		signed, err := ws.Approve(ctx, "2022-03", "王主任", 0)
		if err != nil || !signed.Issued() || signed.Number != "江津安委办〔2022〕1号" {
			t.Fatalf("%+v %v", signed, err)
		}
		if q := queuedVersions(t, ws, "bulletin"); !slices.Equal(q, []int{1}) {
			t.Errorf("queued %v", q)
		}
	})
}

// TestApprovalTwiceAtOnce: two 管理员 click 签发 at the same moment: one
// signs, the other is told there is nothing waiting; one number is used,
// one version queued.
func TestApprovalTwiceAtOnce(t *testing.T) {
	ws, _ := approvalWorkspace(t)
	ctx := context.Background()
	importOne(t, ws, townFile(t, "A_2022年3月.xlsx", map[string]int{"几江街道": 10}), ImportOptions{})
	if _, err := ws.Bulletin(ctx, tongbao.Month{Year: 2022, Month: 3}); err != nil {
		t.Fatal(err)
	}
	other, err := Open(ws.Home, ws.now)
	if err != nil {
		t.Fatal(err)
	}
	other.Config = ws.Config
	errs := make(chan error, 2)
	for _, w := range []*Workspace{ws, other} {
		go func() {
			_, err := w.Approve(ctx, "2022-03", "管理员", 0)
			errs <- err
		}()
	}
	var refused int
	for range 2 {
		if err := <-errs; err != nil {
			if !strings.Contains(err.Error(), "没有待签发的版本") {
				t.Fatal(err)
			}
			refused++
		}
	}
	if refused != 1 {
		t.Errorf("%d of 2 approvals refused, want 1", refused)
	}
	if q := queuedVersions(t, ws, "bulletin"); !slices.Equal(q, []int{1}) {
		t.Errorf("queued %v", q)
	}
	ns, _ := ws.readNumbers()
	if ns["江津安委办"]["2022"] != 1 {
		t.Errorf("numbers %v", ns)
	}
}
