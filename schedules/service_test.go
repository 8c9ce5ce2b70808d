package schedules

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"mime"
	"mime/multipart"
	"net/mail"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"tongbao"
	"tongbao/schedules/smtptest"

	"github.com/jonboulle/clockwork"
	"github.com/xuri/excelize/v2"

	"tongbao/pipeline"
	"tongbao/sources"
)

var shanghai, _ = time.LoadLocation("Asia/Shanghai")

const samplesDir = "../../shared/samples"

// fixture is a workspace with the samples and a February report imported,
// a fake clock and a service logging into a buffer.
type fixture struct {
	ws    *pipeline.Workspace
	clock *clockwork.FakeClock
	svc   *Service
	logs  *syncBuffer
	out   string // the shared delivery folder
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) events(msg string) []map[string]any {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []map[string]any
	for _, line := range strings.Split(s.b.String(), "\n") {
		var e map[string]any
		if json.Unmarshal([]byte(line), &e) == nil && e["msg"] == msg {
			out = append(out, e)
		}
	}
	return out
}

func writeXLSX(t *testing.T, path string, rows [][]any) {
	t.Helper()
	f := excelize.NewFile()
	defer f.Close()
	for r, row := range rows {
		for c, v := range row {
			f.SetCellValue("Sheet1", sources.CellRef(c+1, r+1), v)
		}
	}
	if err := f.SaveAs(path); err != nil {
		t.Fatal(err)
	}
}

func newFixture(t *testing.T, at time.Time, senders func(*fixture) map[string]Sender) *fixture {
	t.Helper()
	home := t.TempDir()
	if _, err := pipeline.Init(home); err != nil {
		t.Fatal(err)
	}
	fx := &fixture{clock: clockwork.NewFakeClockAt(at), logs: &syncBuffer{}, out: filepath.Join(t.TempDir(), "shared")}
	// The samples are imported today; the service then runs on the fake clock.
	importer, err := pipeline.Open(home, nil)
	if err != nil {
		t.Fatal(err)
	}
	ws, err := pipeline.Open(home, fx.clock.Now)
	if err != nil {
		t.Fatal(err)
	}
	ws.Config.Delivery.Folder = fx.out
	fx.ws = ws
	files, _ := filepath.Glob(filepath.Join(samplesDir, "*"))
	feb := filepath.Join(t.TempDir(), "部门执法检查月报_2022年2月.xlsx")
	writeXLSX(t, feb, [][]any{{"单位", "检查企业(家次)", "发现隐患(条)", "其中重大隐患(条)", "整改隐患(条)", "立案查处(起)", "罚款金额(万元)"},
		{"区应急局", 20, 10, 0, 8, 2, 3}, {"区交通局", 10, 5, 0, 5, 1, 1}})
	outs, err := importer.ImportFiles(context.Background(), append(files, feb), pipeline.ImportOptions{})
	if err != nil {
		t.Fatal(err)
	}
	for _, o := range outs {
		if o.Status != pipeline.Imported {
			t.Fatal(o.Text())
		}
	}
	s := map[string]Sender{ChannelFolder: FolderSender{}}
	if senders != nil {
		s = senders(fx)
	}
	fx.svc, err = New(ws, DefaultConfig(), fx.clock, slog.New(slog.NewJSONHandler(fx.logs, nil)), s)
	if err != nil {
		t.Fatal(err)
	}
	return fx
}

func (fx *fixture) setLastSeen(t *testing.T, at time.Time) {
	st, _ := fx.ws.ReadServiceState()
	st.LastSeen = at
	if err := fx.ws.WriteServiceState(st); err != nil {
		t.Fatal(err)
	}
}

