package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/driftwatch/driftwatch/store"
	"github.com/driftwatch/driftwatch/watcher"
)

type staleSource struct {
	Source      string  `json:"source"`
	LastSuccess *string `json:"last_success"`
}

type checkResult struct {
	Status   string            `json:"status"`
	FailOn   string            `json:"fail_on"`
	Findings []watcher.Finding `json:"findings"`
	Stale    []staleSource     `json:"stale"`
	maxAge   time.Duration
	sources  int
}

func (a *app) checkCommand() *cobra.Command {
	var failOn, format, maxAge string
	var refresh bool
	var sources []string
	var timeout time.Duration
	cmd := &cobra.Command{
		Use:   "check",
		Short: "Pre-deploy gate: fail on open drift at or above a severity",
		Long: `Are there open findings (not acknowledged, not resolved) at or above --fail-on?
With --max-age, a source whose last successful fetch is older than that (or
that never succeeded) fails the check too. --refresh polls first; the notices
it queues are not posted. Only the verdict is printed on stdout.

Exit status: 0 pass, 1 fail, 2 usage, config or store error.`,
		Example: `  driftwatch check
  driftwatch check --fail-on warning --max-age 24h --format github
  driftwatch check --refresh --source auth0-prod --format json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			threshold, err := watcher.ParseSeverity(failOn)
			if err != nil {
				return failf(exitUsage, "--fail-on: %v", err)
			}
			if format != "text" && format != "json" && format != "github" {
				return failf(exitUsage, "--format %q: want text, json or github", format)
			}
			var age time.Duration
			if timeout <= 0 {
				return failf(exitUsage, "--timeout %s: want a positive duration", timeout)
			}
			if cmd.Flags().Changed("max-age") {
				if age, err = parseAge(maxAge); err != nil {
					return failf(exitUsage, "--max-age: %v", err)
				}
			}
			load := a.readConfig
			if refresh {
				load = a.loadConfig
			}
			cfg, err := load()
			if err != nil {
				return err
			}
			for _, s := range sources {
				if _, ok := cfg.Source(s); !ok {
					return failf(exitUsage, "unknown source %q", s)
				}
			}
			mode := store.Read
			if refresh {
				mode = store.Create
			}
			db, err := a.openStore(cmd.Context(), cfg, mode)
			if err != nil {
				return err
			}
			defer db.Close()
			if refresh {
				e, err := a.engine(cfg, db, nil)
				if err != nil {
					return err
				}
				e.Notifier = nil
				ctx, cancel := context.WithTimeoutCause(cmd.Context(), timeout, fmt.Errorf("check --refresh took longer than --timeout %s", timeout))
				defer cancel()
				rep, err := e.Poll(ctx, sources...)
				if err != nil {
					return fail(exitUsage, err)
				}
				if err := rep.StoreErr(); err != nil {
					return fail(exitUsage, err)
				}
				for _, s := range rep.Sources {
					if s.Err != nil {
						a.logger.Warn("refresh failed; checking the stored state", "source", s.Source, "error", s.Err.Error())
					}
				}
			}
			// Findings of a source no longer configured do not fail the
			// gate, even before a poll retires them.
			scope := sources
			if len(scope) == 0 {
				scope = sourceNames(cfg)
			}
			var fs []watcher.Finding
			if len(scope) > 0 {
				fs, err = db.Findings(cmd.Context(), watcher.FindingFilter{States: []watcher.State{watcher.Open}, Sources: scope, MinSeverity: threshold})
			}
			if err != nil {
				return fail(exitUsage, err)
			}
			res := checkResult{Status: "pass", FailOn: threshold.String(), Findings: fs, Stale: []staleSource{}, maxAge: age}
			if res.Findings == nil {
				res.Findings = []watcher.Finding{}
			}
			names := sources
			if len(names) == 0 {
				for _, s := range cfg.Sources {
					names = append(names, s.Name)
				}
			}
			res.sources = len(names)
			if age > 0 {
				now := time.Now()
				for _, name := range names {
					st, err := db.SourceState(cmd.Context(), name)
					if err != nil {
						return fail(exitUsage, err)
					}
					if st.LastSuccessAt == nil || now.Sub(*st.LastSuccessAt) > age {
						ss := staleSource{Source: name}
						if st.LastSuccessAt != nil {
							t := watcher.FormatTime(*st.LastSuccessAt)
							ss.LastSuccess = &t
						}
						res.Stale = append(res.Stale, ss)
					}
				}
			}
			if len(res.Findings) > 0 || len(res.Stale) > 0 {
				res.Status = "fail"
			}
			switch format {
			case "json":
				enc := json.NewEncoder(a.stdout())
				enc.SetIndent("", "  ")
				if err := enc.Encode(res); err != nil {
					return fail(exitUsage, err)
				}
			case "github":
				writeGitHub(a.stdout(), &res)
			default:
				writeCheckText(a.stdout(), &res)
			}
			if res.Status == "fail" {
				return silentExit(exitFail)
			}
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVar(&failOn, "fail-on", "breaking", "lowest severity that fails: info, warning or breaking")
	f.StringVar(&format, "format", "text", "output: text, json or github (workflow commands)")
	f.BoolVar(&refresh, "refresh", false, "poll the sources first (notices are queued, not posted)")
	f.StringVar(&maxAge, "max-age", "", "fail for a source whose last successful fetch is older than this (e.g. 24h, 7d) or missing")
	f.StringArrayVar(&sources, "source", nil, "check only this source (repeatable); narrows findings and staleness")
	f.DurationVar(&timeout, "timeout", 10*time.Minute, "with --refresh: the longest the poll may take; sources not done by then count as failed")
	return cmd
}

// longestAge bounds --since and --max-age: a century, far from where a
// time.Duration wraps round to a negative span.
const longestAge = 100 * 365 * 24 * time.Hour

// parseAge reads the span --since and --max-age take: a Go duration, whole
// days ("7d"), or both ("1d12h"). It is positive and at most a century.
func parseAge(s string) (time.Duration, error) {
	bad := fmt.Errorf("%q: want a positive duration such as 24h, 7d or 1d12h (at most %dd)", s, int(longestAge/(24*time.Hour)))
	rest := strings.TrimSpace(s)
	var d time.Duration
	if i := strings.IndexByte(rest, 'd'); i > 0 {
		days, err := strconv.ParseInt(rest[:i], 10, 64)
		if err != nil || days < 0 || days > int64(longestAge/(24*time.Hour)) {
			return 0, bad
		}
		d, rest = time.Duration(days)*24*time.Hour, rest[i+1:]
	}
	if rest != "" {
		more, err := time.ParseDuration(rest)
		if err != nil || more < 0 {
			return 0, bad
		}
		d += more
	}
	if d <= 0 || d > longestAge {
		return 0, bad
	}
	return d, nil
}

func writeCheckText(w io.Writer, r *checkResult) {
	if r.Status == "pass" {
		fmt.Fprintf(w, "PASS: no open findings at or above %s", r.FailOn)
		if r.maxAge > 0 {
			fmt.Fprintf(w, ", every source fetched within %s", r.maxAge)
		}
		fmt.Fprintf(w, " (%d sources)\n", r.sources)
		return
	}
	fmt.Fprintf(w, "FAIL: %d open finding(s) at or above %s", len(r.Findings), r.FailOn)
	if len(r.Stale) > 0 {
		fmt.Fprintf(w, ", %d stale source(s)", len(r.Stale))
	}
	fmt.Fprintln(w)
	for _, f := range r.Findings {
		fmt.Fprintf(w, "  %-8s  %s  #%d  %s  [%s]\n", f.Severity, f.Source, f.ID, oneLine(f.Title), f.Category)
	}
	for _, s := range r.Stale {
		last := "never fetched successfully"
		if s.LastSuccess != nil {
			last = "last successful fetch " + *s.LastSuccess
		}
		fmt.Fprintf(w, "  %-8s  %s  %s (max age %s)\n", "stale", s.Source, last, r.maxAge)
	}
	if len(r.Findings) > 0 {
		fmt.Fprintf(w, "Handled or accepted? Acknowledge it: driftwatch ack %d --note \"why\"\n", r.Findings[0].ID)
	}
}

// writeGitHub prints GitHub Actions workflow commands.
func writeGitHub(w io.Writer, r *checkResult) {
	for _, f := range r.Findings {
		level := map[watcher.Severity]string{watcher.Breaking: "error", watcher.Warning: "warning", watcher.Info: "notice"}[f.Severity]
		title := fmt.Sprintf("%s %s: %s", f.Source, f.Severity, f.Rule)
		msg := fmt.Sprintf("%s [%s] (finding %d; acknowledge with: driftwatch ack %d)", f.Title, f.Category, f.ID, f.ID)
		fmt.Fprintf(w, "::%s title=%s::%s\n", level, ghProperty(title), ghData(msg))
	}
	for _, s := range r.Stale {
		last := "never fetched successfully"
		if s.LastSuccess != nil {
			last = "last successful fetch " + *s.LastSuccess
		}
		fmt.Fprintf(w, "::error title=%s::%s\n", ghProperty("stale source "+s.Source), ghData(fmt.Sprintf("%s: %s (max age %s)", s.Source, last, r.maxAge)))
	}
}

func ghData(s string) string {
	return strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A").Replace(s)
}

func ghProperty(s string) string {
	return strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A", ":", "%3A", ",", "%2C").Replace(s)
}

// oneLine keeps text on one line.
func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }
