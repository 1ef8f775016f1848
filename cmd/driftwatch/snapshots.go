package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/driftwatch/driftwatch/api"
	"github.com/driftwatch/driftwatch/diff"
	"github.com/driftwatch/driftwatch/store"
)

// snapshotFlag refuses a snapshot ID flag given as 0 or less: IDs start
// at 1, and "the newest" is what leaving the flag out means.
func snapshotFlag(cmd *cobra.Command, name string, id int64) error {
	if cmd.Flags().Changed(name) && id <= 0 {
		return failf(exitUsage, "--%s %d: want a snapshot ID (1 or more, see driftwatch history); leave it out for the default", name, id)
	}
	return nil
}

func (a *app) historyCommand() *cobra.Command {
	var format string
	cmd := &cobra.Command{
		Use:     "history SOURCE",
		Short:   "List a source's stored snapshots, newest first",
		Example: `  driftwatch history auth0-prod --format json`,
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if format != "text" && format != "json" {
				return failf(exitUsage, "--format %q: want text or json", format)
			}
			svc, done, err := a.console(cmd.Context(), store.Read)
			if err != nil {
				return err
			}
			defer done()
			h, err := svc.History(cmd.Context(), args[0])
			if err != nil {
				return consoleFail(err)
			}
			if format == "json" {
				if h.Snapshots == nil {
					h.Snapshots = []api.SnapshotInfo{}
				}
				return writeJSON(a.stdout(), h)
			}
			if len(h.Snapshots) == 0 {
				fmt.Fprintf(a.stdout(), "No snapshots of %s yet (run driftwatch poll).\n", args[0])
				return nil
			}
			tw := tabwriter.NewWriter(a.stdout(), 0, 0, 2, ' ', 0)
			fmt.Fprintln(tw, "ID\tFETCHED AT\tHASH\tCHANGES")
			for _, s := range h.Snapshots {
				fmt.Fprintf(tw, "%d\t%s\t%s\t%d\n", s.ID, s.FetchedAt, s.Hash[:min(12, len(s.Hash))], s.Changes)
			}
			return tw.Flush()
		},
	}
	cmd.Flags().StringVar(&format, "format", "text", "text or json")
	return cmd
}

func (a *app) showCommand() *cobra.Command {
	var format string
	var id int64
	cmd := &cobra.Command{
		Use:   "show SOURCE",
		Short: "Print one stored snapshot document (default the newest)",
		Long: `Print a stored snapshot document as stored: canonical and redacted. The text
format indents it; --format json prints the document itself.`,
		Example: `  driftwatch show auth0-prod
  driftwatch show auth0-prod --snapshot 4 --format json`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if format != "text" && format != "json" {
				return failf(exitUsage, "--format %q: want text or json", format)
			}
			if err := snapshotFlag(cmd, "snapshot", id); err != nil {
				return err
			}
			svc, done, err := a.console(cmd.Context(), store.Read)
			if err != nil {
				return err
			}
			defer done()
			s, err := svc.Snapshot(cmd.Context(), args[0], id)
			if err != nil {
				return consoleFail(err)
			}
			if format == "json" {
				_, err := a.stdout().Write(append(s.Body, '\n'))
				return err
			}
			var buf bytes.Buffer
			if err := json.Indent(&buf, s.Body, "", "  "); err != nil {
				return fail(exitUsage, err)
			}
			buf.WriteByte('\n')
			_, err = a.stdout().Write(buf.Bytes())
			return err
		},
	}
	cmd.Flags().Int64Var(&id, "snapshot", 0, "snapshot ID (see history)")
	cmd.Flags().StringVar(&format, "format", "text", "text or json")
	return cmd
}

func (a *app) diffCommand() *cobra.Command {
	var format string
	var from, to int64
	cmd := &cobra.Command{
		Use:   "diff SOURCE",
		Short: "Show the changes between two stored snapshots (default the last two)",
		Example: `  driftwatch diff auth0-prod
  driftwatch diff auth0-prod --from 3 --to 7 --format json`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if format != "text" && format != "json" {
				return failf(exitUsage, "--format %q: want text or json", format)
			}
			if err := snapshotFlag(cmd, "from", from); err != nil {
				return err
			}
			if err := snapshotFlag(cmd, "to", to); err != nil {
				return err
			}
			svc, done, err := a.console(cmd.Context(), store.Read)
			if err != nil {
				return err
			}
			defer done()
			d, err := svc.Diff(cmd.Context(), args[0], from, to)
			if err != nil {
				return consoleFail(err)
			}
			if format == "json" {
				if d.Changes == nil {
					d.Changes = []diff.Change{}
				}
				return writeJSON(a.stdout(), struct {
					Source  string        `json:"source"`
					From    int64         `json:"from"`
					To      int64         `json:"to"`
					Changes []diff.Change `json:"changes"`
				}{d.Source, d.From, d.To, d.Changes})
			}
			if d.From == d.To && from == 0 {
				// No snapshot before it: say so rather than "4 → 4: 0 change(s)".
				if to == 0 {
					fmt.Fprintf(a.stdout(), "%s: only one snapshot (#%d, %s) so far: nothing to compare yet\n", d.Source, d.To, d.ToAt)
				} else {
					fmt.Fprintf(a.stdout(), "%s: snapshot #%d (%s) is the first: nothing before it to compare\n", d.Source, d.To, d.ToAt)
				}
				return nil
			}
			writeDiffText(a.stdout(), d)
			return nil
		},
	}
	cmd.Flags().Int64Var(&from, "from", 0, "older snapshot ID (default: the one before --to)")
	cmd.Flags().Int64Var(&to, "to", 0, "newer snapshot ID (default: the newest)")
	cmd.Flags().StringVar(&format, "format", "text", "text or json")
	return cmd
}

func writeDiffText(w interface{ Write([]byte) (int, error) }, d *api.Diff) {
	fmt.Fprintf(w, "%s: snapshot %d (%s) → %d (%s): %d change(s)\n", d.Source, d.From, d.FromAt, d.To, d.ToAt, len(d.Changes))
	for _, c := range d.Changes {
		switch c.Op {
		case diff.Added:
			fmt.Fprintf(w, "  + %s: %s\n", c.Path, clipValue(c.New))
		case diff.Removed:
			fmt.Fprintf(w, "  - %s: %s\n", c.Path, clipValue(c.Old))
		default:
			fmt.Fprintf(w, "  ~ %s: %s → %s\n", c.Path, clipValue(c.Old), clipValue(c.New))
		}
	}
}

// clipValue shows a raw JSON value on one line, shortened. The value is
// made canonical first: over the API it arrives re-indented and
// HTML-escaped, and the text must read the same from the store and from a
// server.
func clipValue(b []byte) string {
	if c, err := diff.CanonicalJSON(b, diff.Options{}); err == nil {
		b = c
	}
	s := oneLine(string(b))
	r := []rune(s)
	if len(r) > 160 {
		return string(r[:160]) + "…"
	}
	return s
}