func TestJobsFireOnTime(t *testing.T) {
	fx := newFixture(t, time.Date(2022, 3, 4, 8, 0, 0, 0, shanghai), nil)
	if err := fx.svc.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	defer fx.svc.Stop()
	next := map[string]time.Time{}
	for _, j := range fx.svc.Jobs() {
		n, _ := j.NextRun()
		next[j.Name()] = n
	}
	wantBulletin := time.Date(2022, 3, 5, 9, 0, 0, 0, shanghai)
	wantScorecard := time.Date(2022, 4, 10, 9, 0, 0, 0, shanghai)
	if !next[JobBulletin].Equal(wantBulletin) || !next[JobScorecard].Equal(wantScorecard) {
		t.Fatalf("next runs %v, want bulletin %v, scorecard %v", next, wantBulletin, wantScorecard)
	}
	// Move to 09:00 on March 5: the bulletin for February runs, once.
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	fx.clock.BlockUntilContext(ctx, 3)
	fx.clock.Advance(wantBulletin.Sub(fx.clock.Now()) + time.Second)
	waitFor(t, func() bool { return len(fx.logs.events("report produced")) == 1 })
	ev := fx.logs.events("report produced")[0]
	if ev["report"] != JobBulletin || ev["period"] != "2022-02" {
		t.Errorf("produced %v", ev)
	}
	// The job's run is recorded just after the report: wait for the record
	// of the scheduled run (the inbox watch's catch-up, running at the same
	// minute, may have produced the report first and recorded its own).
	var st *pipeline.ServiceState
	waitFor(t, func() bool {
		st, _ = fx.ws.ReadServiceState()
		return !st.Jobs[JobBulletin].At.IsZero() && !st.Jobs[JobBulletin].CatchUp
	})
	if run := st.Jobs[JobBulletin]; !run.OK || !run.At.Equal(wantBulletin.Add(time.Second)) && run.At.Before(wantBulletin) {
		t.Errorf("bulletin job run %+v", run)
	}
	for _, j := range fx.svc.Jobs() {
		if j.Name() == JobBulletin {
			if n, _ := j.NextRun(); !n.Equal(time.Date(2022, 4, 5, 9, 0, 0, 0, shanghai)) {
				t.Errorf("next bulletin %v", n)
			}
		}
	}
}

func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("timed out")
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func TestCatchUpAfterDowntime(t *testing.T) {
	fx := newFixture(t, time.Date(2022, 5, 20, 10, 0, 0, 0, shanghai), nil)
	fx.setLastSeen(t, time.Date(2022, 3, 3, 10, 0, 0, 0, shanghai))
	if err := fx.svc.CatchUp(context.Background()); err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range fx.logs.events("report produced") {
		got = append(got, fmt.Sprint(e["report"], " ", e["period"]))
	}
	want := []string{"bulletin 2022-02", "bulletin 2022-03", "scorecard 2022Q1", "bulletin 2022-04"}
	if !slices.Equal(got, want) {
		t.Fatalf("produced %v, want %v (oldest first)", got, want)
	}
	for _, p := range []string{"2022-02", "2022-03", "2022Q1", "2022-04"} {
		files, _ := filepath.Glob(filepath.Join(fx.out, p, "*"))
		if len(files) != 2 {
			t.Errorf("delivered for %s: %v", p, files)
		}
	}
	// Started again (at the same moment): nothing is produced or sent twice.
	svc2, _ := New(fx.ws, DefaultConfig(), fx.clock, slog.New(slog.NewJSONHandler(fx.logs, nil)), map[string]Sender{ChannelFolder: FolderSender{}})
	if err := svc2.CatchUp(context.Background()); err != nil {
		t.Fatal(err)
	}
	if n := len(fx.logs.events("report produced")); n != 4 {
		t.Errorf("%d productions after restart, want 4", n)
	}
	ds, _ := fx.ws.Deliveries()
	if len(ds) != 4 || len(fx.logs.events("delivered")) != 4 {
		t.Errorf("%d outbox entries, %d deliveries", len(ds), len(fx.logs.events("delivered")))
	}
	for _, d := range ds {
		if d.Status != pipeline.DeliverySent || d.Version != 1 {
			t.Errorf("delivery %+v", d)
		}
	}
}

func TestFirstStartProducesNothingOlder(t *testing.T) {
	fx := newFixture(t, time.Date(2022, 5, 20, 10, 0, 0, 0, shanghai), nil)
	if err := fx.svc.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	fx.svc.Stop()
	if n := len(fx.logs.events("report produced")); n != 0 {
		t.Errorf("first start produced %d reports", n)
	}
}

