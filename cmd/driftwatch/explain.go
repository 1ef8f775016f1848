package main

import (
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/spf13/cobra"

	"github.com/driftwatch/driftwatch/api"
	"github.com/driftwatch/driftwatch/notify"
	"github.com/driftwatch/driftwatch/notify/console"
	"github.com/driftwatch/driftwatch/store"
	"github.com/driftwatch/driftwatch/watcher"
)

func (a *app) explainCommand() *cobra.Command {
	var format string
	cmd := &cobra.Command{
		Use:   "explain ID|FINGERPRINT",
		Short: "Everything about one finding: what, why, links, rules and its history",
		Long: `Explain one finding: its title and detail, the values before and after, the
upstream excerpt, the expectation's note, its links (dashboard, release,
compare view, docs), every rule that judged it, its acknowledgement (who,
until when) and the silence that mutes it, and its history: when it was
detected, acknowledged, silenced, resolved, and each notice written for it
with what delivery did. An unknown ID exits 1. With --server the daemon
answers.`,
		Example: `  driftwatch explain 22
  driftwatch explain 3f9c2a71 --format json`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if format != "text" && format != "json" {
				return failf(exitUsage, "--format %q: want text or json", format)
			}
			if !validRef(args[0]) {
				return failf(exitUsage, "%q is not a finding ID or fingerprint", args[0])
			}
			svc, done, err := a.console(cmd.Context(), store.Read)
			if err != nil {
				return err
			}
			defer done()
			ex, err := svc.Explain(cmd.Context(), strings.TrimPrefix(args[0], "#"))
			if err != nil {
				return consoleFail(err)
			}
			if format == "json" {
				return writeJSON(a.stdout(), ex)
			}
			return writeExplanation(a.stdout(), ex)
		},
	}
	cmd.Flags().StringVar(&format, "format", "text", "text or json")
	return cmd
}

// writeExplanation prints an explanation for a person; upstream text is
// cleaned of control characters so it cannot drive the terminal.
func writeExplanation(w io.Writer, ex *api.Explanation) error {
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
	row("Fingerprint", f.Fingerprint)
	if f.SnapshotID != 0 {
		row("Snapshot", strconv.FormatInt(f.SnapshotID, 10))
	}
	row("Was", notify.Truncate(notify.OneLine(ex.Old), 500))
	row("Now", notify.Truncate(notify.OneLine(ex.New), 500))
	row("Why it matters", notify.OneLine(ex.Note))
	if a := f.Ack; a != nil {
		v := "by " + notify.OneLine(a.Author) + " at " + a.CreatedAt
		switch {
		case a.Expired:
			v += ", expired " + deref(a.ExpiresAt)
		case a.ExpiresAt != nil:
			v += ", until " + *a.ExpiresAt
		}
		row("Acknowledged", v)
	}
	if s := f.Silence; s != nil {
		row("Silenced", fmt.Sprintf("by silence #%d (%s) until %s: %s", s.ID, notify.OneLine(s.Author), s.EndsAt, notify.OneLine(s.Comment)))
	}
	if d := strings.TrimSpace(notify.Clean(f.Detail)); d != "" {
		b.WriteString("\nDetail:\n")
		for _, l := range strings.Split(notify.Truncate(d, 4000), "\n") {
			fmt.Fprintf(&b, "  %s\n", strings.TrimRight(l, " \t"))
		}
	}
	if ex := strings.TrimSpace(notify.Clean(ex.Excerpt)); ex != "" {
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
		line := fmt.Sprintf("  %s  %s", e.At, notify.OneLine(e.Event))
		switch e.Event {
		case "notice":
			line += fmt.Sprintf(" #%d %s", e.NoticeID, e.Kind)
			if e.Severity != nil {
				line += fmt.Sprintf(" (%s)", *e.Severity)
			}
			if e.Receiver != "" {
				line += " to " + notify.OneLine(e.Receiver)
			}
			line += ": " + e.Delivery
			if e.DeliveredAt != nil {
				line += " " + *e.DeliveredAt
			}
			if e.Attempts != nil && *e.Attempts > 0 {
				line += fmt.Sprintf(", %d failed attempt(s)", *e.Attempts)
			}
			if e.LastError != "" {
				line += ", last error: " + notify.Truncate(notify.OneLine(e.LastError), 200)
			}
		default:
			if e.Author != "" {
				line += " by " + notify.OneLine(e.Author)
			}
			if e.Until != nil {
				line += " until " + *e.Until
			}
			if e.Note != "" {
				line += ": " + notify.Truncate(notify.OneLine(e.Note), 300)
			}
		}
		b.WriteString(line + "\n")
	}
	if f.State == watcher.Open && f.Silence == nil {
		fmt.Fprintf(&b, "\nAcknowledge it: driftwatch ack %d --note \"why\"\n", f.ID)
	}
	_, err := io.WriteString(w, b.String())
	return err
}
