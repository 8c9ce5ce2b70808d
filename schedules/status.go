package schedules

import (
	"fmt"
	"sort"
	"strings"
	"time"

	"tongbao/pipeline"
)

// JobStatus is one job's last and next run.
type JobStatus struct {
	Name    string    `json:"name"`
	Label   string    `json:"label"`
	Cron    string    `json:"cron"`
	LastRun time.Time `json:"last_run,omitzero"`
	LastOK  bool      `json:"last_ok"`
	CatchUp bool      `json:"catch_up,omitempty"` // the last run was a catch-up
	Error   string    `json:"error,omitempty"`
	NextRun time.Time `json:"next_run"`
}

// Status is what `tongbao status` shows.
type Status struct {
	Now       time.Time                       `json:"now"`
	LastSeen  time.Time                       `json:"service_last_seen,omitzero"`
	Jobs      []JobStatus                     `json:"jobs"`
	Inbox     []string                        `json:"inbox"`
	Ignored   map[string]pipeline.IgnoredFile `json:"ignored"` // inbox entries that are not regular files
	Rejected  []pipeline.RejectedInfo         `json:"rejected"`
	Unsent    []*pipeline.Delivery            `json:"unsent"`
	Failures  map[string]string               `json:"failures"`
	Waiting   []string                        `json:"waiting"` // due reports without any data yet
	Produced  map[string]int                  `json:"produced"`
	SentCount int                             `json:"sent"`
	Debris    pipeline.Debris                 `json:"debris"` // temporary files left by interrupted runs
	Drafts    []Draft                         `json:"drafts"` // versions waiting for 签发
}

// Draft is a version waiting for 签发 (approval on, or held).
type Draft struct {
	Period  string `json:"period"`
	Title   string `json:"title"`
	Version int    `json:"version"`
	State   string `json:"state"`
	Held    string `json:"held,omitempty"`
}

var jobLabels = map[string]string{JobInbox: "收件箱检查", JobBulletin: "月度通报", JobScorecard: "季度评估", JobReminders: "催报"}

// ReadStatus gathers the status of a workspace's service at now.
func ReadStatus(ws *pipeline.Workspace, cfg Config, now time.Time) (*Status, error) {
	st, err := ws.ReadServiceState()
	if err != nil {
		return nil, err
	}
	loc := ws.Location()
	s := &Status{Now: now.In(loc), LastSeen: st.LastSeen, Inbox: []string{}, Rejected: []pipeline.RejectedInfo{}, Unsent: []*pipeline.Delivery{},
		Failures: st.Failures, Produced: st.Produced, Ignored: st.Ignored, Debris: ws.CountDebris(), Waiting: []string{}}
	for k := range st.Waiting {
		s.Waiting = append(s.Waiting, k)
	}
	sort.Strings(s.Waiting)
	for _, j := range []struct{ name, expr string }{{JobInbox, cfg.Inbox}, {JobBulletin, cfg.Monthly}, {JobScorecard, cfg.Quarterly}, {JobReminders, cfg.Reminders}} {
		js := JobStatus{Name: j.name, Label: jobLabels[j.name], Cron: j.expr}
		if r, ok := st.Jobs[j.name]; ok {
			js.LastRun, js.LastOK, js.Error, js.CatchUp = r.At.In(loc), r.OK, r.Error, r.CatchUp
		}
		if sched, err := cronParser.Parse(j.expr); err == nil {
			js.NextRun = sched.Next(now.In(loc))
		}
		s.Jobs = append(s.Jobs, js)
	}
	files, err := ws.Inbox()
	if err != nil {
		return nil, err
	}
	for _, f := range files {
		if f.Special == "" {
			s.Inbox = append(s.Inbox, f.Name)
		} else if _, ok := s.Ignored[f.Name]; !ok {
			if s.Ignored == nil {
				s.Ignored = map[string]pipeline.IgnoredFile{}
			}
			s.Ignored[f.Name] = pipeline.IgnoredFile{What: f.Special, Since: f.ModTime}
		}
	}
	if s.Rejected, err = ws.RejectedFiles(); err != nil {
		return nil, err
	}
	if s.Rejected == nil {
		s.Rejected = []pipeline.RejectedInfo{}
	}
	ds, err := ws.Deliveries()
	if err != nil {
		return nil, err
	}
	prs, err := ws.Reports(true)
	if err != nil {
		return nil, err
	}
	s.Drafts = []Draft{}
	for _, pr := range prs {
		for _, v := range pr.Versions {
			if v.Signable {
				s.Drafts = append(s.Drafts, Draft{Period: pr.Period, Title: pr.Title, Version: v.Version.Version, State: v.State, Held: v.Held})
			}
		}
	}
	for _, d := range ds {
		if d.Status == pipeline.DeliverySent {
			s.SentCount++
		} else {
			s.Unsent = append(s.Unsent, d)
		}
	}
	return s, nil
}

func when(t time.Time) string {
	if t.IsZero() {
		return "—"
	}
	return t.Format("2006-01-02 15:04")
}