func TestSMTPRefusedThenAccepted(t *testing.T) {
	srv, err := smtptest.Start(1)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	port := srv.Port()
	fx := newFixture(t, time.Date(2022, 4, 5, 9, 0, 0, 0, shanghai), func(fx *fixture) map[string]Sender {
		cfg := pipeline.SMTPConfig{Host: "127.0.0.1", Port: port, Security: "none", From: "tongbao@example.org", To: []string{"office@example.org"}}
		fx.ws.Config.Delivery.SMTP = cfg
		fx.ws.Config.Delivery.Folder = ""
		return map[string]Sender{ChannelSMTP: &SMTPSender{Config: cfg}}
	})
	if err := fx.svc.MonthlyRun(context.Background()); err != nil { // produces and queues March, tries once: refused
		t.Fatal(err)
	}
	fx.svc.DeliverPending(context.Background())
	ds, _ := fx.ws.Deliveries()
	if len(ds) != 1 || ds[0].Status != pipeline.DeliveryPending || ds[0].Attempts != 1 || !strings.Contains(ds[0].LastError, "451") {
		t.Fatalf("after the refusal: %+v", ds[0])
	}
	fx.svc.DeliverPending(context.Background()) // too early: backoff
	if ds, _ = fx.ws.Deliveries(); ds[0].Attempts != 1 {
		t.Fatalf("retried before the backoff: %+v", ds[0])
	}
	fx.clock.Advance(61 * time.Second)
	fx.svc.DeliverPending(context.Background())
	fx.svc.DeliverPending(context.Background())
	ds, _ = fx.ws.Deliveries()
	if ds[0].Status != pipeline.DeliverySent || ds[0].Attempts != 2 {
		t.Fatalf("after the retry: %+v", ds[0])
	}
	msgs := srv.Messages()
	if len(msgs) != 1 {
		t.Fatalf("server received %d messages, want 1", len(msgs))
	}
	msg, err := mail.ReadMessage(bytes.NewReader(msgs[0]))
	if err != nil {
		t.Fatal(err)
	}
	dec := new(mime.WordDecoder)
	subj, _ := dec.DecodeHeader(msg.Header.Get("Subject"))
	if subj != "江津区2022年3月安全生产执法检查和事故情况通报" {
		t.Errorf("subject %q", subj)
	}
	_, params, _ := mime.ParseMediaType(msg.Header.Get("Content-Type"))
	mr := multipart.NewReader(msg.Body, params["boundary"])
	got := map[string][]byte{}
	var text string
	for {
		part, err := mr.NextPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		data, _ := io.ReadAll(part)
		if strings.EqualFold(part.Header.Get("Content-Transfer-Encoding"), "base64") {
			data, _ = base64.StdEncoding.DecodeString(strings.NewReplacer("\r", "", "\n", "").Replace(string(data)))
		}
		if name := part.FileName(); name != "" {
			name, _ = dec.DecodeHeader(name)
			got[name] = data
		} else {
			text = string(data)
		}
	}
	// The Date header is in the office's zone; the body carries the key
	// figures and names the attachments.
	if d := msg.Header.Get("Date"); !strings.HasSuffix(d, "+0800") {
		t.Errorf("Date header %q is not in +0800", d)
	}
	for _, want := range []string{
		"附件为《江津区2022年3月安全生产执法检查和事故情况通报》第1版（江津安委办〔2022〕1号），请查收。",
		"事故：3月全区发生生产安全事故4起、死亡（含失踪）3人；1—3月累计4起、死亡（含失踪）3人（1月、2月未报送，未计入）。",
		"执法：镇街平台检查企业920家次、立案查处54起；部门检查企业687家次、立案查处48起。",
		"控制指标：超指标的单位：无。",
		"末位通报：",
		"1．江津区2022年3月安全生产执法检查和事故情况通报(v1).xlsx",
		"2．江津区2022年3月安全生产执法检查和事故情况通报(v1).pdf",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("the mail body lacks %q:\n%s", want, text)
		}
	}
	for _, f := range ds[0].Attachments {
		want, _ := os.ReadFile(f)
		if !bytes.Equal(got[filepath.Base(f)], want) {
			t.Errorf("attachment %s: got %d bytes, want %d", filepath.Base(f), len(got[filepath.Base(f)]), len(want))
		}
	}
	if len(got) != 2 {
		t.Errorf("attachments %v", keys(got))
	}
}

func keys[V any](m map[string]V) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}

