package email

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"html/template"
	"mime"
	"mime/quotedprintable"
	"net/mail"
	"strings"
	"time"

	"github.com/driftwatch/driftwatch/notify"
	"github.com/driftwatch/driftwatch/notify/console"
	"github.com/driftwatch/driftwatch/watcher"
)

// message is one email's content.
type message struct {
	subject string
	plain   string
	html    string
	// id makes the Message-ID, the same on every retry of the same
	// notices, so a mail client can tell a resend.
	id string
}

func noticesMail(ns []watcher.Notice, publicURL string) (message, error) {
	var plain strings.Builder
	for _, nt := range ns {
		if err := console.FormatNotices(&plain, []watcher.Notice{nt}); err != nil {
			return message{}, err
		}
		if u := notify.FindingPage(publicURL, nt.Finding.ID); u != "" {
			fmt.Fprintf(&plain, "  view: %s\n\n", u)
		}
	}
	f := ns[0].Finding
	subject := fmt.Sprintf("[driftwatch] %s: %s (%s)", strings.ToUpper(f.Severity.String()), notify.OneLine(f.Title), notify.OneLine(f.Source))
	if ns[0].Kind != watcher.NoticeOpened {
		subject = fmt.Sprintf("[driftwatch] %s %s: %s (%s)", string(ns[0].Kind), f.Severity, notify.OneLine(f.Title), notify.OneLine(f.Source))
	}
	if len(ns) > 1 {
		subject = fmt.Sprintf("[driftwatch] %d notices from %s", len(ns), notify.OneLine(f.Source))
	}
	var items []htmlNotice
	for _, nt := range ns {
		f := nt.Finding
		it := htmlNotice{Tag: strings.ToUpper(f.Severity.String()), Kind: string(nt.Kind), Title: notify.OneLine(f.Title),
			Source: notify.OneLine(f.Source), Category: f.Category.Plain(), Rule: notify.OneLine(f.Rule), ID: f.ID,
			History: nt.HistoryVia("the message server"), Resolved: nt.Kind == watcher.NoticeResolved,
			Old: notify.Truncate(notify.OneLine(f.Old), 500), New: notify.Truncate(notify.OneLine(f.New), 500),
			Excerpt: notify.Truncate(notify.Clean(f.Excerpt), 2000), Note: notify.OneLine(f.Note), URL: console.WebURL(f.URL),
			Page: notify.FindingPage(publicURL, f.ID)}
		if it.Old == "" && it.New == "" && it.Excerpt == "" && it.Note == "" {
			it.Detail = notify.Truncate(notify.Clean(f.Detail), 2000)
		}
		items = append(items, it)
	}
	var html bytes.Buffer
	if err := noticesHTML.Execute(&html, items); err != nil {
		return message{}, err
	}
	return message{subject: notify.Truncate(subject, 200), plain: plain.String(), html: html.String(), id: keys(ns)}, nil
}

func digestMail(nt watcher.Notice) (message, error) {
	var plain strings.Builder
	if h := nt.HistoryVia("the message server"); h != "" {
		plain.WriteString(h + "\n\n")
	}
	if err := console.FormatDigest(&plain, nt.Digest); err != nil {
		return message{}, err
	}
	var html bytes.Buffer
	if err := digestHTML.Execute(&html, plain.String()); err != nil {
		return message{}, err
	}
	subject := "[driftwatch] digest"
	if d := nt.Digest; d != nil && !d.Since.IsZero() {
		subject += " " + d.Since.UTC().Format("2006-01-02") + " – " + d.Until.UTC().Format("2006-01-02")
	}
	return message{subject: subject, plain: plain.String(), html: html.String(), id: keys([]watcher.Notice{nt})}, nil
}

func testMail() message {
	text := "driftwatch test message: this receiver is set up, notices will arrive here. Nothing to do.\n"
	var html bytes.Buffer
	_ = digestHTML.Execute(&html, text)
	var b [8]byte
	_, _ = rand.Read(b[:])
	return message{subject: "[driftwatch] test message", plain: text, html: html.String(), id: "test-" + hex.EncodeToString(b[:])}
}

