package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/driftwatch/driftwatch/config"
	"github.com/driftwatch/driftwatch/diff"
	"github.com/driftwatch/driftwatch/providers"
	"github.com/driftwatch/driftwatch/store"
	"github.com/driftwatch/driftwatch/watcher"
)

func watcherNotFound(err error) bool { return errors.Is(err, watcher.ErrNotFound) }

// trimNotFound drops the generic ": not found" suffix of a wrapped error.
func trimNotFound(err error) string {
	return strings.TrimSuffix(err.Error(), ": "+watcher.ErrNotFound.Error())
}

// knownSource checks that a source is configured or at least stored.
func knownSource(ctx context.Context, cfg *config.Config, db *store.DB, name string) (string, error) {
	if s, ok := cfg.Source(name); ok {
		return s.Type, nil
	}
	st, err := db.SourceState(ctx, name)
	if err != nil {
		return "", fail(exitUsage, err)
	}
	if st.Type == "" {
		return "", failf(exitFail, "unknown source %q", name)
	}
	return st.Type, nil
}

// snapshotFlag refuses a snapshot ID flag given as 0 or less: IDs start
// at 1, and "the newest" is what leaving the flag out means.
func snapshotFlag(cmd *cobra.Command, name string, id int64) error {
	if cmd.Flags().Changed(name) && id <= 0 {
		return failf(exitUsage, "--%s %d: want a snapshot ID (1 or more, see driftwatch history); leave it out for the default", name, id)
	}
	return nil
}

// withStore loads the config, opens the store and checks the source.
func (a *app) withStore(ctx context.Context, source string, fn func(cfg *config.Config, db *store.DB, typ string) error) error {
	cfg, db, err := a.openRead(ctx, store.Read)
	if err != nil {
		return err
	}
	defer db.Close()
	typ, err := knownSource(ctx, cfg, db, source)
	if err != nil {
		return err
	}
	return fn(cfg, db, typ)
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
			return a.withStore(cmd.Context(), args[0], func(_ *config.Config, db *store.DB, _ string) error {
				snaps, err := db.Snapshots(cmd.Context(), args[0])
				if err != nil {
					return fail(exitUsage, err)
				}
				if format == "json" {
					if snaps == nil {
						snaps = []watcher.SnapshotInfo{}
					}
					return writeJSON(a.stdout(), struct {
						Source    string         `json:"source"`
						Snapshots []jsonSnapshot `json:"snapshots"`
					}{args[0], jsonSnapshots(snaps)})
				}
				if len(snaps) == 0 {
					fmt.Fprintf(a.stdout(), "No snapshots of %s yet (run driftwatch poll).\n", args[0])
					return nil
				}
				tw := tabwriter.NewWriter(a.stdout(), 0, 0, 2, ' ', 0)
				fmt.Fprintln(tw, "ID\tFETCHED AT\tHASH\tCHANGES")
				for _, s := range snaps {
					fmt.Fprintf(tw, "%d\t%s\t%s\t%d\n", s.ID, watcher.FormatTime(s.FetchedAt), s.Hash[:min(12, len(s.Hash))], s.Changes)
				}
				return tw.Flush()
			})
		},
	}
	cmd.Flags().StringVar(&format, "format", "text", "text or json")
	return cmd
}

type jsonSnapshot struct {
	ID        int64  `json:"id"`
	FetchedAt string `json:"fetched_at"`
	Hash      string `json:"hash"`
	Changes   int    `json:"changes"`
}

func jsonSnapshots(in []watcher.SnapshotInfo) []jsonSnapshot {
	out := make([]jsonSnapshot, len(in))
	for i, s := range in {
		out[i] = jsonSnapshot{ID: s.ID, FetchedAt: watcher.FormatTime(s.FetchedAt), Hash: s.Hash, Changes: s.Changes}
	}
	return out
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
			return a.withStore(cmd.Context(), args[0], func(_ *config.Config, db *store.DB, _ string) error {
				var s *watcher.Snapshot
				var err error
				if id > 0 {
					s, err = db.Snapshot(cmd.Context(), args[0], id)
				} else {
					s, err = db.LatestSnapshot(cmd.Context(), args[0])
				}
				if watcherNotFound(err) {
					if id > 0 {
						return failf(exitFail, "source %q has no snapshot %d", args[0], id)
					}
					return failf(exitFail, "source %q has no snapshot yet (run driftwatch poll)", args[0])
				}
				if err != nil {
					return fail(exitUsage, err)
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
			})
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
			name := args[0]
			return a.withStore(cmd.Context(), name, func(_ *config.Config, db *store.DB, typ string) error {
				ctx := cmd.Context()
				load := func(id int64) (*watcher.Snapshot, error) {
					s, err := db.Snapshot(ctx, name, id)
					if watcherNotFound(err) {
						return nil, failf(exitFail, "source %q has no snapshot %d", name, id)
					}
					return s, err
				}
				var newer, older *watcher.Snapshot
				var err error
				if to > 0 {
					newer, err = load(to)
				} else {
					newer, err = db.LatestSnapshot(ctx, name)
					if watcherNotFound(err) {
						return failf(exitFail, "source %q has no snapshot yet (run driftwatch poll)", name)
					}
				}
				if err != nil {
					return err
				}
				if from > 0 {
					older, err = load(from)
				} else {
					older, err = db.PreviousSnapshot(ctx, name, newer.ID)
					if watcherNotFound(err) {
						older, err = newer, nil // only one snapshot: nothing changed yet
					}
				}
				if err != nil {
					return err
				}
				changes, err := diff.Diff(older.Body, newer.Body, diff.Options{Sets: providers.Sets(typ)})
				if err != nil {
					return fail(exitUsage, err)
				}
				if format == "json" {
					if changes == nil {
						changes = []diff.Change{}
					}
					return writeJSON(a.stdout(), struct {
						Source  string        `json:"source"`
						From    int64         `json:"from"`
						To      int64         `json:"to"`
						Changes []diff.Change `json:"changes"`
					}{name, older.ID, newer.ID, changes})
				}
				writeDiffText(a.stdout(), name, older, newer, changes)
				return nil
			})
		},
	}
	cmd.Flags().Int64Var(&from, "from", 0, "older snapshot ID (default: the one before --to)")
	cmd.Flags().Int64Var(&to, "to", 0, "newer snapshot ID (default: the newest)")
	cmd.Flags().StringVar(&format, "format", "text", "text or json")
	return cmd
}

func writeDiffText(w interface{ Write([]byte) (int, error) }, name string, older, newer *watcher.Snapshot, changes []diff.Change) {
	fmt.Fprintf(w, "%s: snapshot %d (%s) → %d (%s): %d change(s)\n", name, older.ID, watcher.FormatTime(older.FetchedAt),
		newer.ID, watcher.FormatTime(newer.FetchedAt), len(changes))
	for _, c := range changes {
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

// clipValue shows a raw JSON value on one line, shortened.
func clipValue(b []byte) string {
	s := oneLine(string(b))
	r := []rune(s)
	if len(r) > 160 {
		return string(r[:160]) + "…"
	}
	return s
}