func TestLateDataMakesACorrection(t *testing.T) {
	fx := newFixture(t, time.Date(2022, 4, 5, 9, 0, 0, 0, shanghai), nil)
	ctx := context.Background()
	if err := fx.svc.MonthlyRun(ctx); err != nil {
		t.Fatal(err)
	}
	fx.svc.DeliverPending(ctx)
	// 塘河镇 reports late, into the inbox.
	late := filepath.Join(fx.ws.Home, "inbox", "塘河镇执法检查_2022年3月.xlsx")
	writeXLSX(t, late, [][]any{{"单位", "检查企业(家次)", "发现隐患(条)", "其中重大隐患(条)", "整改隐患(条)", "立案查处(起)", "罚款金额(万元)"},
		{"塘河镇", 18, 20, 0, 15, 2, 1.5}})
	fx.clock.Advance(time.Minute)
	fx.svc.InboxRun(ctx) // first look
	fx.clock.Advance(time.Minute)
	fx.svc.InboxRun(ctx) // unchanged: imported, March reproduced as v2 and delivered
	ds, _ := fx.ws.Deliveries()
	var subjects []string
	for _, d := range ds {
		subjects = append(subjects, fmt.Sprintf("%s v%d %s", d.Period, d.Version, d.Status))
	}
	if len(ds) != 2 || ds[1].Version != 2 || !strings.HasPrefix(ds[1].Subject, "【更正】") || ds[1].Status != pipeline.DeliverySent {
		t.Fatalf("deliveries %v / %+v", subjects, ds[len(ds)-1])
	}
	// The same file again changes nothing and sends nothing.
	writeXLSX(t, late, [][]any{{"单位", "检查企业(家次)", "发现隐患(条)", "其中重大隐患(条)", "整改隐患(条)", "立案查处(起)", "罚款金额(万元)"},
		{"塘河镇", 18, 20, 0, 15, 2, 1.5}})
	for range 2 {
		fx.clock.Advance(time.Minute)
		fx.svc.InboxRun(ctx)
	}
	if ds, _ = fx.ws.Deliveries(); len(ds) != 2 {
		t.Errorf("%d deliveries after an unchanged file", len(ds))
	}
	// An analyst retracts the late file from the command line: the
	// service's next look finds the catalog changed and issues v3, the
	// figures of v1 again.
	cli, err := pipeline.Open(fx.ws.Home, fx.clock.Now)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := cli.Retract(ctx, shaOfInboxFile(t, fx, "塘河镇执法检查_2022年3月"), "误报"); err != nil {
		t.Fatal(err)
	}
	fx.clock.Advance(time.Minute)
	fx.svc.InboxRun(ctx)
	ds, _ = fx.ws.Deliveries()
	if len(ds) != 3 || ds[2].Version != 3 || ds[2].Status != pipeline.DeliverySent {
		t.Errorf("after the retraction: %d deliveries, last %+v", len(ds), ds[len(ds)-1])
	}
}

// shaOfInboxFile finds the SHA-256 of an imported file by the start of its name.
func shaOfInboxFile(t *testing.T, fx *fixture, prefix string) string {
	t.Helper()
	hist, err := fx.ws.History("")
	if err != nil {
		t.Fatal(err)
	}
	for _, h := range hist {
		if strings.HasPrefix(h.File, prefix) {
			return h.SHA256
		}
	}
	t.Fatalf("no import named %s…", prefix)
	return ""
}

func TestInboxWaitsForCompleteFiles(t *testing.T) {
	fx := newFixture(t, time.Date(2022, 4, 1, 9, 0, 0, 0, shanghai), nil)
	ctx := context.Background()
	var buf bytes.Buffer
	f := excelize.NewFile()
	rows := [][]any{{"单位", "月份", "检查企业(家次)", "发现隐患(条)", "其中重大隐患(条)", "整改隐患(条)", "立案查处(起)", "罚款金额(万元)"}}
	for i, u := range sources.DefaultRegistry().OfKind(tongbao.Town) {
		rows = append(rows, []any{u.Name, "2022-01", 10 + i, 5, 0, 5, 1, 0.5})
	}
	for r, row := range rows {
		for c, v := range row {
			f.SetCellValue("Sheet1", sources.CellRef(c+1, r+1), v)
		}
	}
	f.WriteTo(&buf)
	data := buf.Bytes()
	path := filepath.Join(fx.ws.Home, "inbox", "镇街执法检查_2022年1月.xlsx")
	out, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	// Written in chunks with pauses: every look sees it still growing.
	chunk := len(data)/5 + 1
	for off := 0; off < len(data); off += chunk {
		out.Write(data[off:min(off+chunk, len(data))])
		out.Sync()
		fx.clock.Advance(time.Minute)
		os.Chtimes(path, fx.clock.Now(), fx.clock.Now())
		fx.svc.InboxRun(ctx)
		if _, err := os.Stat(path); err != nil {
			t.Fatalf("a growing file left the inbox after %d bytes", off+chunk)
		}
	}
	out.Close()
	// An editor holds it open: not imported.
	lock := filepath.Join(fx.ws.Home, "inbox", ".~lock.镇街执法检查_2022年1月.xlsx#")
	os.WriteFile(lock, []byte("x"), 0o644)
	for range 2 {
		fx.clock.Advance(time.Minute)
		fx.svc.InboxRun(ctx)
	}
	if _, err := os.Stat(path); err != nil {
		t.Fatal("imported while an editor held it")
	}
	os.Remove(lock)
	for range 2 {
		fx.clock.Advance(time.Minute)
		fx.svc.InboxRun(ctx)
	}
	if _, err := os.Stat(path); err == nil {
		t.Fatal("a complete file stayed in the inbox")
	}
	journal, _ := os.ReadFile(filepath.Join(fx.ws.Home, "journal.jsonl"))
	if n := strings.Count(string(journal), "镇街执法检查_2022年1月.xlsx"); n != 1 {
		t.Errorf("the file was handled %d times", n)
	}
	if !strings.Contains(string(journal), `"periods":["2022-01"],"rows":30`) {
		t.Errorf("not imported whole:\n%s", journal)
	}
	if strings.Contains(string(journal), `"event":"reject"`) {
		t.Error("a partial file was refused along the way")
	}
}

