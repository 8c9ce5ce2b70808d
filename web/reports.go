package web

import (
	"net/http"
	"os"
	"path/filepath"
	"strings"

	"tongbao/pipeline"
)

// reportsPage is 通报: every period's versions, newest first, with their
// files and whether they were delivered.
func (s *Server) reportsPage(w http.ResponseWriter, r *request) {
	prs, err := s.ws.Reports()
	if err != nil {
		s.fail(w, http.StatusInternalServerError, pipeline.Explain(err))
		return
	}
	s.render(w, http.StatusOK, "reports.html", page{Title: "通报", Account: r.account, CSRF: r.sess.csrf, Data: prs})
}

// reportFile downloads one file of a version (only files a version lists).
func (s *Server) reportFile(w http.ResponseWriter, r *request) {
	path, ok := s.ws.ReportFile(r.PathValue("period"), r.PathValue("file"))
	if !ok {
		s.fail(w, http.StatusNotFound, "没有这个文件。")
		return
	}
	f, err := os.Open(path)
	if err != nil {
		s.fail(w, http.StatusNotFound, "没有这个文件。")
		return
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil || !st.Mode().IsRegular() {
		s.fail(w, http.StatusNotFound, "没有这个文件。")
		return
	}
	ctype := "application/pdf"
	if strings.HasSuffix(path, ".xlsx") {
		ctype = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
	}
	w.Header().Set("Content-Type", ctype)
	w.Header().Set("Content-Disposition", "attachment; filename*=UTF-8''"+pathEscape(filepath.Base(path)))
	http.ServeContent(w, r.Request, "", st.ModTime(), f)
}
