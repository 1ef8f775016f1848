// Package email sends notices over SMTP: one email per group of notices
// and one per digest, each with a plain-text and an HTML part (the HTML
// built with html/template, so upstream text is escaped). STARTTLS is
// required, or TLS from the first byte on port 465, unless the receiver
// says insecure_plaintext for a local relay; credentials are never sent
// over a connection that is not encrypted unless it says so.
package email

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"net/mail"
	"net/smtp"
	"net/textproto"
	"strconv"
	"strings"
	"time"

	"github.com/driftwatch/driftwatch/notify"
	"github.com/driftwatch/driftwatch/watcher"
)

// DefaultTimeout bounds one email's whole SMTP conversation.
const DefaultTimeout = 60 * time.Second

// Config is an email receiver.
type Config struct {
	Name string
	Host string
	Port int // default 587; 465 speaks TLS from the first byte
	From string
	To   []string
	// Username and Password authenticate (AUTH PLAIN); secrets.
	Username, Password string
	// InsecurePlaintext allows a relay without TLS (a local relay).
	InsecurePlaintext bool
	// TLS is the client TLS configuration (nil: the system's roots and
	// Host as the server name); tests set their own roots.
	TLS *tls.Config
	// PublicURL is the daemon's web view: emails link to the findings'
	// pages.
	PublicURL string
	// Timeout bounds one email (DefaultTimeout when 0).
	Timeout time.Duration
	// Now is the clock of the Date header; time.Now when nil.
	Now func() time.Time
}

// Notifier sends notices by email.
type Notifier struct{ cfg Config }

var _ watcher.Notifier = (*Notifier)(nil)

