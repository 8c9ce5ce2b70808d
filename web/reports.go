package web

import (
	"fmt"
	"io/fs"
	"net/http"
	"os"
	"strings"

	"tongbao/pipeline"
)

// reportsPage is 通报: every period's versions, newest first, with their
// files and whether they were delivered.
func (s *Server) reportsPage(w http.ResponseWriter, r *request) {
	s.renderReports(w, http.StatusOK, r, "", "")
}

func (s *Server) renderReports(w http.ResponseWriter, status int, r *request, msg, problem string) {
	prs, err := s.ws.Reports(r.account.Role == pipeline.RoleAdmin)
	if err != nil {
		s.fail(w, http.StatusInternalServerError, pipeline.Explain(err))
		return
	}
	s.render(w, status, "reports.html", page{Title: "通报", Account: r.account, CSRF: r.sess.csrf, Message: msg, Error: problem, Data: struct {
		Periods  []pipeline.PeriodReports
		Approval bool
	}{prs, s.ws.Config.Delivery.Approval}})
}

// approve is the 签发 button: the period's waiting draft is numbered,
// dated and handed to delivery (the service sends it).
func (s *Server) approve(w http.ResponseWriter, r *request) {
	period := r.PathValue("period")
	out, err := s.ws.Approve(r.Context(), period, r.account.Name, 0)
	if err != nil {
		s.renderReports(w, http.StatusConflict, r, "", pipeline.Explain(err))
		return
	}
	s.audit("approve", fmt.Sprintf("%s: %s v%d %s stale=%t", r.account.Name, period, out.Version, out.Number, out.Stale))
	switch {
	case out.Stale && out.Issued():
		s.renderReports(w, http.StatusOK, r, fmt.Sprintf("生成待签发稿之后数据有变化，未签发原稿；按新数据生成的第%d版（%s）未报送单位已不多，%s。", out.Version, out.Number, out.DeliveryNote()), "")
	case out.Stale:
		s.renderReports(w, http.StatusConflict, r, "", fmt.Sprintf("未签发：生成待签发稿之后数据有变化，已生成新的待签发稿第%d版，请核对后再签发。", out.Version))
	default:
		s.renderReports(w, http.StatusOK, r, fmt.Sprintf("已签发 %s 第%d版（%s），%s。", period, out.Version, out.Number, out.DeliveryNote()), "")
	}
}

// reportFile downloads one file of a version (only files a version lists).
func (s *Server) reportFile(w http.ResponseWriter, r *request) {
	name := r.PathValue("file")
	f, st, err := s.ws.OpenReportFile(r.PathValue("period"), name, r.account.Role == pipeline.RoleAdmin)
	if err != nil {
		s.fail(w, http.StatusNotFound, "没有这个文件。")
		return
	}
	defer f.Close()
	ctype := "application/pdf"
	if strings.HasSuffix(name, ".xlsx") {
		ctype = xlsxType
	}
	download(w, r, f, st, name, ctype)
}

const xlsxType = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

// download sends an opened file as an attachment named name.
func download(w http.ResponseWriter, r *request, f *os.File, st fs.FileInfo, name, ctype string) {
	w.Header().Set("Content-Type", ctype)
	w.Header().Set("Content-Disposition", "attachment; filename*=UTF-8''"+pathEscape(name))
	http.ServeContent(w, r.Request, "", st.ModTime(), f)
}
