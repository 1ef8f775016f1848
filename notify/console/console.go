// Package console prints notices and digests as readable text: the
// notifier used when no Slack is configured, and the printer of
// `driftwatch digest`. Upstream text is cleaned of control characters and
// ANSI escapes first, so a release note cannot drive the terminal.
package console

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net/url"
	"strings"
	"sync"

	"github.com/driftwatch/driftwatch/notify"
	"github.com/driftwatch/driftwatch/watcher"
)

// maxBatch is large: a terminal has no message limits, and one group is
// best printed together.
const maxBatch = 1000

// Notifier writes notices to a writer, usually stdout.
type Notifier struct {
	mu sync.Mutex
	w  io.Writer
}

var _ watcher.Notifier = (*Notifier)(nil)

// New returns a Notifier writing to w.
func New(w io.Writer) *Notifier { return &Notifier{w: w} }

// MaxBatch is how many notices one Deliver prints.
func (n *Notifier) MaxBatch() int { return maxBatch }

// Deliver prints one group of notices, digests included, followed by a
// blank line.
func (n *Notifier) Deliver(ctx context.Context, notices []watcher.Notice) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	n.mu.Lock()
	defer n.mu.Unlock()
	var findings []watcher.Notice
	for _, nt := range notices {
		if nt.Finding != nil {
			findings = append(findings, nt)
			continue
		}
		if nt.Digest != nil {
			if h := nt.History(); h != "" {
				if _, err := fmt.Fprintln(n.w, h); err != nil {
					return err
				}
			}
			if err := FormatDigest(n.w, nt.Digest); err != nil {
				return err
			}
		}
	}
	if len(findings) > 0 {
		return FormatNotices(n.w, findings)
	}
	return nil
}

// FormatNotices writes each notice: severity and kind, source and the
// category in words, the title, old and new values, the upstream excerpt,
// the expectation's note, and how to ack it.
func FormatNotices(w io.Writer, notices []watcher.Notice) error {
	bw := bufio.NewWriter(w)
	for _, nt := range notices {
		f := nt.Finding
		if f == nil {
			continue
		}
		tag := f.Severity.String()
		switch nt.Kind {
		case watcher.NoticeResolved:
			tag = "resolved"
		case watcher.NoticeReopened:
			tag += ", reopened"
		case watcher.NoticeEscalated:
			tag += ", escalated"
		case watcher.NoticeAcked, watcher.NoticeSilenced:
			tag += ", " + string(nt.Kind)
		}
		src := nt.Source
		if src == "" {
			src = f.Source
		}
		fmt.Fprintf(bw, "[%s] %s · %s\n", tag, notify.OneLine(src), notify.OneLine(f.Category.Plain()))
		fmt.Fprintf(bw, "  %s\n", orDash(notify.OneLine(f.Title)))
		if h := nt.History(); h != "" {
			fmt.Fprintf(bw, "  %s\n", h)
		}
		if nt.Kind != watcher.NoticeResolved {
			writeDetails(bw, f)
		}
		switch {
		case nt.Kind == watcher.NoticeResolved:
			fmt.Fprintf(bw, "  no longer holds; nothing to do (finding #%d, %s)\n", f.ID, notify.OneLine(f.Rule))
		case f.ID != 0:
			where := notify.OneLine(strings.Join(f.Rules(), " + "))
			if p := notify.OneLine(f.Path); p != "" {
				where += " at " + p
			}
			fmt.Fprintf(bw, "  ack: driftwatch ack %d   (%s)\n", f.ID, where)
		}
		if u := WebURL(f.URL); u != "" {
			fmt.Fprintf(bw, "  link: %s\n", u)
		}
		bw.WriteByte('\n')
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("console: write notices: %w", err)
	}
	return nil
}

func writeDetails(w *bufio.Writer, f *watcher.Finding) {
	wrote := false
	switch {
	case f.Old != "":
		fmt.Fprintf(w, "  was: %s\n  now: %s\n", orAbsent(f.Old), orAbsent(f.New))
		wrote = true
	case f.New != "":
		fmt.Fprintf(w, "  now: %s\n", orAbsent(f.New))
		wrote = true
	}
	if ex := strings.TrimSpace(notify.Clean(f.Excerpt)); ex != "" {
		fmt.Fprintln(w, "  upstream says:")
		for _, l := range strings.Split(notify.Truncate(ex, 2000), "\n") {
			fmt.Fprintf(w, "  | %s\n", strings.TrimRight(l, " \t"))
		}
		wrote = true
	}
	if note := notify.OneLine(f.Note); note != "" {
		fmt.Fprintf(w, "  why it matters: %s\n", note)
		wrote = true
	}
	if who := notify.OneLine(f.Changed.Text()); who != "" && wrote { // else the detail, which says it, is shown
		fmt.Fprintf(w, "  who: %s\n", who)
	}
	if !wrote {
		if d := strings.TrimSpace(notify.Clean(f.Detail)); d != "" {
			for _, l := range strings.Split(notify.Truncate(d, 2000), "\n") {
				fmt.Fprintf(w, "  %s\n", strings.TrimRight(l, " \t"))
			}
		}
	}
}

