package web

import (
	"crypto/subtle"
	"net/http"
	"strings"
	"time"

	"tongbao/pipeline"
)

// throttled reports whether an account or an address has failed too many
// logins within the window; it forgets failures older than the window.
func (s *Server) throttled(keys ...string) bool {
	window := time.Duration(s.cfg.LoginWindowMinutes) * time.Minute
	now := s.now()
	s.mu.Lock()
	defer s.mu.Unlock()
	locked := false
	for _, k := range keys {
		kept := s.failures[k][:0]
		for _, t := range s.failures[k] {
			if now.Sub(t) < window {
				kept = append(kept, t)
			}
		}
		if len(kept) == 0 {
			delete(s.failures, k)
		} else {
			s.failures[k] = kept
		}
		locked = locked || len(kept) >= s.cfg.LoginFailures
	}
	return locked
}

func (s *Server) recordFailure(keys ...string) {
	now := s.now()
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, k := range keys {
		s.failures[k] = append(s.failures[k], now)
	}
}

// loginPage shows the form with a token of its own (double submit: the
// cookie and the field must match), since there is no session yet.
func (s *Server) loginPage(w http.ResponseWriter, r *http.Request) {
	if sess, _ := s.current(r); sess != nil {
		http.Redirect(w, r, "/", http.StatusSeeOther)
		return
	}
	s.renderLogin(w, http.StatusOK, "")
}

func (s *Server) renderLogin(w http.ResponseWriter, status int, msg string) {
	token := randomID()
	http.SetCookie(w, &http.Cookie{Name: loginCookie, Value: token, Path: "/login", HttpOnly: true, Secure: s.tls, SameSite: http.SameSiteStrictMode})
	s.render(w, status, "login.html", page{Title: "登录", CSRF: token, Error: msg})
}

func (s *Server) login(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
	c, err := r.Cookie(loginCookie)
	if err != nil || subtle.ConstantTimeCompare([]byte(c.Value), []byte(r.PostFormValue("csrf"))) != 1 {
		s.renderLogin(w, http.StatusForbidden, "登录表单已失效，请重新输入。")
		return
	}
	name := strings.TrimSpace(r.PostFormValue("name"))
	addr := clientAddr(r)
	keys := []string{"account:" + name, "addr:" + addr}
	if s.throttled(keys...) {
		s.audit("login_throttled", name+" @ "+addr)
		s.renderLogin(w, http.StatusTooManyRequests, "登录失败次数过多，请稍后再试。")
		return
	}
	a, ok := s.ws.CheckPassword(name, r.PostFormValue("password"))
	if !ok {
		s.recordFailure(keys...)
		s.audit("login_failed", name+" @ "+addr)
		s.renderLogin(w, http.StatusUnauthorized, "账号或密码不对，或账号已停用。")
		return
	}
	// A session the browser brought is not reused (session fixation).
	if old, err := r.Cookie(sessionCookie); err == nil {
		s.endSession(old.Value)
	}
	s.startSession(w, a.Name)
	s.audit("login", a.Name+" @ "+addr)
	http.Redirect(w, r, "/", http.StatusSeeOther)
}

func (s *Server) logout(w http.ResponseWriter, r *request) {
	s.endSession(r.sess.id)
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: "", Path: "/", MaxAge: -1, HttpOnly: true, Secure: s.tls, SameSite: http.SameSiteStrictMode})
	s.audit("logout", r.account.Name)
	http.Redirect(w, r.Request, "/login", http.StatusSeeOther)
}

func (s *Server) home(w http.ResponseWriter, r *request) {
	s.render(w, http.StatusOK, "home.html", page{Title: "首页", Account: r.account, CSRF: r.sess.csrf})
}

func (s *Server) passwordPage(w http.ResponseWriter, r *request) {
	s.render(w, http.StatusOK, "password.html", page{Title: "修改密码", Account: r.account, CSRF: r.sess.csrf})
}

// changePassword changes one's own password (the old one first); the
// browser gets a new session, every other session of the account ends.
func (s *Server) changePassword(w http.ResponseWriter, r *request) {
	p := page{Title: "修改密码", Account: r.account, CSRF: r.sess.csrf}
	if _, ok := s.ws.CheckPassword(r.account.Name, r.PostFormValue("old")); !ok {
		p.Error = "原密码不对。"
		s.render(w, http.StatusBadRequest, "password.html", p)
		return
	}
	if r.PostFormValue("new") != r.PostFormValue("again") {
		p.Error = "两次输入的新密码不一致。"
		s.render(w, http.StatusBadRequest, "password.html", p)
		return
	}
	if err := s.ws.SetPassword(r.Context(), r.account.Name, r.PostFormValue("new")); err != nil {
		p.Error = pipeline.Explain(err)
		s.render(w, http.StatusBadRequest, "password.html", p)
		return
	}
	s.audit("password", r.account.Name)
	// The password is newer than this session: this browser gets a new
	// one and stays in.
	s.endSession(r.sess.id)
	sess := s.startSession(w, r.account.Name)
	a, _ := s.ws.Account(r.account.Name)
	s.render(w, http.StatusOK, "password.html", page{Title: "修改密码", Account: a, CSRF: sess.csrf, Message: "密码已修改。其他已登录的浏览器需要重新登录。"})
}

// usersPage lists the accounts for a 管理员.
func (s *Server) usersPage(w http.ResponseWriter, r *request) {
	s.renderUsers(w, http.StatusOK, r, "", "")
}

func (s *Server) renderUsers(w http.ResponseWriter, status int, r *request, msg, problem string) {
	all, err := s.ws.Accounts()
	if err != nil {
		problem = pipeline.Explain(err)
	}
	s.render(w, status, "users.html", page{Title: "账号管理", Account: r.account, CSRF: r.sess.csrf, Message: msg, Error: problem, Data: all})
}

// resetPassword: a 管理员 sets another account's password.
func (s *Server) resetPassword(w http.ResponseWriter, r *request) {
	name := r.PostFormValue("name")
	if err := s.ws.SetPassword(r.Context(), name, r.PostFormValue("password")); err != nil {
		s.renderUsers(w, http.StatusBadRequest, r, "", pipeline.Explain(err))
		return
	}
	s.audit("password_reset", name+" by "+r.account.Name)
	s.renderUsers(w, http.StatusOK, r, "已重设「"+name+"」的密码，其已登录的浏览器需要重新登录。", "")
}
