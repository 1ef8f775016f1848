package main

import (
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/driftwatch/driftwatch/notify"
	"github.com/driftwatch/driftwatch/notify/console"
	"github.com/driftwatch/driftwatch/store"
	"github.com/driftwatch/driftwatch/watcher"
)

func (a *app) explainCommand() *cobra.Command {
	var format string
	cmd := &cobra.Command{
		Use:   "explain ID",
		Short: "Everything about one finding: what, why, links, rules and its history",
		Long: `Explain one finding: its title and detail, the values before and after, the
upstream excerpt, the expectation's note, its links (dashboard, release,
compare view, docs), every rule that judged it, and its history: when it was
detected, acknowledged, resolved, and each notice written for it with what
delivery did. An unknown ID exits 1.`,
		Example: `  driftwatch explain 22
  driftwatch explain 22 --format json`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if format != "text" && format != "json" {
				return failf(exitUsage, "--format %q: want text or json", format)
			}
			id, err := strconv.ParseInt(strings.TrimPrefix(args[0], "#"), 10, 64)
			if err != nil || id <= 0 {
				return failf(exitUsage, "%q is not a finding ID", args[0])
			}
			_, db, err := a.openRead(cmd.Context(), store.Read)
			if err != nil {
				return err
			}
			defer db.Close()
			fs, err := db.Findings(cmd.Context(), watcher.FindingFilter{ID: []int64{id}})
			if err != nil {
				return fail(exitUsage, err)
			}
			if len(fs) == 0 {
				return failf(exitFail, "unknown finding ID %d (see driftwatch findings --state all)", id)
			}
			notices, err := db.FindingNotices(cmd.Context(), id)
			if err != nil {
				return fail(exitUsage, err)
			}
			ex := explanation{Finding: fs[0], History: history(&fs[0], notices)}
			if format == "json" {
				return writeJSON(a.stdout(), ex.JSON())
			}
			return ex.write(a.stdout())
		},
	}
	cmd.Flags().StringVar(&format, "format", "text", "text or json")
	return cmd
}

// explanation is one finding with its history.
type explanation struct {
	Finding watcher.Finding
	History []event
}

// event is one step of a finding's history.
type event struct {
	At    time.Time
	Event string // detected, acknowledged, resolved, notice
	// Notice fields, for notice events.
	NoticeID  int64
	Kind      watcher.NoticeKind
	Severity  watcher.Severity
	Delivery  string // sent, given up, pending
	DoneAt    *time.Time
	Attempts  int
	LastError string
	Note      string
}

// history merges the finding's own times with the notices written for
// it, oldest first. A reopened finding's detected_at is its latest
// opening; earlier openings show through their notices.
func history(f *watcher.Finding, notices []store.NoticeRecord) []event {
	var out []event
	out = append(out, event{At: f.DetectedAt, Event: "detected"})
	if f.AckedAt != nil {
		out = append(out, event{At: *f.AckedAt, Event: "acknowledged", Note: f.AckNote})
	}
	if f.ResolvedAt != nil {
		out = append(out, event{At: *f.ResolvedAt, Event: "resolved"})
	}
	for _, n := range notices {
		e := event{At: n.CreatedAt, Event: "notice", NoticeID: n.ID, Kind: n.Kind, Severity: n.Severity,
			Attempts: n.Attempts, LastError: n.LastError, Delivery: "pending"}
		switch {
		case n.SentAt != nil:
			e.Delivery, e.DoneAt = "sent", n.SentAt
		case n.GivenUpAt != nil:
			e.Delivery, e.DoneAt = "given up", n.GivenUpAt
		}
		out = append(out, e)
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].At.Before(out[j].At) })
	return out
}

