package pipeline

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestJournalRepairedAfterCrashBeforeIt: an import interrupted after its
// catalog and before its journal entry is live but unrecorded; importing
// the file again says 已导入过 and writes the missing entry, once.
func TestJournalRepairedAfterCrashBeforeIt(t *testing.T) {
	ws := newWorkspace(t)
	file := filepath.Join(samplesDir, "部门执法检查月报_2022年3月.xlsx")
	crash := errors.New("simulated crash")
	ws.hooks.afterCatalog = func() error { return crash }
	if _, err := ws.ImportFiles(context.Background(), []string{file}, ImportOptions{}); !errors.Is(err, crash) {
		t.Fatalf("import error %v", err)
	}
	ws.hooks.afterCatalog = nil
	journal, _ := os.ReadFile(ws.path("journal.jsonl"))
	if bytes.Contains(journal, []byte(`"event":"import"`)) {
		t.Fatal("the crash came after the journal")
	}
	for range 2 {
		if o := importOne(t, ws, file, ImportOptions{}); o.Status != Duplicate {
			t.Fatalf("re-import: %s", o.Status)
		}
	}
	journal, _ = os.ReadFile(ws.path("journal.jsonl"))
	if n := bytes.Count(journal, []byte(`"event":"import"`)); n != 1 || !bytes.Contains(journal, []byte(`"rows":14`)) {
		t.Errorf("%d import entries:\n%s", n, journal)
	}
}

// TestLongChineseFileName: a name of 251 bytes (the file system allows
// 255) imports and is refused like any other: nothing tongbao writes
// lengthens it (temp names are short, kept files named by SHA-256).
func TestLongChineseFileName(t *testing.T) {
	ws := newWorkspace(t)
	dir := t.TempDir()
	stem := strings.Repeat("镇", 80) + "执法_2022年3月" // 240 + 18 bytes
	for len(stem)+len(".csv") > 251 {
		stem = strings.TrimPrefix(stem, "镇")
	}
	good := filepath.Join(dir, stem+".csv")
	os.WriteFile(good, []byte("单位,检查企业(家次),发现隐患(条),其中重大隐患(条),整改隐患(条),立案查处(起),罚款金额(万元)\n几江街道,1,1,0,1,1,0.5\n"), 0o644)
	if o := importOne(t, ws, good, ImportOptions{}); o.Status != Imported {
		t.Fatalf("%d-byte name: %s", len(filepath.Base(good)), o.Text())
	}
	bad := filepath.Join(dir, strings.Replace(stem, "执法", "执法错", 1)[3:]+".csv")
	os.WriteFile(bad, []byte("单位,检查企业(家次),发现隐患(条),其中重大隐患(条),整改隐患(条),立案查处(起),罚款金额(万元)\n火星镇,1,1,0,1,1,0.5\n"), 0o644)
	o := importOne(t, ws, bad, ImportOptions{})
	if o.Status != Rejected || len(o.Rejected) != 3 {
		t.Fatalf("%d-byte name refused: %s", len(filepath.Base(bad)), o.Text())
	}
	if list, _ := ws.RejectedFiles(); len(list) != 1 || list[0].File != filepath.Base(bad) {
		t.Errorf("rejected list %+v", list)
	}
}

// TestMessagesInChinese: what a library or the system says reaches the
// analyst as a Chinese cause, never as its English text.
func TestMessagesInChinese(t *testing.T) {
	ws := newWorkspace(t)
	dir := t.TempDir()
	sample, _ := os.ReadFile(filepath.Join(samplesDir, "部门执法检查月报_2022年3月.xlsx"))
	files := map[string][]byte{
		"截断_2022年3月.xlsx":   sample[:len(sample)/2],
		"不是表格_2022年3月.xlsx": []byte("PK\x03\x04 this is not a zip at all"),
		"空文件.xlsx":          {},
	}
	want := map[string]string{
		"截断_2022年3月.xlsx":   "文件已损坏或不完整",
		"不是表格_2022年3月.xlsx": "文件已损坏或不完整",
		"空文件.xlsx":          "文件为空",
		"不存在.xlsx":          "文件不存在",
	}
	for name, data := range files {
		os.WriteFile(filepath.Join(dir, name), data, 0o644)
	}
	for name, fragment := range want {
		o := importOne(t, ws, filepath.Join(dir, name), ImportOptions{})
		text := o.Text()
		if o.Status != Rejected || !strings.Contains(text, fragment) {
			t.Errorf("%s: %s", name, text)
		}
		for _, english := range []string{"zip: ", "EOF", "no such file", "invalid", "not a valid"} {
			if strings.Contains(text, english) {
				t.Errorf("%s: English in %q", name, text)
			}
		}
	}
	for err, fragment := range map[error]string{
		&os.PathError{Op: "open", Path: "x", Err: os.ErrNotExist}: "文件不存在",
		context.DeadlineExceeded:                                  "操作超时",
	} {
		if got := Explain(err); !strings.Contains(got, fragment) {
			t.Errorf("Explain(%v) = %q", err, got)
		}
	}
}

// TestDebrisRemovedUnderItsLock: temp files left by killed runs are
// removed by the next holder of the lock their writers take, and only
// those: a service's temp files wait for the service's own lock.
func TestDebrisRemovedUnderItsLock(t *testing.T) {
	ws := newWorkspace(t)
	locked := []string{ws.path("store", "enforcement", "period=2022-03", tempLocked+"ab12.tmp"), ws.path("archive", tempLocked+"cd34.tmp"), ws.path(tempLocked + "ef56.tmp")}
	service := ws.path("outbox", tempService+"9999.tmp")
	theirs := ws.path("inbox", tempLocked+"0000.tmp") // the analysts' folder is theirs
	for _, p := range append(append(locked, service), theirs) {
		os.MkdirAll(filepath.Dir(p), 0o755)
		os.WriteFile(p, make([]byte, 1000), 0o644)
	}
	if d := ws.CountDebris(); d.Files != 4 || d.Bytes != 4000 {
		t.Fatalf("counted %+v", d)
	}
	l, err := ws.Lock(context.Background(), "import")
	if err != nil {
		t.Fatal(err)
	}
	l.Release()
	for _, p := range locked {
		if _, err := os.Stat(p); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("%s left", p)
		}
	}
	for _, p := range []string{service, theirs} {
		if _, err := os.Stat(p); err != nil {
			t.Errorf("%s removed: %v", p, err)
		}
	}
	sl, err := ws.LockService(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	defer sl.Release()
	if _, err := os.Stat(service); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("the service's debris left after it started")
	}
	if _, err := ws.LockService(context.Background()); !errors.Is(err, ErrLocked) {
		t.Errorf("a second service lock: %v", err)
	}
}
