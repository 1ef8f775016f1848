package email_test

import (
	"crypto/tls"
	"io"
	"mime"
	"mime/multipart"
	"net/mail"
	"strings"
	"testing"
	"time"

	"github.com/driftwatch/driftwatch/notify/email"
	"github.com/driftwatch/driftwatch/providers/providertest"
	"github.com/driftwatch/driftwatch/watcher"
)

func finding() *watcher.Finding {
	return &watcher.Finding{ID: 9, Source: "auth0-spa-js", Rule: "release.major_available", Severity: watcher.Warning,
		Category: watcher.ThirdParty, Title: `v3.0.0 released <script>alert(1)</script>`, State: watcher.Open,
		Excerpt: "Drops support for <b>IE11</b> & old browsers"}
}

func parts(t *testing.T, data string) (subject string, plain, html string) {
	t.Helper()
	m, err := mail.ReadMessage(strings.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	subject, _ = new(mime.WordDecoder).DecodeHeader(m.Header.Get("Subject"))
	_, params, err := mime.ParseMediaType(m.Header.Get("Content-Type"))
	if err != nil {
		t.Fatal(err)
	}
	r := multipart.NewReader(m.Body, params["boundary"])
	for {
		p, err := r.NextPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(p)
		switch {
		case strings.HasPrefix(p.Header.Get("Content-Type"), "text/plain"):
			plain = string(b)
		case strings.HasPrefix(p.Header.Get("Content-Type"), "text/html"):
			html = string(b)
		}
	}
	return subject, plain, html
}

func TestSTARTTLSAuthAndBothParts(t *testing.T) {
	cert := providertest.NewTestCert()
	srv := providertest.NewSMTP(cert.Server)
	defer srv.Close()
	srv.RequireAuth("alerts", "pa55")
	n, err := email.New(email.Config{Host: srv.Host(), Port: srv.Port(), From: "Driftwatch <driftwatch@example.com>",
		To: []string{"platform@example.com", "Öncall <oncall@example.com>"}, Username: "alerts", Password: "pa55",
		TLS: &tls.Config{RootCAs: cert.Roots, ServerName: "127.0.0.1"}})
	if err != nil {
		t.Fatal(err)
	}
	f := finding()
	if err := n.Deliver(t.Context(), []watcher.Notice{{ID: 1, Kind: watcher.NoticeOpened, Finding: f, CreatedAt: time.Now()}}); err != nil {
		t.Fatal(err)
	}
	msgs := srv.Messages()
	if len(msgs) != 1 {
		t.Fatalf("%d messages", len(msgs))
	}
	m := msgs[0]
	if !m.TLS || m.User != "alerts" || len(m.To) != 2 || m.To[1] != "oncall@example.com" || m.From != "driftwatch@example.com" {
		t.Fatalf("message %+v", m)
	}
	subject, plain, html := parts(t, m.Data)
	if !strings.Contains(subject, "WARNING") || !strings.Contains(subject, "v3.0.0 released") {
		t.Errorf("subject %q", subject)
	}
	if !strings.Contains(plain, "driftwatch ack 9") || !strings.Contains(plain, "IE11") {
		t.Errorf("plain part:\n%s", plain)
	}
	if strings.Contains(html, "<script>") || strings.Contains(html, "<b>IE11") || !strings.Contains(html, "&lt;script&gt;") {
		t.Errorf("upstream text not escaped in the HTML part:\n%s", html)
	}
}

func TestPlaintextRefusedUnlessInsecure(t *testing.T) {
	srv := providertest.NewSMTP(nil) // no STARTTLS
	defer srv.Close()
	srv.RequireAuth("relay", "pw")
	srv.AllowPlainAuth()
	cfg := email.Config{Host: srv.Host(), Port: srv.Port(), From: "d@example.com", To: []string{"t@example.com"},
		Username: "relay", Password: "pw"}
	n, _ := email.New(cfg)
	err := n.Test(t.Context())
	if reason, ok := watcher.SetupReason(err); !ok || reason != "no STARTTLS" {
		t.Fatalf("without TLS: %v", err)
	}
	if len(srv.Messages()) != 0 {
		t.Fatal("a message went out over plaintext")
	}
	cfg.InsecurePlaintext = true
	n, _ = email.New(cfg)
	if err := n.Test(t.Context()); err != nil {
		t.Fatalf("insecure_plaintext: %v", err)
	}
	if m := srv.Messages(); len(m) != 1 || m[0].TLS || m[0].User != "relay" {
		t.Fatalf("messages %+v", m)
	}
}

func TestDigestIsOneEmailAndBadLoginIsSetup(t *testing.T) {
	cert := providertest.NewTestCert()
	srv := providertest.NewSMTP(cert.Server)
	defer srv.Close()
	srv.RequireAuth("alerts", "right")
	cfg := email.Config{Host: srv.Host(), Port: srv.Port(), From: "d@example.com", To: []string{"t@example.com"},
		Username: "alerts", Password: "wrong-password", TLS: &tls.Config{RootCAs: cert.Roots, ServerName: "127.0.0.1"}}
	n, _ := email.New(cfg)
	d := &watcher.Digest{Since: time.Date(2026, 8, 1, 0, 0, 0, 0, time.UTC), Until: time.Date(2026, 8, 8, 0, 0, 0, 0, time.UTC),
		Sources: []watcher.DigestSource{{Name: "a", Type: "feed", Snapshots: 2, Opened: []watcher.Finding{*finding()}}, {Name: "b", Type: "feed"}}}
	nt := watcher.Notice{ID: 5, Kind: watcher.NoticeDigest, Digest: d}
	err := n.Deliver(t.Context(), []watcher.Notice{nt})
	if reason, ok := watcher.SetupReason(err); !ok || reason != "SMTP 535" || strings.Contains(err.Error(), "wrong-password") {
		t.Fatalf("bad login: %v", err)
	}
	cfg.Password = "right"
	n, _ = email.New(cfg)
	if err := n.Deliver(t.Context(), []watcher.Notice{nt}); err != nil {
		t.Fatal(err)
	}
	msgs := srv.Messages()
	if len(msgs) != 1 {
		t.Fatalf("%d emails for one digest", len(msgs))
	}
	subject, plain, _ := parts(t, msgs[0].Data)
	if subject != "[driftwatch] digest 2026-08-01 – 2026-08-08" || !strings.Contains(plain, "No changes: b") {
		t.Errorf("subject %q, plain:\n%s", subject, plain)
	}
}