func TestDueInstants(t *testing.T) {
	fx := newFixture(t, time.Date(2022, 1, 1, 0, 0, 0, 0, shanghai), nil)
	cfg := DefaultConfig()
	var got []string
	for _, at := range fx.svc.dueInstants(cfg.Quarterly, time.Date(2022, 1, 1, 0, 0, 0, 0, shanghai), time.Date(2022, 12, 31, 0, 0, 0, 0, shanghai)) {
		got = append(got, at.Format("01-02 15:04 MST")+" → "+reportFor(JobScorecard, at).period())
	}
	want := []string{"01-10 09:00 CST → 2021Q4", "04-10 09:00 CST → 2022Q1", "07-10 09:00 CST → 2022Q2", "10-10 09:00 CST → 2022Q3"}
	if !slices.Equal(got, want) {
		t.Errorf("quarterly %v, want %v", got, want)
	}
	monthly := fx.svc.dueInstants(cfg.Monthly, time.Date(2022, 1, 1, 0, 0, 0, 0, shanghai), time.Date(2022, 3, 31, 0, 0, 0, 0, shanghai))
	if len(monthly) != 3 || monthly[0].Format("2006-01-02 15:04") != "2022-01-05 09:00" || reportFor(JobBulletin, monthly[0]).period() != "2021-12" {
		t.Errorf("monthly %v", monthly)
	}
}

func TestInboxManyFilesAtOnce(t *testing.T) {
	fx := newFixture(t, time.Date(2022, 5, 20, 9, 0, 0, 0, shanghai), nil)
	ctx := context.Background()
	dir := filepath.Join(fx.ws.Home, "inbox")
	for m := 6; m <= 9; m++ {
		rows := [][]any{{"单位", "检查企业(家次)", "发现隐患(条)", "其中重大隐患(条)", "整改隐患(条)", "立案查处(起)", "罚款金额(万元)"}, {"区应急局", m, 1, 0, 1, 1, 1}}
		writeXLSX(t, filepath.Join(dir, fmt.Sprintf("部门执法_2021年%d月.xlsx", m)), rows)
	}
	os.WriteFile(filepath.Join(dir, "说明.txt"), []byte("not a spreadsheet"), 0o644)
	for range 2 {
		fx.clock.Advance(time.Minute)
		fx.svc.InboxRun(ctx)
	}
	if left, _ := os.ReadDir(dir); len(left) != 0 {
		t.Errorf("left in the inbox: %v", left)
	}
	journal, _ := os.ReadFile(filepath.Join(fx.ws.Home, "journal.jsonl"))
	if n := strings.Count(string(journal), `"file":"部门执法_2021年`); n != 4 {
		t.Errorf("%d of 4 files imported", n)
	}
	if list, _ := fx.ws.RejectedFiles(); len(list) != 1 || list[0].File != "说明.txt" {
		t.Errorf("the text file was not refused: %+v", list)
	}
}

