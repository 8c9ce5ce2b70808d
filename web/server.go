// Package web is the portal: units submit and fix their files in a
// browser, the office follows the collection and signs off, leaders read.
// It is a shell beside schedules over the same pipeline: the same import,
// scoring and report code as the command line.
package web

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"embed"
	"encoding/hex"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"tongbao"
	"tongbao/pipeline"
	"tongbao/scoring"
	"tongbao/sources"
)

//go:embed templates/*.html
var templateFS embed.FS

//go:embed static
var staticFS embed.FS

// Server is the portal's HTTP handler and its sessions.
type Server struct {
	ws  *pipeline.Workspace
	cfg Config
	now func() time.Time
	log *slog.Logger
	tls bool

	mu       sync.Mutex
	sessions map[string]*session
	failures map[string][]time.Time // "account:…" and "addr:…" → failed logins
	pages    *template.Template
}

// session is one logged-in browser.
type session struct {
	id, account, csrf string
	created, seen     time.Time
}

const (
	sessionCookie = "tongbao_session"
	loginCookie   = "tongbao_login" // the login form's CSRF token, before any session
)

// New makes the portal over a workspace; now is the clock (nil: time.Now).
func New(ws *pipeline.Workspace, cfg Config, now func() time.Time, log *slog.Logger) (*Server, error) {
	if now == nil {
		now = time.Now
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	pages, err := template.New("").Funcs(template.FuncMap{"role": pipeline.RoleLabel, "dataset": sources.DatasetLabel,
		"date":      func(t time.Time) string { return fmt.Sprintf("%d月%d日", t.Month(), t.Day()) },
		"neg":       func(n int) int { return -n },
		"esc":       url.PathEscape,
		"hasSuffix": strings.HasSuffix,
		"chg":       changeText,
		"pct":       percentText,
		"statusClass": func(status string) string {
			return map[string]string{scoring.StatusNormal: "ok", scoring.StatusAheadOfTime: "warn", scoring.StatusOverQuota: "bad"}[status]
		},
		"delta": func(m map[string]*delta, key string) string {
			if d := m[key]; d != nil {
				if d.Pct != nil {
					return d.Diff + "（" + *d.Pct + "）"
				}
				return d.Diff
			}
			return "—"
		}}).ParseFS(templateFS, "templates/*.html")
	if err != nil {
		return nil, fmt.Errorf("parse templates: %w", err)
	}
	return &Server{ws: ws, cfg: cfg, now: now, log: log, tls: cfg.TLSCert != "", sessions: map[string]*session{},
		failures: map[string][]time.Time{}, pages: pages}, nil
}

// overviewCheck is how often the dashboard's figures are brought up to
// date with the store in the background, so that no page waits for
// them after an import (the check itself is two stats when nothing changed).
const overviewCheck = 5 * time.Second

func (s *Server) keepOverviewWarm(ctx context.Context) {
	t := time.NewTicker(overviewCheck)
	defer t.Stop()
	for {
		if _, err := s.ws.Overview(ctx); err != nil && ctx.Err() == nil && tongbao.ErrorCode(err) != tongbao.ENoData {
			s.log.Warn("dashboard figures", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// ListenAndServe serves until ctx ends, then shuts down gracefully.
func (s *Server) ListenAndServe(ctx context.Context) error {
	srv := &http.Server{Addr: s.cfg.Listen, Handler: s.Handler(), ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout: 5 * time.Minute, WriteTimeout: 5 * time.Minute, IdleTimeout: 2 * time.Minute}
	ln, err := net.Listen("tcp", s.cfg.Listen)
	if err != nil {
		return fmt.Errorf("listen %s: %w", s.cfg.Listen, err)
	}
	go s.keepOverviewWarm(ctx)
	done := make(chan error, 1)
	go func() {
		if s.tls {
			done <- srv.ServeTLS(ln, s.cfg.TLSCert, s.cfg.TLSKey)
		} else {
			done <- srv.Serve(ln)
		}
	}()
	select {
	case <-ctx.Done():
		sctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		return srv.Shutdown(sctx)
	case err := <-done:
		if errors.Is(err, http.ErrServerClosed) {
			return nil
		}
		return err
	}
}

// Handler routes every page; each handler names the roles it admits.
func (s *Server) Handler() http.Handler {
	mux := http.NewServeMux()
	static, _ := fs.Sub(staticFS, "static")
	mux.Handle("GET /static/", http.StripPrefix("/static/", http.FileServerFS(static)))
	mux.HandleFunc("GET /login", s.loginPage)
	mux.HandleFunc("POST /login", s.login)
	mux.HandleFunc("POST /logout", s.require(anyRole, s.logout))
	mux.HandleFunc("GET /{$}", s.require(anyRole, s.home))
	mux.HandleFunc("GET /password", s.require(anyRole, s.passwordPage))
	mux.HandleFunc("POST /password", s.require(anyRole, s.changePassword))
	mux.HandleFunc("GET /submit", s.require(submitters, s.submitPage))
	mux.HandleFunc("POST /submit", s.require(submitters, s.upload))
	mux.HandleFunc("GET /submit/{id}", s.require(submitters, s.uploadPage))
	mux.HandleFunc("GET /submit/{id}/marked", s.require(submitters, s.markedCopy))
	mux.HandleFunc("POST /submit/{id}/confirm", s.require(submitters, s.confirm))
	mux.HandleFunc("POST /submit/{id}/retract", s.require(submitters, s.retractUpload))
	mux.HandleFunc("POST /submit/zero", s.require(submitters, s.zeroReport))
	mux.HandleFunc("GET /progress", s.require(followers, s.progressPage))
	mux.HandleFunc("POST /progress/remind", s.require(adminOnly, s.remind))
	mux.HandleFunc("GET /reports", s.require(followers, s.reportsPage))
	mux.HandleFunc("GET /reports/{period}/{file}", s.require(followers, s.reportFile))
	mux.HandleFunc("POST /reports/{period}/approve", s.require(adminOnly, s.approve))
	// 驾驶舱: each page and its JSON under the same roles (a reporter's
	// unit pages are checked for scope by unitView).
	mux.HandleFunc("GET /dashboard", s.require(followers, s.dashPage("dashboard.html", s.frontView)))
	mux.HandleFunc("GET /dashboard/trends", s.require(followers, s.dashPage("trends.html", s.trendsView)))
	mux.HandleFunc("GET /dashboard/quarter", s.require(followers, s.dashPage("quarter.html", s.quarterView)))
	mux.HandleFunc("GET /dashboard/unit/{unit}", s.require(anyRole, s.dashPage("unit.html", s.unitView)))
	mux.HandleFunc("GET /api/front", s.require(followers, s.dashAPI(s.frontView)))
	mux.HandleFunc("GET /api/trends", s.require(followers, s.dashAPI(s.trendsView)))
	mux.HandleFunc("GET /api/quarterview", s.require(followers, s.dashAPI(s.quarterView)))
	mux.HandleFunc("GET /api/unit/{unit}", s.require(anyRole, s.dashAPI(s.unitView)))
	mux.HandleFunc("GET /api/month/{month}", s.require(followers, s.dashAPI(s.monthScore)))
	mux.HandleFunc("GET /api/quarter/{quarter}", s.require(followers, s.dashAPI(s.quarterScore)))
	mux.HandleFunc("GET /admin/users", s.require(adminOnly, s.usersPage))
	mux.HandleFunc("POST /admin/users/reset", s.require(adminOnly, s.resetPassword))
	return securityHeaders(mux)
}

// securityHeaders: no inline script or foreign content, no framing, no
// MIME sniffing, no caching of pages that show a user's data.
func securityHeaders(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Security-Policy", "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'")
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Referrer-Policy", "same-origin")
		h.Set("Cache-Control", "no-store")
		next.ServeHTTP(w, r)
	})
}

func randomID() string {
	var b [32]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic(err) // crypto/rand never fails on supported systems
	}
	return hex.EncodeToString(b[:])
}

// current is the request's valid session and its account, or nil. The
// account is read again on every request, so that a disable or a password
// change made on the command line ends its sessions at once.
func (s *Server) current(r *http.Request) (*session, *pipeline.Account) {
	c, err := r.Cookie(sessionCookie)
	if err != nil {
		return nil, nil
	}
	now := s.now()
	s.mu.Lock()
	sess := s.sessions[c.Value]
	if sess != nil && (now.Sub(sess.seen) > time.Duration(s.cfg.IdleMinutes)*time.Minute || now.Sub(sess.created) > time.Duration(s.cfg.AbsoluteHours)*time.Hour) {
		delete(s.sessions, c.Value)
		sess = nil
	}
	s.mu.Unlock()
	if sess == nil {
		return nil, nil
	}
	a, err := s.ws.Account(sess.account)
	if err != nil || a.Disabled || a.PasswordSet.After(sess.created) {
		s.endSession(sess.id)
		return nil, nil
	}
	s.mu.Lock()
	sess.seen = now
	s.mu.Unlock()
	return sess, a
}

func (s *Server) endSession(id string) {
	s.mu.Lock()
	delete(s.sessions, id)
	s.mu.Unlock()
}

// startSession gives a fresh id at every login (never the one the browser
// brought) and sets the cookie.
func (s *Server) startSession(w http.ResponseWriter, account string) *session {
	now := s.now()
	sess := &session{id: randomID(), account: account, csrf: randomID(), created: now, seen: now}
	s.mu.Lock()
	s.sessions[sess.id] = sess
	s.mu.Unlock()
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: sess.id, Path: "/", HttpOnly: true, Secure: s.tls, SameSite: http.SameSiteStrictMode})
	return sess
}

