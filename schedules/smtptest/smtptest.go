// Package smtptest runs an SMTP server on loopback for tests of delivery,
// as net/http/httptest does for HTTP: it can refuse the first transactions
// with a temporary error, then keeps every message it accepts.
package smtptest

import (
	"bufio"
	"bytes"
	"fmt"
	"net"
	"net/mail"
	"strings"
	"sync"
)

// Server is a minimal SMTP server: EHLO, MAIL, RCPT, DATA, RSET, NOOP, QUIT.
type Server struct {
	ln       net.Listener
	mu       sync.Mutex
	refuse   int
	messages [][]byte
	ids      map[string]int
}

// Start listens on a loopback port. The first refuse MAIL commands are
// answered 451 (try again later).
func Start(refuse int) (*Server, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("listen: %w", err)
	}
	s := &Server{ln: ln, refuse: refuse, ids: map[string]int{}}
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go s.serve(c)
		}
	}()
	return s, nil
}

// Port is the TCP port the server listens on.
func (s *Server) Port() int { return s.ln.Addr().(*net.TCPAddr).Port }

// Close stops accepting connections.
func (s *Server) Close() error { return s.ln.Close() }

// Messages returns the accepted messages, dot-unstuffed, in order.
func (s *Server) Messages() [][]byte {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([][]byte(nil), s.messages...)
}

// Counts returns how many messages were accepted and how many distinct
// Message-IDs they carried: the difference is the duplicates.
func (s *Server) Counts() (total, distinct int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.messages), len(s.ids)
}

func (s *Server) serve(c net.Conn) {
	defer c.Close()
	r := bufio.NewReader(c)
	say := func(line string) { fmt.Fprintf(c, "%s\r\n", line) }
	say("220 smtptest ESMTP")
	for {
		line, err := r.ReadString('\n')
		if err != nil {
			return
		}
		switch cmd := strings.ToUpper(strings.TrimSpace(line)); {
		case strings.HasPrefix(cmd, "EHLO"), strings.HasPrefix(cmd, "HELO"):
			say("250-smtptest")
			say("250 8BITMIME")
		case strings.HasPrefix(cmd, "MAIL"):
			s.mu.Lock()
			refuse := s.refuse > 0
			if refuse {
				s.refuse--
			}
			s.mu.Unlock()
			if refuse {
				say("451 4.3.0 try again later")
				continue
			}
			say("250 ok")
		case strings.HasPrefix(cmd, "RCPT"), cmd == "RSET", cmd == "NOOP":
			say("250 ok")
		case cmd == "DATA":
			say("354 go ahead")
			var msg bytes.Buffer
			for {
				l, err := r.ReadString('\n')
				if err != nil {
					return
				}
				if l == ".\r\n" {
					break
				}
				msg.WriteString(strings.TrimPrefix(l, "."))
			}
			id := ""
			if m, err := mail.ReadMessage(bytes.NewReader(msg.Bytes())); err == nil {
				id = m.Header.Get("Message-Id")
			}
			s.mu.Lock()
			s.messages = append(s.messages, msg.Bytes())
			s.ids[id]++
			s.mu.Unlock()
			say("250 queued")
		case cmd == "QUIT":
			say("221 bye")
			return
		default:
			say("502 not implemented")
		}
	}
}