func keys(ns []watcher.Notice) string {
	var ks []string
	for _, nt := range ns {
		for _, m := range nt.All() {
			ks = append(ks, m.Key())
		}
	}
	if len(ks) > 5 {
		ks = ks[:5]
	}
	return strings.Join(ks, ".")
}

type htmlNotice struct {
	Tag, Kind, Title, Source, Category, Rule, History string
	Old, New, Excerpt, Note, Detail, URL, Page        string
	ID                                                int64
	Resolved                                          bool
}

var noticesHTML = template.Must(template.New("notices").Parse(`<!DOCTYPE html>
<html><body style="font-family: sans-serif">
{{range .}}<div style="margin-bottom: 1.5em">
<h3 style="margin: 0">[{{.Tag}}{{if ne .Kind "opened"}}, {{.Kind}}{{end}}] {{.Title}}</h3>
<p style="color: #555; margin: 0.2em 0">{{.Source}} · {{.Category}} · {{.Rule}}</p>
{{if .History}}<p><em>{{.History}}</em></p>{{end}}
{{if not .Resolved}}{{if or .Old .New}}<p>was: <code>{{if .Old}}{{.Old}}{{else}}(absent){{end}}</code><br>now: <code>{{if .New}}{{.New}}{{else}}(absent){{end}}</code></p>{{end}}
{{if .Excerpt}}<p>upstream says:</p><blockquote style="white-space: pre-wrap">{{.Excerpt}}</blockquote>{{end}}
{{if .Note}}<p>why it matters: {{.Note}}</p>{{end}}
{{if .Detail}}<p style="white-space: pre-wrap">{{.Detail}}</p>{{end}}{{end}}
{{if .Resolved}}<p>No longer holds; nothing to do (finding #{{.ID}}).</p>{{else if .ID}}<p>ack: <code>driftwatch ack {{.ID}}</code></p>{{end}}
{{if .URL}}<p><a href="{{.URL}}">{{.URL}}</a></p>{{end}}
{{if .Page}}<p><a href="{{.Page}}">View #{{.ID}} in driftwatch</a></p>{{end}}
</div>{{end}}
</body></html>
`))

var digestHTML = template.Must(template.New("digest").Parse(`<!DOCTYPE html>
<html><body><pre style="font-family: monospace; white-space: pre-wrap">{{.}}</pre></body></html>
`))

// address formats "Name <a@b>" for a header, encoding a name that is not
// ASCII.
func address(s string) string {
	if a, err := mail.ParseAddress(s); err == nil {
		return a.String()
	}
	return s
}

// bytes renders the email: headers, then a multipart/alternative body
// with the plain part first (the fallback) and the HTML part last,
// both quoted-printable.
func (m message) bytes(from string, to []string, now time.Time) []byte {
	var b bytes.Buffer
	var rnd [12]byte
	_, _ = rand.Read(rnd[:])
	boundary := "dw-" + hex.EncodeToString(rnd[:])
	domain := "driftwatch.localhost"
	if a, err := mail.ParseAddress(from); err == nil {
		if i := strings.LastIndex(a.Address, "@"); i >= 0 {
			domain = a.Address[i+1:]
		}
	}
	header := func(k, v string) { fmt.Fprintf(&b, "%s: %s\r\n", k, v) }
	header("From", address(from))
	var tos []string
	for _, t := range to {
		tos = append(tos, address(t))
	}
	header("To", strings.Join(tos, ", "))
	header("Subject", mime.QEncoding.Encode("utf-8", m.subject))
	header("Date", now.Format(time.RFC1123Z))
	header("Message-ID", "<"+m.id+"@"+domain+">")
	header("MIME-Version", "1.0")
	header("Auto-Submitted", "auto-generated")
	header("Content-Type", `multipart/alternative; boundary="`+boundary+`"`)
	b.WriteString("\r\n")
	part := func(ctype, body string) {
		fmt.Fprintf(&b, "--%s\r\nContent-Type: %s; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n", boundary, ctype)
		qp := quotedprintable.NewWriter(&b)
		_, _ = qp.Write([]byte(strings.ReplaceAll(body, "\n", "\r\n")))
		_ = qp.Close()
		b.WriteString("\r\n")
	}
	part("text/plain", m.plain)
	part("text/html", m.html)
	fmt.Fprintf(&b, "--%s--\r\n", boundary)
	return b.Bytes()
}