// Role sets for require.
var (
	anyRole   = []string{pipeline.RoleReporter, pipeline.RoleAdmin, pipeline.RoleLeader}
	adminOnly = []string{pipeline.RoleAdmin}
)

// request is what a handler gets: the session and the account behind it.
type request struct {
	*http.Request
	sess    *session
	account *pipeline.Account
}

// require admits the given roles: no session sends a page request to the
// login page (and refuses anything else, 401); another role is 403; a
// POST without the session's CSRF token is 403.
func (s *Server) require(roles []string, h func(http.ResponseWriter, *request)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		sess, a := s.current(r)
		if sess == nil {
			if r.Method == http.MethodGet {
				http.Redirect(w, r, "/login", http.StatusSeeOther)
				return
			}
			s.fail(w, http.StatusUnauthorized, "未登录或登录已过期，请重新登录。")
			return
		}
		allowed := false
		for _, role := range roles {
			allowed = allowed || a.Role == role
		}
		if !allowed {
			s.fail(w, http.StatusForbidden, "没有权限访问此页面。")
			return
		}
		if r.Method == http.MethodPost {
			limit := int64(1 << 20)
			multipart := strings.HasPrefix(r.Header.Get("Content-Type"), "multipart/form-data")
			if multipart {
				limit += s.ws.Config.Import.MaxFileMB << 20
			}
			r.Body = http.MaxBytesReader(w, r.Body, limit)
			var perr error
			if multipart {
				perr = r.ParseMultipartForm(8 << 20)
			} else {
				perr = r.ParseForm()
			}
			if mbe := (*http.MaxBytesError)(nil); errors.As(perr, &mbe) {
				s.fail(w, http.StatusRequestEntityTooLarge, fmt.Sprintf("文件超过 %d MB 的上限，未接收。", s.ws.Config.Import.MaxFileMB))
				return
			}
			if subtle.ConstantTimeCompare([]byte(r.PostFormValue("csrf")), []byte(sess.csrf)) != 1 {
				s.fail(w, http.StatusForbidden, "表单已失效（缺少或不符的校验码），请刷新页面后重试。")
				return
			}
		}
		h(w, &request{Request: r, sess: sess, account: a})
	}
}

// page is the data every template gets.
type page struct {
	Title   string
	Account *pipeline.Account
	CSRF    string
	Message string // a notice (green)
	Error   string // a problem (red)
	Data    any
}

func (s *Server) render(w http.ResponseWriter, status int, name string, p page) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	if err := s.pages.ExecuteTemplate(w, name, p); err != nil {
		s.log.Error("render", "page", name, "err", err)
	}
}

func (s *Server) fail(w http.ResponseWriter, status int, msg string) {
	s.render(w, status, "error.html", page{Title: "出错了", Error: msg})
}

func (s *Server) audit(event, detail string) {
	if err := s.ws.Journal(pipeline.JournalEntry{Time: s.now(), Event: event, Detail: detail}); err != nil {
		s.log.Error("audit", "event", event, "err", err)
	}
}

// clientAddr is the peer's address without its port (the portal is
// reached directly on the office LAN, not through a proxy).
func clientAddr(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}
