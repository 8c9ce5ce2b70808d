package web

import (
	"net/http"

	"tongbao"
	"tongbao/pipeline"
)

// Roles that follow the collection: the office, and leaders reading.
var followers = []string{pipeline.RoleAdmin, pipeline.RoleLeader}

// progressPage is 报送进度: a month's collection per unit (default: the
// month before the current one, the one being collected).
func (s *Server) progressPage(w http.ResponseWriter, r *request) {
	now := s.ws.Now().In(s.ws.Location())
	m := tongbao.Month{Year: now.Year(), Month: int(now.Month())}.Add(-1)
	if v := r.URL.Query().Get("month"); v != "" {
		var err error
		if m, err = tongbao.ParseMonth(v); err != nil {
			s.fail(w, http.StatusBadRequest, "无法识别的月份「"+v+"」（如 2022-03）。")
			return
		}
	}
	p, err := s.ws.Progress(r.Context(), m)
	if err != nil {
		s.fail(w, http.StatusInternalServerError, pipeline.Explain(err))
		return
	}
	s.render(w, http.StatusOK, "progress.html", page{Title: "报送进度", Account: r.account, CSRF: r.sess.csrf, Data: struct {
		*pipeline.Progress
		Prev, Next tongbao.Month
	}{p, m.Add(-1), m.Add(1)}})
}