// TestBusyAtDueTimeProducedLater: the workspace is locked (a long import)
// when the bulletin falls due; the run fails, is retried with backoff by
// the inbox watch's catch-up, and after a restart too: the bulletin is
// produced and delivered once. (It once stayed missing for good: catch-up
// went by the heartbeat, not by what was produced.)
func TestBusyAtDueTimeProducedLater(t *testing.T) {
	for _, restart := range []bool{false, true} {
		t.Run(fmt.Sprintf("restart=%v", restart), func(t *testing.T) {
			fx := newFixture(t, time.Date(2022, 4, 5, 9, 0, 0, 0, shanghai), nil)
			fx.ws.Config.Workspace.LockWaitSeconds = 0
			ctx := context.Background()
			fx.setLastSeen(t, time.Date(2022, 4, 5, 8, 0, 0, 0, shanghai))
			held, err := fx.ws.Lock(ctx, "import")
			if err != nil {
				t.Fatal(err)
			}
			if err := fx.svc.MonthlyRun(ctx); err == nil {
				t.Fatal("the bulletin was produced under a held lock")
			}
			st, _ := fx.ws.ReadServiceState()
			if st.Produced["bulletin 2022-03"] != 0 || !strings.Contains(st.Failures["bulletin 2022-03"], "工作区正被另一个 tongbao 进程") {
				t.Fatalf("after the failed run: produced %v, failures %v", st.Produced, st.Failures)
			}
			held.Release()
			svc := fx.svc
			if restart {
				svc, _ = New(fx.ws, DefaultConfig(), fx.clock, slog.New(slog.NewJSONHandler(fx.logs, nil)), map[string]Sender{ChannelFolder: FolderSender{}})
			}
			fx.clock.Advance(30 * time.Second) // inside the backoff: not yet
			svc.InboxRun(ctx)
			if st, _ = fx.ws.ReadServiceState(); st.Produced["bulletin 2022-03"] != 0 {
				t.Fatal("retried before its backoff")
			}
			fx.clock.Advance(time.Minute)
			svc.InboxRun(ctx)
			st, _ = fx.ws.ReadServiceState()
			if st.Produced["bulletin 2022-03"] != 1 || st.Failures["bulletin 2022-03"] != "" {
				t.Fatalf("not produced after the lock was released: %v %v", st.Produced, st.Failures)
			}
			if run := st.Jobs[JobBulletin]; !run.OK || !run.CatchUp {
				t.Errorf("the catch-up run is not shown as the job's last run: %+v", run)
			}
			if files, _ := filepath.Glob(filepath.Join(fx.out, "2022-03", "*")); len(files) != 2 {
				t.Errorf("delivered %v", files)
			}
			status, _ := ReadStatus(fx.ws, DefaultConfig(), fx.clock.Now())
			if text := status.Text(); !strings.Contains(text, "成功（补做）") {
				t.Errorf("status:\n%s", text)
			}
		})
	}
}

// TestRefusalMails: a file refused from the inbox that names one unit
// with a mailbox goes back to that unit, with its errors and the marked
// copy, once; a refused file of several units goes to the office.
func TestRefusalMails(t *testing.T) {
	srv, err := smtptest.Start(0)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	fx := newFixture(t, time.Date(2022, 4, 6, 9, 0, 0, 0, shanghai), func(fx *fixture) map[string]Sender {
		cfg := pipeline.SMTPConfig{Host: "127.0.0.1", Port: srv.Port(), Security: "none", From: "tongbao@example.org", To: []string{"leaders@example.org"}}
		fx.ws.Config.Delivery.SMTP = cfg
		fx.ws.Config.Delivery.Office = []string{"office@example.org"}
		fx.ws.Config.Delivery.Folder = ""
		return map[string]Sender{ChannelSMTP: &SMTPSender{Config: cfg}}
	})
	// 塘河镇 has a contact and a mailbox in units.xlsx.
	setContact(t, fx, "塘河镇", "李四", "tanghe@example.org")

	header := []any{"单位", "检查企业(家次)", "发现隐患(条)", "其中重大隐患(条)", "整改隐患(条)", "立案查处(起)", "罚款金额(万元)"}
	inbox := filepath.Join(fx.ws.Home, "inbox")
	writeXLSX(t, filepath.Join(inbox, "塘河镇执法检查_2022年3月.xlsx"), [][]any{header, {"塘河镇", 18, 20, 30, 15, 2, 1.5}})
	writeXLSX(t, filepath.Join(inbox, "两镇执法检查_2022年3月.xlsx"), [][]any{header, {"塘河镇", 18, 20, 0, 15, 2, 1.5}, {"四屏镇", "十", 1, 0, 1, 0, 0}})
	ctx := context.Background()
	fx.svc.InboxRun(ctx) // sees the files
	fx.clock.Advance(time.Minute)
	fx.svc.InboxRun(ctx) // imports (refuses) them, queues and sends the mails
	ds, _ := fx.ws.Deliveries()
	byTo := map[string]*pipeline.Delivery{}
	for _, d := range ds {
		if d.Kind == "refusal" {
			byTo[d.To] = d
		}
	}
	if len(byTo) != 2 || fx.logs == nil || byTo["tanghe@example.org"] == nil || byTo["office@example.org"] == nil {
		t.Fatalf("refusal deliveries %v\n%s", keys(byTo), fx.logs.b.String())
	}
	one := byTo["tanghe@example.org"]
	for _, want := range []string{"塘河镇 李四：", "报送的文件「塘河镇执法检查_2022年3月.xlsx」未通过校验，没有导入（1 个错误）", "单元格 D2", "重大隐患数不能大于发现隐患数"} {
		if !strings.Contains(one.Body, want) {
			t.Errorf("the unit's mail lacks %q:\n%s", want, one.Body)
		}
	}
	if office := byTo["office@example.org"].Body; strings.Contains(one.Body, "两镇") || !strings.Contains(office, "两镇执法检查_2022年3月.xlsx") || !strings.Contains(office, "单元格 B3") || !strings.HasPrefix(office, "安委办：") {
		t.Errorf("one unit's mail names another's errors, or the office's lacks them")
	}
	if len(one.AttachmentNames) != 1 || one.AttachmentNames[0] != "塘河镇执法检查_2022年3月（问题标注）.xlsx" {
		t.Errorf("attachments %v %v", one.Attachments, one.AttachmentNames)
	}
	msgs := srv.Messages()
	if len(msgs) != 2 {
		t.Fatalf("%d mails sent, want 2", len(msgs))
	}
	// The same file again: refused again, never mailed twice.
	writeXLSX(t, filepath.Join(inbox, "塘河镇执法检查_2022年3月.xlsx"), [][]any{header, {"塘河镇", 18, 20, 30, 15, 2, 1.5}})
	fx.clock.Advance(time.Minute)
	fx.svc.InboxRun(ctx)
	fx.clock.Advance(time.Minute)
	fx.svc.InboxRun(ctx)
	if n := len(srv.Messages()); n != 2 {
		t.Errorf("%d mails after the same file came again", n)
	}
}

