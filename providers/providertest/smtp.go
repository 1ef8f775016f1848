package providertest

import (
	"bufio"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/pem"
	"fmt"
	"math/big"
	"net"
	"strconv"
	"strings"
	"sync"
	"time"
)

// SMTP is a simulated mail server speaking enough of SMTP for a client:
// EHLO/HELO, STARTTLS (with a test certificate), AUTH PLAIN, MAIL, RCPT,
// DATA, RSET, NOOP, QUIT. It offers STARTTLS when made with TLS, and AUTH
// only over TLS unless AllowPlainAuth; it records every message accepted,
// with whether the session was encrypted and who logged in. Reject makes
// it refuse a command with a code.
type SMTP struct {
	ln  net.Listener
	tls *tls.Config

	mu       sync.Mutex
	user     string
	pass     string
	plain    bool
	messages []SMTPMessage
	reject   map[string]int // command -> code
	wg       sync.WaitGroup
}

// SMTPMessage is one accepted email.
type SMTPMessage struct {
	From string
	To   []string
	Data string
	TLS  bool
	User string
}

// NewSMTP starts a simulated mail server on loopback; tlsCfg (nil: none)
// enables STARTTLS.
func NewSMTP(tlsCfg *tls.Config) *SMTP {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		panic(err)
	}
	s := &SMTP{ln: ln, tls: tlsCfg, reject: map[string]int{}}
	s.wg.Add(1)
	go s.accept()
	return s
}

// Host and Port are where to connect.
func (s *SMTP) Host() string { return "127.0.0.1" }

// Port is the listening port.
func (s *SMTP) Port() int { return s.ln.Addr().(*net.TCPAddr).Port }

// Close stops the server.
func (s *SMTP) Close() {
	s.ln.Close()
	s.wg.Wait()
}

// RequireAuth makes MAIL need AUTH PLAIN with these credentials.
func (s *SMTP) RequireAuth(user, pass string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.user, s.pass = user, pass
}

// AllowPlainAuth offers AUTH without TLS (a local relay).
func (s *SMTP) AllowPlainAuth() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.plain = true
}

// Reject makes the server answer code to a command ("RCPT", "DATA",
// "MAIL", "AUTH"); code 0 stops rejecting it.
func (s *SMTP) Reject(command string, code int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if code == 0 {
		delete(s.reject, command)
		return
	}
	s.reject[command] = code
}

// Messages returns the accepted messages, oldest first.
func (s *SMTP) Messages() []SMTPMessage {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]SMTPMessage(nil), s.messages...)
}

func (s *SMTP) accept() {
	defer s.wg.Done()
	for {
		c, err := s.ln.Accept()
		if err != nil {
			return
		}
		s.wg.Add(1)
		go func() {
			defer s.wg.Done()
			s.session(c)
		}()
	}
}

func (s *SMTP) rejects(cmd string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.reject[cmd]
}

