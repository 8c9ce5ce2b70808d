package web

import (
	"fmt"
	"net"

	"tongbao/pipeline"
)

// Config is [web] in tongbao.toml: where the portal listens and how long
// sessions live.
type Config struct {
	Listen  string `toml:"listen"`   // host:port; "" turns the portal off
	TLSCert string `toml:"tls_cert"` // PEM files; both or neither
	TLSKey  string `toml:"tls_key"`
	// A session ends after IdleMinutes without a request, and after
	// AbsoluteHours whatever happens.
	IdleMinutes   int `toml:"idle_minutes"`
	AbsoluteHours int `toml:"absolute_hours"`
	// LoginFailures within LoginWindowMinutes lock an account and an
	// address out for the rest of the window.
	LoginFailures      int `toml:"login_failures"`
	LoginWindowMinutes int `toml:"login_window_minutes"`
}

// DefaultConfig listens on the machine itself only; the office sets its
// LAN address.
func DefaultConfig() Config {
	return Config{Listen: "127.0.0.1:8080", IdleMinutes: 30, AbsoluteHours: 12, LoginFailures: 5, LoginWindowMinutes: 15}
}

// Validate names the first bad key.
func (c Config) Validate() error {
	if c.Listen != "" {
		if _, _, err := net.SplitHostPort(c.Listen); err != nil {
			return fmt.Errorf("web.listen must be host:port, got %q", c.Listen)
		}
	}
	if (c.TLSCert == "") != (c.TLSKey == "") {
		return fmt.Errorf("web.tls_cert and web.tls_key go together")
	}
	switch {
	case c.IdleMinutes < 1:
		return fmt.Errorf("web.idle_minutes must be ≥ 1, got %d", c.IdleMinutes)
	case c.AbsoluteHours < 1:
		return fmt.Errorf("web.absolute_hours must be ≥ 1, got %d", c.AbsoluteHours)
	case c.LoginFailures < 1:
		return fmt.Errorf("web.login_failures must be ≥ 1, got %d", c.LoginFailures)
	case c.LoginWindowMinutes < 1:
		return fmt.Errorf("web.login_window_minutes must be ≥ 1, got %d", c.LoginWindowMinutes)
	}
	return nil
}

// LoadConfig reads [web] from the workspace's tongbao.toml.
func LoadConfig(ws *pipeline.Workspace) (Config, error) {
	c := DefaultConfig()
	return c, ws.LoadSection("web", &c)
}

// ConfigText documents [web] in the tongbao.toml init writes.
const ConfigText = `
# 门户（tongbao serve 提供的网页）：各单位在浏览器中报送，安委办查看进度、签发，领导查看
[web]
# 监听地址：默认只在本机；办公室局域网使用时改为本机的局域网地址，如 "192.168.1.20:8080"；留空不启动门户
listen = "127.0.0.1:8080"
# 启用 HTTPS 时的证书和私钥（PEM 文件）；留空用 HTTP
tls_cert = ""
tls_key = ""
# 登录后无操作多少分钟退出，以及最长保持多少小时
idle_minutes = 30
absolute_hours = 12
# 同一账号或同一地址在多少分钟内登录失败多少次后暂停登录
login_failures = 5
login_window_minutes = 15
`