func cellName(col, row int) string {
	n, _ := excelize.CoordinatesToCellName(col, row)
	return n
}

// setContact gives a unit a contact and a mailbox in units.xlsx.
func setContact(t *testing.T, fx *fixture, unit, contact, email string) {
	t.Helper()
	units := filepath.Join(fx.ws.Home, "units.xlsx")
	u, err := excelize.OpenFile(units)
	if err != nil {
		t.Fatal(err)
	}
	defer u.Close()
	sheet := u.GetSheetList()[0]
	rows, _ := u.GetRows(sheet)
	col := map[string]int{}
	cols, _ := u.GetCols(sheet)
	for i, c := range cols {
		if len(c) > 0 {
			col[c[0]] = i + 1
		}
	}
	if col["联系人"] == 0 || col["邮箱"] == 0 {
		t.Fatalf("units.xlsx columns %v", col)
	}
	for i, r := range rows {
		if len(r) > 0 && r[0] == unit {
			u.SetCellValue(sheet, cellName(col["联系人"], i+1), contact)
			u.SetCellValue(sheet, cellName(col["邮箱"], i+1), email)
		}
	}
	if err := u.Save(); err != nil {
		t.Fatal(err)
	}
}

// TestReminders: the day before the deadline the service mails 催报 to the
// units that have not reported and have a mailbox, once; on other days
// nothing.
func TestReminders(t *testing.T) {
	srv, err := smtptest.Start(0)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	fx := newFixture(t, time.Date(2022, 4, 1, 9, 0, 0, 0, shanghai), func(fx *fixture) map[string]Sender {
		cfg := pipeline.SMTPConfig{Host: "127.0.0.1", Port: srv.Port(), Security: "none", From: "tongbao@example.org", To: []string{"office@example.org"}}
		fx.ws.Config.Delivery.SMTP = cfg
		fx.ws.Config.Delivery.Folder = ""
		return map[string]Sender{ChannelSMTP: &SMTPSender{Config: cfg}}
	})
	setContact(t, fx, "塘河镇", "李四", "tanghe@example.org")   // not reported
	setContact(t, fx, "几江街道", "王五", "jijiang@example.org") // reported
	ctx := context.Background()
	if err := fx.svc.RemindRun(ctx); err != nil || len(srv.Messages()) != 0 {
		t.Fatalf("two days before the deadline: %v, %d mails", err, len(srv.Messages()))
	}
	fx.clock.Advance(24 * time.Hour) // 4月2日, the day before the deadline
	for range 2 {
		if err := fx.svc.RemindRun(ctx); err != nil {
			t.Fatal(err)
		}
	}
	msgs := srv.Messages()
	if len(msgs) != 1 {
		t.Fatalf("%d reminder mails, want 1 (塘河镇, once)", len(msgs))
	}
	ds, _ := fx.ws.Deliveries()
	var body string
	for _, d := range ds {
		if d.Kind == "reminder" {
			body = d.Subject + "\n" + d.Body
			if d.To != "tanghe@example.org" {
				t.Errorf("a reminder to %s", d.To)
			}
		}
	}
	for _, want := range []string{"【催报】2022年3月执法检查月报（截止4月3日）", "塘河镇 李四：", "江津区2022年3月的安全生产执法检查月报尚未收到，报送截止日为4月3日"} {
		if !strings.Contains(body, want) {
			t.Errorf("the reminder lacks %q:\n%s", want, body)
		}
	}
}

