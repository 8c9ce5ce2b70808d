package web

import (
	"fmt"
	"net/http"
	"strings"

	"tongbao"
	"tongbao/pipeline"
)

// Roles that follow the collection: the office, and leaders reading.
var followers = []string{pipeline.RoleAdmin, pipeline.RoleLeader}

// progressPage is 报送进度: a month's collection per unit (default: the
// month before the current one, the one being collected).
func (s *Server) progressPage(w http.ResponseWriter, r *request) {
	m, ok := s.monthOf(w, r.URL.Query().Get("month"))
	if ok {
		s.renderProgress(w, http.StatusOK, r, m, "", "")
	}
}

// monthOf reads a month parameter ("" : the month being collected).
func (s *Server) monthOf(w http.ResponseWriter, v string) (tongbao.Month, bool) {
	now := s.ws.Now().In(s.ws.Location())
	m := tongbao.Month{Year: now.Year(), Month: int(now.Month())}.Add(-1)
	if v == "" {
		return m, true
	}
	m, err := tongbao.ParseMonth(v)
	if err != nil {
		s.fail(w, http.StatusBadRequest, "无法识别的月份「"+v+"」（如 2022-03）。")
		return m, false
	}
	return m, true
}

// remind queues 催报 mails for the month's units that have not reported
// (one unit when the form names it); the service sends them.
func (s *Server) remind(w http.ResponseWriter, r *request) {
	m, ok := s.monthOf(w, r.PostFormValue("month"))
	if !ok {
		return
	}
	var units []string
	if u := r.PostFormValue("unit"); u != "" {
		units = []string{u}
	}
	queued, err := s.ws.QueueReminders(r.Context(), m, pipeline.RemindButton, units)
	if err != nil {
		s.renderProgress(w, http.StatusConflict, r, m, "", pipeline.Explain(err))
		return
	}
	s.audit("remind", fmt.Sprintf("%s: %s %v", r.account.Name, m, queued))
	msg := "没有需要催报的单位（已报送、今天已催报过，或单位名录中没有邮箱）。"
	if len(queued) > 0 {
		msg = fmt.Sprintf("已催报 %d 个单位：%s。邮件由服务发送。", len(queued), strings.Join(queued, "、"))
	}
	s.renderProgress(w, http.StatusOK, r, m, msg, "")
}

func (s *Server) renderProgress(w http.ResponseWriter, status int, r *request, m tongbao.Month, msg, problem string) {
	p, err := s.ws.Progress(r.Context(), m)
	if err != nil {
		s.fail(w, http.StatusInternalServerError, pipeline.Explain(err))
		return
	}
	s.render(w, status, "progress.html", page{Title: "报送进度", Account: r.account, CSRF: r.sess.csrf, Message: msg, Error: problem, Data: struct {
		*pipeline.Progress
		Prev, Next tongbao.Month
	}{p, m.Add(-1), m.Add(1)}})
}
