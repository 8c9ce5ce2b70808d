package web

import (
	"errors"
	"fmt"
	"net/http"
	"path/filepath"
	"strings"

	"tongbao"
	"tongbao/pipeline"
)

// Roles that submit files: reporters for their units, the office for all.
var submitters = []string{pipeline.RoleReporter, pipeline.RoleAdmin}

// submitPage shows the upload form and the account's submissions.
func (s *Server) submitPage(w http.ResponseWriter, r *request) {
	s.renderSubmit(w, http.StatusOK, r, "")
}

func (s *Server) renderSubmit(w http.ResponseWriter, status int, r *request, problem string) {
	ups, err := s.ws.Uploads(r.account.Name)
	if err != nil {
		problem = pipeline.Explain(err)
	}
	s.render(w, status, "submit.html", page{Title: "报送", Account: r.account, CSRF: r.sess.csrf, Error: problem, Data: ups})
}

// upload receives a file (multipart, within the import size limit),
// validates it at once and shows the result.
func (s *Server) upload(w http.ResponseWriter, r *request) {
	f, hdr, err := r.FormFile("file")
	if err != nil {
		s.renderSubmit(w, http.StatusBadRequest, r, "请选择要报送的文件。")
		return
	}
	defer f.Close()
	period := strings.TrimSpace(r.PostFormValue("period"))
	up, err := s.ws.ReceiveUpload(r.Context(), r.account, hdr.Filename, f, period)
	if err != nil {
		status := http.StatusInternalServerError
		if errors.Is(err, tongbao.CodeTooLarge) {
			status = http.StatusRequestEntityTooLarge
		}
		s.renderSubmit(w, status, r, pipeline.Explain(err))
		return
	}
	s.audit("upload", fmt.Sprintf("%s: %s (%s)", r.account.Name, up.Name, up.Status))
	http.Redirect(w, r.Request, "/submit/"+up.ID, http.StatusSeeOther)
}

// ownUpload finds the upload of the path's id that the account may see:
// its own, or any for a 管理员. Others get 404, not 403, so that ids of
// other units' uploads cannot be probed.
func (s *Server) ownUpload(w http.ResponseWriter, r *request) *pipeline.Upload {
	up, err := s.ws.GetUpload(r.PathValue("id"))
	if err != nil || (up.Account != r.account.Name && r.account.Role != pipeline.RoleAdmin) {
		// The same answer for another's upload and one that does not
		// exist: ids cannot be probed.
		s.fail(w, http.StatusForbidden, "没有这次报送，或不是您的报送。")
		return nil
	}
	return up
}

func (s *Server) uploadPage(w http.ResponseWriter, r *request) {
	if up := s.ownUpload(w, r); up != nil {
		s.render(w, http.StatusOK, "upload.html", page{Title: "报送结果", Account: r.account, CSRF: r.sess.csrf, Data: up})
	}
}

// markedCopy downloads a refused upload's marked copy.
func (s *Server) markedCopy(w http.ResponseWriter, r *request) {
	up := s.ownUpload(w, r)
	if up == nil {
		return
	}
	f, st, err := s.ws.OpenMarkedCopy(up)
	if err != nil {
		s.fail(w, http.StatusNotFound, "这次报送没有标注文件。")
		return
	}
	defer f.Close()
	download(w, r, f, st, strings.TrimSuffix(up.Name, filepath.Ext(up.Name))+"（问题标注）.xlsx", xlsxType)
}

// confirm imports a valid upload.
func (s *Server) confirm(w http.ResponseWriter, r *request) {
	up := s.ownUpload(w, r)
	if up == nil {
		return
	}
	p := page{Title: "报送结果", Account: r.account, CSRF: r.sess.csrf, Data: up}
	o, err := s.ws.ConfirmUpload(r.Context(), up, r.account)
	if err != nil {
		p.Error = pipeline.Explain(err)
		s.render(w, http.StatusConflict, "upload.html", p)
		return
	}
	s.audit("upload_confirmed", fmt.Sprintf("%s: %s", r.account.Name, up.Name))
	if up.Status == pipeline.UploadImported {
		p.Message = strings.TrimSpace(strings.SplitN(o.Text(), "\n", 2)[0])
	} else {
		p.Error = "导入时未通过校验，请重新报送。"
	}
	s.render(w, http.StatusOK, "upload.html", p)
}

// pathEscape percent-encodes a file name for Content-Disposition's
// filename* (RFC 5987 attr-char; url.PathEscape leaves , : ; = @ as they are).
func pathEscape(s string) string {
	var b strings.Builder
	for _, c := range []byte(s) {
		if c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.IndexByte("-._~", c) >= 0 {
			b.WriteByte(c)
		} else {
			fmt.Fprintf(&b, "%%%02X", c)
		}
	}
	return b.String()
}

// zeroReport files the ledger account's 本月无事故 for a month.
func (s *Server) zeroReport(w http.ResponseWriter, r *request) {
	m, err := tongbao.ParseMonth(strings.TrimSpace(r.PostFormValue("month")))
	if err != nil {
		s.renderSubmit(w, http.StatusBadRequest, r, "请填写月份，如 2022-03。")
		return
	}
	up, err := s.ws.ZeroReport(r.Context(), r.account, m)
	if err != nil {
		s.renderSubmit(w, http.StatusBadRequest, r, pipeline.Explain(err))
		return
	}
	s.audit("zero_report", fmt.Sprintf("%s: %s (%s)", r.account.Name, m, up.Status))
	http.Redirect(w, r.Request, "/submit/"+up.ID, http.StatusSeeOther)
}

// retractUpload takes back an imported upload (see pipeline.RetractUpload).
func (s *Server) retractUpload(w http.ResponseWriter, r *request) {
	up := s.ownUpload(w, r)
	if up == nil {
		return
	}
	p := page{Title: "报送结果", Account: r.account, CSRF: r.sess.csrf, Data: up}
	if err := s.ws.RetractUpload(r.Context(), up, r.account); err != nil {
		p.Error = pipeline.Explain(err)
		s.render(w, http.StatusConflict, "upload.html", p)
		return
	}
	s.audit("upload_retracted", fmt.Sprintf("%s: %s", r.account.Name, up.Name))
	p.Message = "已撤回：这次报送的数据不再计入；它替换过的数据恢复生效。"
	s.render(w, http.StatusOK, "upload.html", p)
}