// TestApprovalFromTheCommandLine: with approval on, the monthly run writes
// a draft and delivers nothing; a 签发 made on the command line (another
// Workspace, as another process) is delivered by the running service's
// next look, with its 发文字号 and the signing day's date.
func TestApprovalFromTheCommandLine(t *testing.T) {
	fx := newFixture(t, time.Date(2022, 4, 5, 9, 0, 0, 0, shanghai), nil)
	fx.ws.Config.Delivery.Approval = true
	ctx := context.Background()
	if err := fx.svc.MonthlyRun(ctx); err != nil {
		t.Fatal(err)
	}
	fx.svc.DeliverPending(ctx)
	if ds, _ := fx.ws.Deliveries(); len(ds) != 0 {
		t.Fatalf("a draft was delivered: %+v", ds[0])
	}
	if len(fx.logs.events("report waits for approval")) != 1 {
		t.Error("the service did not log the waiting draft")
	}
	st, err := ReadStatus(fx.ws, DefaultConfig(), fx.clock.Now())
	if err != nil || len(st.Drafts) != 1 || st.Drafts[0].Period != "2022-03" || !strings.Contains(st.Text(), "待签发：2022-03 月度通报 第1版，签发：tongbao approve --month 2022-03") {
		t.Errorf("status before 签发: %+v %v", st, err)
	}
	fx.clock.Advance(26 * time.Hour) // signed on the 6th
	cli, err := pipeline.Open(fx.ws.Home, fx.clock.Now)
	if err != nil {
		t.Fatal(err)
	}
	cli.Config.Delivery = fx.ws.Config.Delivery
	out, err := cli.Approve(ctx, "2022-03", "命令行", 0)
	if err != nil || !out.Issued() {
		t.Fatalf("approve: %+v %v", out, err)
	}
	fx.clock.Advance(time.Minute)
	if err := fx.svc.InboxRun(ctx); err != nil {
		t.Fatal(err)
	}
	ds, _ := fx.ws.Deliveries()
	if len(ds) != 1 || ds[0].Version != 1 || ds[0].Status != pipeline.DeliverySent || strings.HasPrefix(ds[0].Subject, "【更正】") {
		t.Fatalf("deliveries after 签发: %+v", ds)
	}
	pdf := filepath.Join(fx.out, "2022-03", "江津区2022年3月安全生产执法检查和事故情况通报(v1).pdf")
	text, err := exec.Command("pdftotext", "-raw", pdf, "-").Output()
	if err != nil {
		t.Fatalf("pdftotext (.ci/run installs poppler-utils): %v", err)
	}
	squeezed := strings.Join(strings.Fields(string(text)), "")
	if !strings.Contains(squeezed, "江津安委办〔2022〕1号") || !strings.Contains(squeezed, "2022年4月6日") || strings.Contains(squeezed, "待签发稿") {
		t.Errorf("the delivered PDF is not the signed one:\n%.400s", squeezed)
	}
	if st, _ := ReadStatus(fx.ws, DefaultConfig(), fx.clock.Now()); len(st.Drafts) != 0 {
		t.Errorf("drafts after 签发: %+v", st.Drafts)
	}
	// The service's next monthly look changes nothing and sends nothing again.
	if err := fx.svc.MonthlyRun(ctx); err != nil {
		t.Fatal(err)
	}
	fx.svc.DeliverPending(ctx)
	if ds, _ := fx.ws.Deliveries(); len(ds) != 1 {
		t.Errorf("%d deliveries after another run", len(ds))
	}
}
