package bench

import (
	"context"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"testing"
	"time"

	"tongbao/pipeline"
	"tongbao/web"
)

// dashboardServer is the portal over the demo's two years (data only),
// with a 领导 logged in: the client answers as a leader's browser does.
func dashboardServer(b *testing.B) (*pipeline.Workspace, *http.Client, string) {
	b.Helper()
	home := filepath.Join(os.TempDir(), "tongbao-bench", "dashboard")
	ctx := context.Background()
	if _, err := os.Stat(filepath.Join(home, "catalog.json")); err != nil {
		if _, err := pipeline.Demo(ctx, home, pipeline.DemoOptions{Seed: 2022, DataOnly: true}); err != nil {
			b.Fatal(err)
		}
	}
	ws, err := pipeline.Open(home, nil)
	if err != nil {
		b.Fatal(err)
	}
	const password = "bench-password-1"
	if err := ws.AddAccount(ctx, pipeline.AccountInput{Name: "benchleader", Role: pipeline.RoleLeader, Password: password}); err != nil {
		if err := ws.SetPassword(ctx, "benchleader", password); err != nil {
			b.Fatal(err)
		}
	}
	s, err := web.New(ws, web.DefaultConfig(), nil, nil)
	if err != nil {
		b.Fatal(err)
	}
	srv := httptest.NewServer(s.Handler())
	b.Cleanup(srv.Close)
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := c.Get(srv.URL + "/login")
	if err != nil {
		b.Fatal(err)
	}
	page, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	token := regexp.MustCompile(`name="csrf" value="([0-9a-f]+)"`).FindSubmatch(page)
	resp, err = c.PostForm(srv.URL+"/login", url.Values{"name": {"benchleader"}, "password": {password}, "csrf": {string(token[1])}})
	if err != nil || resp.StatusCode != http.StatusSeeOther {
		b.Fatalf("login: %v %v", resp.Status, err)
	}
	resp.Body.Close()
	return ws, c, srv.URL
}

func fetch(b *testing.B, c *http.Client, url string) {
	resp, err := c.Get(url)
	if err != nil {
		b.Fatal(err)
	}
	n, _ := io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || n < 1000 {
		b.Fatalf("%s: %s, %d bytes", url, resp.Status, n)
	}
}

// BenchmarkDashboard: each page and its chart JSON as a browser asks for
// them, with the overview computed (cached per store version); and the
// overview's computation itself, as after every import.
func BenchmarkDashboard(b *testing.B) {
	ws, c, base := dashboardServer(b)
	pages := []struct{ name, path string }{
		{"front", "/dashboard"},
		{"front-api", "/api/front"},
		{"unit", "/dashboard/unit/" + url.PathEscape("珞璜镇")},
		{"unit-api", "/api/unit/" + url.PathEscape("珞璜镇")},
		{"trends-24", "/dashboard/trends"},
		{"trends-api-24", "/api/trends?months=24"},
		{"quarter", "/dashboard/quarter"},
	}
	for _, p := range pages {
		b.Run(p.name, func(b *testing.B) {
			fetch(b, c, base+p.path) // the overview, computed once
			b.ResetTimer()
			for range b.N {
				fetch(b, c, base+p.path)
			}
		})
	}
	b.Run("overview-after-import", func(b *testing.B) {
		catalog := filepath.Join(ws.Home, "catalog.json")
		for range b.N {
			// A new modification time is a new store version, as an import makes.
			now := time.Now()
			os.Chtimes(catalog, now, now)
			if _, err := ws.Overview(context.Background()); err != nil {
				b.Fatal(err)
			}
		}
	})
}
