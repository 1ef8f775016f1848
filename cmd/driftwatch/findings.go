package main

import (
	"encoding/json"
	"fmt"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/driftwatch/driftwatch/api"
	"github.com/driftwatch/driftwatch/notify/console"
	"github.com/driftwatch/driftwatch/store"
)

func (a *app) findingsCommand() *cobra.Command {
	var state, format, severity string
	var sources []string
	cmd := &cobra.Command{
		Use:   "findings",
		Short: "List findings (open by default)",
		Long: `List findings, newest first. An acknowledgement with an expiry shows its end;
an open finding a silence mutes shows as silenced, with the silence's end.
With --server (or DRIFTWATCH_SERVER) the daemon's API answers.`,
		Example: `  driftwatch findings
  driftwatch findings --state all --source auth0-prod --format json
  driftwatch findings --server https://driftwatch.internal:9464`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			switch state {
			case "open", "acked", "resolved", "all":
			default:
				return failf(exitUsage, "--state %q: want open, acked, resolved or all", state)
			}
			if format != "text" && format != "json" {
				return failf(exitUsage, "--format %q: want text or json", format)
			}
			q := api.FindingQuery{State: state, Sources: sources}
			if severity != "" {
				sev, err := parseSeverityFlag("--severity", severity)
				if err != nil {
					return err
				}
				q.Severity = sev
			}
			svc, done, err := a.console(cmd.Context(), store.Read)
			if err != nil {
				return err
			}
			defer done()
			fs, err := svc.Findings(cmd.Context(), q)
			if err != nil {
				return consoleFail(err)
			}
			if format == "json" {
				if fs == nil {
					fs = []api.Finding{}
				}
				return writeJSON(a.stdout(), api.FindingList{Findings: fs})
			}
			if len(fs) == 0 {
				what := state + " findings"
				if state == "all" {
					what = "findings"
				}
				fmt.Fprintf(a.stdout(), "No %s.\n", what)
				return nil
			}
			tw := tabwriter.NewWriter(a.stdout(), 0, 0, 2, ' ', 0)
			fmt.Fprintln(tw, "ID\tSEVERITY\tSTATE\tSOURCE\tCATEGORY\tTITLE\tURL")
			for _, f := range fs {
				u := console.WebURL(f.URL)
				if u == "" {
					u = "-"
				}
				fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%s\t%s\n", f.ID, f.Severity, stateText(&f), f.Source, f.Category, oneLine(f.Title), u)
			}
			return tw.Flush()
		},
	}
	cmd.Flags().StringVar(&state, "state", "open", "open, acked, resolved or all")
	cmd.Flags().StringArrayVar(&sources, "source", nil, "only this source (repeatable)")
	cmd.Flags().StringVar(&severity, "severity", "", "only findings at or above this severity: info, warning or breaking")
	cmd.Flags().StringVar(&format, "format", "text", "text or json")
	return cmd
}

// stateText is a finding's state with who acknowledged it and until
// when, or the silence that mutes it.
func stateText(f *api.Finding) string {
	s := string(f.State)
	switch {
	case f.Silence != nil:
		s = fmt.Sprintf("silenced (#%d by %s, until %s)", f.Silence.ID, f.Silence.Author, f.Silence.EndsAt)
	case f.Ack != nil && f.Ack.Expired:
		s += fmt.Sprintf(" (ack by %s expired %s)", f.Ack.Author, deref(f.Ack.ExpiresAt))
	case f.Ack != nil && f.Ack.ExpiresAt != nil:
		s += fmt.Sprintf(" (by %s, until %s)", f.Ack.Author, *f.Ack.ExpiresAt)
	case f.Ack != nil && f.Ack.Author != "":
		s += " (by " + f.Ack.Author + ")"
	}
	return s
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

func (a *app) ackCommand() *cobra.Command {
	var note, forDur, author string
	cmd := &cobra.Command{
		Use:   "ack ID|FINGERPRINT...",
		Short: "Acknowledge findings so they no longer fail check",
		Long: `Acknowledge findings: they stay on record and in the digest but no longer fail
check. A finding is named by its ID or its fingerprint (stable across stores;
a unique prefix of 8 or more characters will do). All or nothing: one unknown
reference changes nothing and exits 1. --for makes the acknowledgement expire:
the finding is open again after it.`,
		Example: `  driftwatch ack 12 13 --note "callback moved on purpose; app updated"
  driftwatch ack 3f9c2a71 --for 30d --note "upgrade planned for next sprint"`,
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) == 0 {
				return failf(exitUsage, "ack needs at least one finding ID (see driftwatch findings)")
			}
			for _, s := range args {
				if !validRef(s) {
					return failf(exitUsage, "%q is not a finding ID or fingerprint", s)
				}
			}
			if forDur != "" {
				if _, err := api.ParseDuration(forDur); err != nil {
					return failf(exitUsage, "--for: %v", err)
				}
			}
			if author == "" {
				author = a.osUser()
			}
			svc, done, err := a.console(cmd.Context(), store.Existing)
			if err != nil {
				return err
			}
			defer done()
			fs, err := svc.Ack(cmd.Context(), api.AckRequest{IDs: args, Note: note, For: forDur, Author: author})
			if err != nil {
				return consoleFail(err)
			}
			ids := make([]string, len(fs))
			for i, f := range fs {
				ids[i] = fmt.Sprint(f.ID)
			}
			fmt.Fprintf(a.stdout(), "Acknowledged %s", strings.Join(ids, ", "))
			if len(fs) > 0 && fs[0].Ack != nil && fs[0].Ack.ExpiresAt != nil {
				fmt.Fprintf(a.stdout(), " until %s", *fs[0].Ack.ExpiresAt)
			}
			fmt.Fprintln(a.stdout(), ".")
			return nil
		},
	}
	cmd.Flags().StringVar(&note, "note", "", "why it is acknowledged (kept with the finding)")
	cmd.Flags().StringVar(&forDur, "for", "", "the acknowledgement expires after this long (e.g. 72h, 30d)")
	cmd.Flags().StringVar(&author, "author", "", "who acknowledges (default the OS user)")
	return cmd
}

// validRef accepts an integer ID (optionally #12) or a fingerprint: hex,
// 8 to 32 characters.
func validRef(s string) bool {
	s = strings.ToLower(strings.TrimPrefix(s, "#"))
	digits, hex := true, true
	for _, r := range s {
		digits = digits && r >= '0' && r <= '9'
		hex = hex && (r >= '0' && r <= '9' || r >= 'a' && r <= 'f')
	}
	switch {
	case s == "":
		return false
	case digits:
		return strings.TrimLeft(s, "0") != ""
	default:
		return hex && len(s) >= 8 && len(s) <= 32
	}
}

func writeJSON(w interface{ Write([]byte) (int, error) }, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		return fail(exitUsage, err)
	}
	return nil
}