// New checks cfg and returns a Notifier.
func New(cfg Config) (*Notifier, error) {
	switch {
	case cfg.Host == "":
		return nil, errors.New("email: host is required")
	case cfg.From == "" || len(cfg.To) == 0:
		return nil, errors.New("email: from and to are required")
	}
	if cfg.Port == 0 {
		cfg.Port = 587
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = DefaultTimeout
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	return &Notifier{cfg: cfg}, nil
}

// MaxBatch is how many notices one email carries.
func (n *Notifier) MaxBatch() int { return 20 }

// Deliver sends the notices of one group as one email, and each digest as
// its own.
func (n *Notifier) Deliver(ctx context.Context, notices []watcher.Notice) error {
	var findings []watcher.Notice
	for _, nt := range notices {
		switch {
		case nt.Finding != nil:
			findings = append(findings, nt)
		case nt.Digest != nil:
			m, err := digestMail(nt)
			if err != nil {
				return &watcher.PermanentError{Err: err}
			}
			if err := n.send(ctx, m); err != nil {
				return err
			}
		}
	}
	if len(findings) == 0 {
		return nil
	}
	m, err := noticesMail(findings, n.cfg.PublicURL)
	if err != nil {
		return &watcher.PermanentError{Err: err}
	}
	return n.send(ctx, m)
}

// Test sends a test email.
func (n *Notifier) Test(ctx context.Context) error {
	return n.send(ctx, testMail())
}

func (n *Notifier) send(ctx context.Context, m message) error {
	ctx, cancel := context.WithTimeout(ctx, n.cfg.Timeout)
	defer cancel()
	err := n.converse(ctx, m)
	return notify.Redact(classify(err), n.cfg.Password)
}

// converse holds one SMTP conversation: connect, EHLO, STARTTLS, AUTH,
// MAIL, RCPT, DATA, QUIT.
func (n *Notifier) converse(ctx context.Context, m message) error {
	addr := net.JoinHostPort(n.cfg.Host, strconv.Itoa(n.cfg.Port))
	tlsCfg := n.cfg.TLS
	if tlsCfg == nil {
		tlsCfg = &tls.Config{ServerName: n.cfg.Host, MinVersion: tls.VersionTLS12}
	}
	var d net.Dialer
	conn, err := d.DialContext(ctx, "tcp", addr)
	if err != nil {
		return fmt.Errorf("email: connect: %w", err)
	}
	if dl, ok := ctx.Deadline(); ok {
		_ = conn.SetDeadline(dl)
	}
	stop := context.AfterFunc(ctx, func() { conn.Close() })
	defer stop()
	encrypted := false
	if n.cfg.Port == 465 {
		conn = tls.Client(conn, tlsCfg)
		encrypted = true
	}
	c, err := smtp.NewClient(conn, n.cfg.Host)
	if err != nil {
		conn.Close()
		return fmt.Errorf("email: greeting: %w", err)
	}
	defer c.Close()
	if err := c.Hello("driftwatch.localhost"); err != nil {
		return fmt.Errorf("email: EHLO: %w", err)
	}
	if !encrypted {
		if ok, _ := c.Extension("STARTTLS"); ok {
			if err := c.StartTLS(tlsCfg); err != nil {
				return watcher.Setup("TLS failed", fmt.Errorf("email: STARTTLS: %w", err))
			}
			encrypted = true
		} else if !n.cfg.InsecurePlaintext {
			return watcher.Setup("no STARTTLS", watcher.Refused(errors.New("email: the server does not offer STARTTLS; set insecure_plaintext = true only for a local relay")))
		}
	}
	if n.cfg.Username != "" {
		if ok, _ := c.Extension("AUTH"); !ok {
			return watcher.Setup("no AUTH", watcher.Refused(errors.New("email: the server does not offer AUTH, but a username is set")))
		}
		if err := c.Auth(plainAuth{username: n.cfg.Username, password: n.cfg.Password, host: n.cfg.Host, encrypted: encrypted || n.cfg.InsecurePlaintext}); err != nil {
			return fmt.Errorf("email: AUTH: %w", err)
		}
	}
	if err := c.Mail(envelope(n.cfg.From)); err != nil {
		return fmt.Errorf("email: MAIL FROM: %w", err)
	}
	for _, to := range n.cfg.To {
		if err := c.Rcpt(envelope(to)); err != nil {
			return fmt.Errorf("email: RCPT TO %s: %w", to, err)
		}
	}
	w, err := c.Data()
	if err != nil {
		return fmt.Errorf("email: DATA: %w", err)
	}
	if _, err := w.Write(m.bytes(n.cfg.From, n.cfg.To, n.cfg.Now())); err != nil {
		return fmt.Errorf("email: DATA: %w", err)
	}
	if err := w.Close(); err != nil {
		return fmt.Errorf("email: DATA: %w", err)
	}
	_ = c.Quit()
	return nil
}

// envelope is the bare address of "Name <a@b>" for MAIL FROM and RCPT TO;
// the headers keep the name.
func envelope(addr string) string {
	if a, err := mail.ParseAddress(addr); err == nil {
		return a.Address
	}
	return addr
}

// plainAuth is AUTH PLAIN (RFC 4616). Unlike net/smtp's, it may be used
// over plaintext when the receiver allows it (insecure_plaintext); net/smtp
// allows that for localhost only.
type plainAuth struct {
	username, password, host string
	encrypted                bool
}

func (a plainAuth) Start(server *smtp.ServerInfo) (string, []byte, error) {
	if !a.encrypted {
		return "", nil, errors.New("refusing to send credentials over an unencrypted connection")
	}
	if server.Name != a.host {
		return "", nil, errors.New("wrong host name")
	}
	return "PLAIN", []byte("\x00" + a.username + "\x00" + a.password), nil
}

func (a plainAuth) Next(_ []byte, more bool) ([]byte, error) {
	if more {
		return nil, errors.New("unexpected server challenge")
	}
	return nil, nil
}

// classify turns an SMTP answer into what the engine acts on: a rejected
// login or mailbox is a setup error, a 4xx a refusal to retry, another
// 5xx a permanent rejection of the message.
func classify(err error) error {
	if err == nil {
		return nil
	}
	var tp *textproto.Error
	if !errors.As(err, &tp) {
		return err
	}
	reason := fmt.Sprintf("SMTP %d", tp.Code)
	switch {
	case tp.Code == 530 || tp.Code == 534 || tp.Code == 535 || tp.Code == 538 || tp.Code == 454 && strings.Contains(err.Error(), "AUTH"):
		return watcher.Setup(reason, watcher.Refused(err))
	case tp.Code == 550 || tp.Code == 551 || tp.Code == 553 || tp.Code == 554:
		return watcher.Setup(reason, watcher.Refused(err))
	case tp.Code >= 400 && tp.Code < 500:
		return watcher.Refused(err)
	}
	return &watcher.PermanentError{Err: err}
}