func (s *SMTP) session(c net.Conn) {
	defer c.Close()
	_ = c.SetDeadline(time.Now().Add(30 * time.Second))
	r, w := bufio.NewReader(c), bufio.NewWriter(c)
	say := func(format string, args ...any) {
		fmt.Fprintf(w, format+"\r\n", args...)
		w.Flush()
	}
	s.mu.Lock()
	needUser, needPass, plainAuth := s.user, s.pass, s.plain
	s.mu.Unlock()
	var (
		encrypted bool
		user      string
		msg       *SMTPMessage
	)
	say("220 smtp.test ESMTP simulated")
	for {
		line, err := r.ReadString('\n')
		if err != nil {
			return
		}
		line = strings.TrimRight(line, "\r\n")
		verb, arg, _ := strings.Cut(line, " ")
		verb = strings.ToUpper(verb)
		if code := s.rejects(verb); code != 0 {
			say("%d simulated rejection of %s", code, verb)
			continue
		}
		switch verb {
		case "EHLO", "HELO":
			lines := []string{"smtp.test"}
			if s.tls != nil && !encrypted {
				lines = append(lines, "STARTTLS")
			}
			if needUser != "" && (encrypted || plainAuth) {
				lines = append(lines, "AUTH PLAIN")
			}
			lines = append(lines, "8BITMIME")
			for i, l := range lines {
				sep := "-"
				if i == len(lines)-1 {
					sep = " "
				}
				say("250%s%s", sep, l)
			}
		case "STARTTLS":
			if s.tls == nil || encrypted {
				say("502 STARTTLS not available")
				continue
			}
			say("220 go ahead")
			tc := tls.Server(c, s.tls)
			if err := tc.Handshake(); err != nil {
				return
			}
			c, encrypted = tc, true
			r, w = bufio.NewReader(c), bufio.NewWriter(c)
		case "AUTH":
			if needUser == "" || (!encrypted && !plainAuth) {
				say("503 AUTH not available")
				continue
			}
			mech, resp, _ := strings.Cut(arg, " ")
			if !strings.EqualFold(mech, "PLAIN") {
				say("504 unrecognized authentication type")
				continue
			}
			if resp == "" {
				say("334 ")
				l, err := r.ReadString('\n')
				if err != nil {
					return
				}
				resp = strings.TrimSpace(l)
			}
			b, err := base64.StdEncoding.DecodeString(resp)
			parts := strings.Split(string(b), "\x00")
			if err != nil || len(parts) != 3 || parts[1] != needUser || parts[2] != needPass {
				say("535 5.7.8 authentication credentials invalid")
				continue
			}
			user = parts[1]
			say("235 2.7.0 authentication succeeded")
		case "MAIL":
			if needUser != "" && user == "" {
				say("530 5.7.0 authentication required")
				continue
			}
			msg = &SMTPMessage{From: addr(arg), TLS: encrypted, User: user}
			say("250 ok")
		case "RCPT":
			if msg == nil {
				say("503 need MAIL first")
				continue
			}
			msg.To = append(msg.To, addr(arg))
			say("250 ok")
		case "DATA":
			if msg == nil || len(msg.To) == 0 {
				say("503 need RCPT first")
				continue
			}
			say("354 end with <CRLF>.<CRLF>")
			var data strings.Builder
			for {
				l, err := r.ReadString('\n')
				if err != nil {
					return
				}
				if l == ".\r\n" {
					break
				}
				data.WriteString(strings.TrimPrefix(l, "."))
			}
			msg.Data = data.String()
			s.mu.Lock()
			s.messages = append(s.messages, *msg)
			s.mu.Unlock()
			msg = nil
			say("250 ok queued")
		case "RSET":
			msg = nil
			say("250 ok")
		case "NOOP":
			say("250 ok")
		case "QUIT":
			say("221 bye")
			return
		default:
			say("500 unrecognized command")
		}
	}
}

// addr takes the address out of "FROM:<a@b> SIZE=1".
func addr(arg string) string {
	_, v, _ := strings.Cut(arg, ":")
	v = strings.TrimSpace(v)
	if i := strings.Index(v, ">"); i >= 0 {
		v = v[:i+1]
	}
	return strings.Trim(v, "<>")
}

// TestCert is a self-signed certificate for 127.0.0.1 and localhost,
// with the pool that trusts it and its PEM (for SSL_CERT_FILE).
type TestCert struct {
	Server *tls.Config
	Roots  *x509.CertPool
	PEM    []byte
}

// NewTestCert makes a fresh TestCert.
func NewTestCert() *TestCert {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		panic(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(time.Now().UnixNano()),
		Subject:               pkix.Name{CommonName: "driftwatch test " + strconv.Itoa(int(time.Now().Unix()))},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(24 * time.Hour),
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
		IsCA:                  true,
		DNSNames:              []string{"localhost"},
		IPAddresses:           []net.IP{net.ParseIP("127.0.0.1")},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		panic(err)
	}
	cert, _ := x509.ParseCertificate(der)
	roots := x509.NewCertPool()
	roots.AddCert(cert)
	return &TestCert{
		Server: &tls.Config{Certificates: []tls.Certificate{{Certificate: [][]byte{der}, PrivateKey: key}}, MinVersion: tls.VersionTLS12},
		Roots:  roots,
		PEM:    pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}),
	}
}
