package main

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/driftwatch/driftwatch/notify/console"
	"github.com/driftwatch/driftwatch/store"
	"github.com/driftwatch/driftwatch/watcher"
)

func (a *app) findingsCommand() *cobra.Command {
	var state, format string
	var sources []string
	cmd := &cobra.Command{
		Use:   "findings",
		Short: "List findings (open by default)",
		Example: `  driftwatch findings
  driftwatch findings --state all --source auth0-prod --format json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			var states []watcher.State
			switch state {
			case "open", "acked", "resolved":
				states = []watcher.State{watcher.State(state)}
			case "all":
			default:
				return failf(exitUsage, "--state %q: want open, acked, resolved or all", state)
			}
			if format != "text" && format != "json" {
				return failf(exitUsage, "--format %q: want text or json", format)
			}
			cfg, db, err := a.openRead(cmd.Context(), store.Read)
			if err != nil {
				return err
			}
			defer db.Close()
			for _, s := range sources {
				if _, err := knownSource(cmd.Context(), cfg, db, s); err != nil {
					return err
				}
			}
			fs, err := db.Findings(cmd.Context(), watcher.FindingFilter{States: states, Sources: sources})
			if err != nil {
				return fail(exitUsage, err)
			}
			if format == "json" {
				if fs == nil {
					fs = []watcher.Finding{}
				}
				return writeJSON(a.stdout(), map[string]any{"findings": fs})
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
				fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%s\t%s\n", f.ID, f.Severity, f.State, f.Source, f.Category, oneLine(f.Title), u)
			}
			return tw.Flush()
		},
	}
	cmd.Flags().StringVar(&state, "state", "open", "open, acked, resolved or all")
	cmd.Flags().StringArrayVar(&sources, "source", nil, "only this source (repeatable)")
	cmd.Flags().StringVar(&format, "format", "text", "text or json")
	return cmd
}

func (a *app) ackCommand() *cobra.Command {
	var note string
	cmd := &cobra.Command{
		Use:   "ack ID...",
		Short: "Acknowledge findings so they no longer fail check",
		Long: `Acknowledge findings: they stay on record and in the digest but no longer fail
check. All or nothing: one unknown ID changes nothing and exits 1.`,
		Example: `  driftwatch ack 12 13 --note "callback moved on purpose; app updated"`,
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) == 0 {
				return failf(exitUsage, "ack needs at least one finding ID (see driftwatch findings)")
			}
			ids := make([]int64, 0, len(args))
			for _, s := range args {
				id, err := strconv.ParseInt(strings.TrimPrefix(s, "#"), 10, 64)
				if err != nil || id <= 0 {
					return failf(exitUsage, "%q is not a finding ID", s)
				}
				ids = append(ids, id)
			}
			_, db, err := a.openRead(cmd.Context(), store.Existing)
			if err != nil {
				return err
			}
			defer db.Close()
			if err := db.Ack(cmd.Context(), ids, note, db.Now()); err != nil {
				if watcherNotFound(err) {
					return failf(exitFail, "%v; nothing acknowledged", trimNotFound(err))
				}
				return fail(exitUsage, err)
			}
			fmt.Fprintf(a.stdout(), "Acknowledged %s.\n", strings.Join(args, ", "))
			return nil
		},
	}
	cmd.Flags().StringVar(&note, "note", "", "why it is acknowledged (kept with the finding)")
	return cmd
}

func writeJSON(w interface{ Write([]byte) (int, error) }, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		return fail(exitUsage, err)
	}
	return nil
}