// WebURL returns u when it is a plain http(s) URL on one line, else "":
// a finding's URL can come from upstream text.
func WebURL(u string) string {
	u = strings.TrimSpace(u)
	p, err := url.Parse(u)
	if err != nil || (p.Scheme != "https" && p.Scheme != "http") || p.Host == "" || len(u) > 2000 {
		return ""
	}
	return notify.OneLine(p.String())
}

func orAbsent(s string) string {
	if s = notify.Truncate(notify.OneLine(s), 500); s == "" {
		return "(absent)"
	}
	return s
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// FormatDigest writes a digest grouped by source: new releases or entries,
// changed settings, open findings by category, resolved ones. An empty
// digest is one line that says so.
func FormatDigest(w io.Writer, d *watcher.Digest) error {
	bw := bufio.NewWriter(w)
	period := "(no period)"
	if d != nil && !d.Since.IsZero() {
		period = watcher.FormatTime(d.Since) + " – " + watcher.FormatTime(d.Until)
	}
	if d == nil || d.Empty() {
		fmt.Fprintf(bw, "Digest %s: nothing changed.\n", period)
		return flush(bw)
	}
	fmt.Fprintf(bw, "Digest %s\n", period)
	var quiet []string
	for i := range d.Sources {
		s := &d.Sources[i]
		if s.Empty() {
			quiet = append(quiet, notify.OneLine(s.Name))
			continue
		}
		writeSource(bw, s)
	}
	if len(quiet) > 0 {
		fmt.Fprintf(bw, "\nNo changes: %s\n", strings.Join(quiet, ", "))
	}
	return flush(bw)
}

func writeSource(w *bufio.Writer, s *watcher.DigestSource) {
	fmt.Fprintf(w, "\n%s (%s): %d new snapshot(s)", notify.OneLine(s.Name), orDash(notify.OneLine(s.Type)), s.Snapshots)
	if s.Baseline {
		fmt.Fprint(w, " after its first (baseline)")
	}
	fmt.Fprintln(w)
	if len(s.New) > 0 {
		heading := "New"
		if s.NewHeading != "" {
			heading = notify.OneLine(s.NewHeading)
		}
		fmt.Fprintf(w, "  %s:\n", strings.ToLower(heading[:1])+heading[1:])
		for _, it := range s.New {
			line := notify.OneLine(it.Key)
			if t := notify.OneLine(it.Title); t != "" && t != line {
				line += "  " + notify.Truncate(t, 200)
			}
			if u := notify.OneLine(it.URL); u != "" {
				line += "  " + notify.Truncate(u, 300)
			}
			fmt.Fprintf(w, "    - %s\n", line)
		}
	}
	if len(s.Changes) > 0 || s.ChangesTotal > 0 {
		fmt.Fprintln(w, "  changed settings:")
		for _, c := range s.Changes {
			fmt.Fprintf(w, "    - %s %s\n", notify.Truncate(notify.OneLine(c.Path), 300), string(c.Op))
		}
		if more := s.ChangesTotal - len(s.Changes); more > 0 {
			fmt.Fprintf(w, "    … and %d more\n", more)
		}
	}
	if s.Acked+s.Silenced > 0 {
		c := notify.FindingCounts(s)
		fmt.Fprintf(w, "  findings: %s\n", c)
	}
	if s.Open() > 0 {
		fmt.Fprintln(w, "  open findings:")
		var cats []watcher.Category
		by := map[watcher.Category][]string{}
		add := func(f watcher.Finding, suffix string) {
			if _, ok := by[f.Category]; !ok {
				cats = append(cats, f.Category)
			}
			l := fmt.Sprintf("[%s] %s (#%d)%s", f.Severity, notify.OneLine(f.Title), f.ID, suffix)
			if u := WebURL(f.URL); u != "" {
				l += "  " + u
			}
			by[f.Category] = append(by[f.Category], l)
		}
		for _, f := range s.Opened {
			add(f, " new")
		}
		for _, f := range s.StillOpen {
			add(f, "")
		}
		for _, c := range cats {
			fmt.Fprintf(w, "    %s:\n", notify.OneLine(c.Plain()))
			for _, l := range by[c] {
				fmt.Fprintf(w, "      - %s\n", l)
			}
		}
	}
	if len(s.Resolved) > 0 {
		fmt.Fprintln(w, "  resolved:")
		for _, f := range s.Resolved {
			fmt.Fprintf(w, "    - %s (#%d)\n", notify.OneLine(f.Title), f.ID)
		}
	}
}

func flush(w *bufio.Writer) error {
	if err := w.Flush(); err != nil {
		return fmt.Errorf("console: write digest: %w", err)
	}
	return nil
}