// JSON is the explanation as `explain --format json` prints it: the
// finding object of the contract, with the parts it leaves out.
func (ex explanation) JSON() map[string]any {
	f := ex.Finding
	hist := make([]map[string]any, 0, len(ex.History))
	for _, e := range ex.History {
		m := map[string]any{"at": watcher.FormatTime(e.At), "event": e.Event}
		if e.Event == "notice" {
			m["notice_id"], m["kind"], m["severity"], m["delivery"], m["attempts"] = e.NoticeID, e.Kind, e.Severity, e.Delivery, e.Attempts
			if e.DoneAt != nil {
				m["delivered_at"] = watcher.FormatTime(*e.DoneAt)
			}
			if e.LastError != "" {
				m["last_error"] = e.LastError
			}
		}
		if e.Note != "" {
			m["note"] = e.Note
		}
		hist = append(hist, m)
	}
	return map[string]any{
		"finding": f,
		"old":     f.Old, "new": f.New, "excerpt": f.Excerpt, "note": f.Note,
		"history": hist,
	}
}

// write prints the explanation for a person; upstream text is cleaned of
// control characters so it cannot drive the terminal.
func (ex explanation) write(w io.Writer) error {
	f := ex.Finding
	var b strings.Builder
	fmt.Fprintf(&b, "Finding #%d · %s · %s · %s\n", f.ID, f.Severity, f.State, notify.OneLine(f.Source))
	fmt.Fprintf(&b, "%s\n\n", notify.OneLine(f.Title))
	row := func(k, v string) {
		if v != "" {
			fmt.Fprintf(&b, "  %-15s %s\n", k+":", v)
		}
	}
	row("Kind", fmt.Sprintf("%s (%s)", f.Category, f.Category.Plain()))
	row("Rules", strings.Join(f.Rules(), ", "))
	row("Path", notify.OneLine(f.Path))
	if f.SnapshotID != 0 {
		row("Snapshot", strconv.FormatInt(f.SnapshotID, 10))
	}
	row("Was", notify.Truncate(notify.OneLine(f.Old), 500))
	row("Now", notify.Truncate(notify.OneLine(f.New), 500))
	row("Why it matters", notify.OneLine(f.Note))
	if d := strings.TrimSpace(notify.Clean(f.Detail)); d != "" {
		b.WriteString("\nDetail:\n")
		for _, l := range strings.Split(notify.Truncate(d, 4000), "\n") {
			fmt.Fprintf(&b, "  %s\n", strings.TrimRight(l, " \t"))
		}
	}
	if ex := strings.TrimSpace(notify.Clean(f.Excerpt)); ex != "" {
		b.WriteString("\nUpstream says:\n")
		for _, l := range strings.Split(notify.Truncate(ex, 4000), "\n") {
			fmt.Fprintf(&b, "  | %s\n", strings.TrimRight(l, " \t"))
		}
	}
	var links []string
	if u := console.WebURL(f.URL); u != "" {
		links = append(links, u)
	}
	for _, l := range f.Links {
		if u := console.WebURL(l.URL); u != "" {
			links = append(links, u+"  ("+notify.OneLine(l.Title)+")")
		}
	}
	if len(links) > 0 {
		b.WriteString("\nLinks:\n")
		for _, l := range links {
			fmt.Fprintf(&b, "  %s\n", l)
		}
	}
	b.WriteString("\nHistory:\n")
	for _, e := range ex.History {
		line := fmt.Sprintf("  %s  %s", watcher.FormatTime(e.At), e.Event)
		switch e.Event {
		case "notice":
			line += fmt.Sprintf(" #%d %s (%s): %s", e.NoticeID, e.Kind, e.Severity, e.Delivery)
			if e.DoneAt != nil {
				line += " " + watcher.FormatTime(*e.DoneAt)
			}
			if e.Attempts > 0 {
				line += fmt.Sprintf(", %d failed attempt(s)", e.Attempts)
			}
			if e.LastError != "" {
				line += ", last error: " + notify.Truncate(notify.OneLine(e.LastError), 200)
			}
		case "acknowledged":
			if e.Note != "" {
				line += ": " + notify.OneLine(e.Note)
			}
		}
		b.WriteString(line + "\n")
	}
	if f.State == watcher.Open {
		fmt.Fprintf(&b, "\nAcknowledge it: driftwatch ack %d --note \"why\"\n", f.ID)
	}
	_, err := io.WriteString(w, b.String())
	return err
}