// Text is the status in Chinese, readable at a glance.
func (s *Status) Text() string {
	var b strings.Builder
	fmt.Fprintf(&b, "tongbao 服务状态（%s）\n", when(s.Now))
	if s.LastSeen.IsZero() {
		b.WriteString("服务：从未运行\n")
	} else {
		fmt.Fprintf(&b, "服务最近一次在运行：%s\n", when(s.LastSeen.In(s.Now.Location())))
	}
	b.WriteString("\n任务          上次运行          结果    下次运行\n")
	for _, j := range s.Jobs {
		last, result := when(j.LastRun), "从未运行"
		if !j.LastRun.IsZero() {
			result = "成功"
			if !j.LastOK {
				result = "失败：" + j.Error
			}
			if j.CatchUp {
				result += "（补做）"
			}
		}
		fmt.Fprintf(&b, "%s  %-16s  %s  %s\n", padCJK(j.Label, 12), last, padCJK(result, 6), when(j.NextRun))
	}
	fmt.Fprintf(&b, "\n收件箱待导入：%d 个文件", len(s.Inbox))
	if len(s.Inbox) > 0 {
		b.WriteString("（" + strings.Join(s.Inbox, "、") + "）")
	}
	if len(s.Ignored) > 0 {
		names := make([]string, 0, len(s.Ignored))
		for n := range s.Ignored {
			names = append(names, n)
		}
		sort.Strings(names)
		fmt.Fprintf(&b, "\n收件箱中不是普通文件、未读取：%d 个", len(names))
		for _, n := range names {
			fmt.Fprintf(&b, "\n  「%s」是%s（自 %s），请删除它并放入文件本身", n, s.Ignored[n].What, when(s.Ignored[n].Since.In(s.Now.Location())))
		}
	}
	fmt.Fprintf(&b, "\n已拒收待改正：%d 个文件", len(s.Rejected))
	for i, r := range s.Rejected {
		if i == 20 {
			fmt.Fprintf(&b, "\n  ……共 %d 个，见 rejected/ 文件夹", len(s.Rejected))
			break
		}
		fmt.Fprintf(&b, "\n  「%s」%s 拒收，%d 个错误（rejected/%s.errors.xlsx）", r.File, when(r.At.In(s.Now.Location())), r.Errors, r.SHA256)
	}
	fmt.Fprintf(&b, "\n已投送：%d 份；未投送：%d 份\n", s.SentCount, len(s.Unsent))
	for _, d := range s.Unsent {
		state := "等待发送"
		if d.Attempts > 0 {
			state = fmt.Sprintf("发送失败 %d 次，下次重试 %s：%s", d.Attempts, when(d.NextAttempt.In(s.Now.Location())), d.LastError)
		}
		fmt.Fprintf(&b, "  %s → %s：%s\n", d.Subject, d.To, state)
	}
	for _, d := range s.Drafts {
		flag := "--month"
		if d.Title != "月度通报" {
			flag = "--quarter"
		}
		fmt.Fprintf(&b, "待签发：%s %s 第%d版", d.Period, d.Title, d.Version)
		if d.Held != "" {
			fmt.Fprintf(&b, "（暂缓：%s）", d.Held)
		}
		fmt.Fprintf(&b, "，签发：tongbao approve %s %s\n", flag, d.Period)
	}
	if s.Debris.Files > 0 {
		fmt.Fprintf(&b, "中断的运行留下的临时文件：%d 个，%.1f MB（下次写入工作区时自动清除）\n", s.Debris.Files, float64(s.Debris.Bytes)/(1<<20))
	}
	if len(s.Waiting) > 0 {
		var names []string
		for _, k := range s.Waiting {
			names = append(names, dueLabel(k))
		}
		if len(names) > 6 {
			names = append(names[:3], "……", names[len(names)-1])
		}
		fmt.Fprintf(&b, "已到期但还没有任何数据（数据到后自动生成）：%d 期（%s）\n", len(s.Waiting), strings.Join(names, "、"))
	}
	if len(s.Failures) > 0 {
		keys := make([]string, 0, len(s.Failures))
		for k := range s.Failures {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		b.WriteString("未能完成：\n")
		for _, k := range keys {
			fmt.Fprintf(&b, "  %s：%s\n", dueLabel(k), s.Failures[k])
		}
	}
	return b.String()
}

func padCJK(s string, w int) string {
	n := 0
	for _, r := range s {
		if r > 0x2E80 {
			n += 2
		} else {
			n++
		}
	}
	if n < w {
		s += strings.Repeat(" ", w-n)
	}
	return s
}

// dueLabel names a state key in Chinese: "bulletin 2022-03" → 月度通报 2022-03.
func dueLabel(key string) string {
	kind, rest, _ := strings.Cut(key, " ")
	switch kind {
	case JobBulletin:
		return "月度通报 " + rest
	case JobScorecard:
		return "季度评估 " + rest
	case "inbox":
		return "收件箱文件「" + rest + "」"
	}
	return key
}
