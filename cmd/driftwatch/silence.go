package main

import (
	"fmt"
	"strconv"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/driftwatch/driftwatch/api"
	"github.com/driftwatch/driftwatch/store"
	"github.com/driftwatch/driftwatch/watcher"
)

func (a *app) silenceCommand() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "silence",
		Short: "Mute matching findings for a while: no notice, no failing check",
		Long: `A silence mutes the findings that match all its matchers (--source, --rule,
--path; globs, at least one) until it ends. A silenced finding sends no notice
and does not fail check (check --format json lists it under "silenced"). When
the silence ends, or is expired, the finding is active again: if it is still
open, its notice is posted and check fails on it.

In --path, * matches within one JSON Pointer segment and ** any number of
segments.`,
		Example: `  driftwatch silence add --source auth0-spa-js --rule 'release.*' --for 14d --comment "upgrade scheduled"
  driftwatch silence add --path '/clients/Acme Web/**' --until 2026-12-31 --comment "client being retired"
  driftwatch silence list
  driftwatch silence expire 3`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return failf(exitUsage, "silence needs a subcommand: add, list or expire")
		},
	}
	cmd.AddCommand(a.silenceAddCommand(), a.silenceListCommand(), a.silenceExpireCommand())
	return cmd
}

func (a *app) silenceAddCommand() *cobra.Command {
	var req api.SilenceRequest
	var format string
	cmd := &cobra.Command{
		Use:   "add",
		Short: "Add a silence",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if format != "text" && format != "json" {
				return failf(exitUsage, "--format %q: want text or json", format)
			}
			if req.Source == "" && req.Rule == "" && req.Path == "" {
				return failf(exitUsage, "a silence needs at least one matcher: --source, --rule or --path")
			}
			if req.Author == "" {
				req.Author = a.osUser()
			}
			svc, done, err := a.console(cmd.Context(), store.Existing)
			if err != nil {
				return err
			}
			defer done()
			s, err := svc.AddSilence(cmd.Context(), req)
			if err != nil {
				return consoleFail(err)
			}
			if format == "json" {
				return writeJSON(a.stdout(), s)
			}
			fmt.Fprintf(a.stdout(), "Silence %d added, until %s.\n", s.ID, s.EndsAt)
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVar(&req.Source, "source", "", "source name (glob)")
	f.StringVar(&req.Rule, "rule", "", "rule (glob), e.g. release.* or auth0.url_removed")
	f.StringVar(&req.Path, "path", "", "JSON Pointer glob: * within a segment, ** across segments")
	f.StringVar(&req.For, "for", "", "how long (e.g. 3h, 30d)")
	f.StringVar(&req.Until, "until", "", "until when (RFC 3339 or a date)")
	f.StringVar(&req.Comment, "comment", "", "why (required)")
	f.StringVar(&req.Author, "author", "", "who (default the OS user)")
	f.StringVar(&format, "format", "text", "text or json")
	return cmd
}

func (a *app) silenceListCommand() *cobra.Command {
	var all bool
	var format string
	cmd := &cobra.Command{
		Use:   "list",
		Short: "List silences in force (--all: expired ones too)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if format != "text" && format != "json" {
				return failf(exitUsage, "--format %q: want text or json", format)
			}
			svc, done, err := a.console(cmd.Context(), store.Read)
			if err != nil {
				return err
			}
			defer done()
			ss, err := svc.Silences(cmd.Context(), all)
			if err != nil {
				return consoleFail(err)
			}
			if format == "json" {
				if ss == nil {
					ss = []api.Silence{}
				}
				return writeJSON(a.stdout(), api.SilenceList{Silences: ss})
			}
			if len(ss) == 0 {
				fmt.Fprintln(a.stdout(), "No silences.")
				return nil
			}
			tw := tabwriter.NewWriter(a.stdout(), 0, 0, 2, ' ', 0)
			fmt.Fprintln(tw, "ID\tSTATE\tENDS\tSOURCE\tRULE\tPATH\tAUTHOR\tCOMMENT")
			for _, s := range ss {
				state := "active"
				if !s.Active {
					state = "expired"
				}
				fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", s.ID, state, s.EndsAt, orAny(s.Source), orAny(s.Rule), orAny(s.Path), s.Author, oneLine(s.Comment))
			}
			return tw.Flush()
		},
	}
	cmd.Flags().BoolVar(&all, "all", false, "include expired silences")
	cmd.Flags().StringVar(&format, "format", "text", "text or json")
	return cmd
}

func orAny(s string) string {
	if s == "" {
		return "*"
	}
	return s
}

func (a *app) silenceExpireCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "expire ID",
		Short: "End a silence now",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			id, err := strconv.ParseInt(args[0], 10, 64)
			if err != nil || id <= 0 {
				return failf(exitUsage, "%q is not a silence ID", args[0])
			}
			svc, done, err := a.console(cmd.Context(), store.Existing)
			if err != nil {
				return err
			}
			defer done()
			s, err := svc.ExpireSilence(cmd.Context(), id)
			if err != nil {
				return consoleFail(err)
			}
			fmt.Fprintf(a.stdout(), "Silence %d expired at %s.\n", s.ID, s.EndsAt)
			return nil
		},
	}
}

// parseSeverityFlag reads a severity flag; a bad one exits 2.
func parseSeverityFlag(flag, v string) (watcher.Severity, error) {
	sev, err := watcher.ParseSeverity(v)
	if err != nil {
		return 0, failf(exitUsage, "%s: %v", flag, err)
	}
	return sev, nil
}
