package main

import (
	"context"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/driftwatch/driftwatch/api"
	"github.com/driftwatch/driftwatch/store"
	"github.com/driftwatch/driftwatch/watcher"
)

func (a *app) checkCommand() *cobra.Command {
	var failOn, format, maxAge string
	var refresh bool
	var sources, lockfiles []string
	var timeout time.Duration
	cmd := &cobra.Command{
		Use:   "check",
		Short: "Pre-deploy gate: fail on open drift at or above a severity",
		Long: `Are there open findings (not acknowledged, not resolved) at or above --fail-on?
With --max-age, a source whose last successful fetch is older than that (or
that never succeeded) fails the check too. --refresh polls first; the notices
it queues are not posted. Only the verdict is printed on stdout.
--lockfile judges the release rules and the SDK x tenant cross-checks
against the versions a lockfile (package-lock.json, pnpm-lock.yaml,
yarn.lock, go.mod) is about to deploy instead of the configured ones,
using the stored snapshots and storing nothing; with --server the
lockfile's versions are sent to the daemon.

Exit status: 0 pass, 1 fail, 2 usage, config or store error.`,
		Example: `  driftwatch check
  driftwatch check --fail-on warning --max-age 24h --format github
  driftwatch check --refresh --source auth0-prod --format json
  driftwatch check --lockfile package-lock.json --format github`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			threshold, err := watcher.ParseSeverity(failOn)
			if err != nil {
				return failf(exitUsage, "--fail-on: %v", err)
			}
			if format != "text" && format != "json" && format != "github" && format != "markdown" {
				return failf(exitUsage, "--format %q: want text, json, github or markdown", format)
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
			q := api.CheckQuery{FailOn: threshold, MaxAge: age, MaxAgeText: strings.TrimSpace(maxAge), Sources: sources}
			if len(lockfiles) > 0 {
				if q.Deployed, err = readLockfiles(cmd.Context(), lockfiles); err != nil {
					return err
				}
			}
			res, err := a.check(cmd.Context(), q, refresh, timeout)
			if err != nil {
				return err
			}
			if len(lockfiles) > 0 && len(res.Deployed) == 0 {
				return failf(exitUsage, "--lockfile %s: it pins none of the configured github_releases sources' packages", strings.Join(lockfiles, ", "))
			}
			switch format {
			case "json":
				if err := api.Encode(a.stdout(), res); err != nil {
					return fail(exitUsage, err)
				}
			case "github":
				writeGitHub(a.stdout(), res)
			case "markdown":
				writeCheckMarkdown(a.stdout(), res)
			default:
				writeCheckText(a.stdout(), res)
			}
			if res.Status == "fail" {
				return silentExit(exitFail)
			}
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVar(&failOn, "fail-on", "breaking", "lowest severity that fails: info, warning or breaking")
	f.StringVar(&format, "format", "text", "output: text, json, github (workflow commands) or markdown (a job summary)")
	f.BoolVar(&refresh, "refresh", false, "poll the sources first (notices are queued, not posted)")
	f.StringVar(&maxAge, "max-age", "", "fail for a source whose last successful fetch is older than this (e.g. 24h, 7d) or missing")
	f.StringArrayVar(&sources, "source", nil, "check only this source (repeatable); narrows findings and staleness")
	f.DurationVar(&timeout, "timeout", 10*time.Minute, "with --refresh: the longest the poll may take; sources not done by then count as failed")
	f.StringArrayVar(&lockfiles, "lockfile", nil, "judge the releases sources at the versions this lockfile pins (repeatable; path or URL)")
	return cmd
}

// check answers the check from the console: the daemon's with --server,
// else the local store's; with refresh (local only) it polls first,
// queueing but not posting notices.
func (a *app) check(ctx context.Context, q api.CheckQuery, refresh bool, timeout time.Duration) (*api.CheckResult, error) {
	if a.remote() {
		if refresh {
			return nil, failf(exitUsage, "--refresh polls from this machine; with --server the daemon polls on its schedule")
		}
		svc, done, err := a.console(ctx, store.Read)
		if err != nil {
			return nil, err
		}
		defer done()
		res, err := svc.Check(ctx, q)
		return res, consoleFail(err)
	}
	cfg, err := a.readConfig()
	if err != nil {
		return nil, err
	}
	if refresh { // polling needs the sources' secrets, not Slack's: nothing is posted
		if err := cfg.MissingSourceSecrets(); err != nil {
			return nil, fail(exitUsage, err)
		}
	}
	for _, s := range q.Sources {
		if _, ok := cfg.Source(s); !ok {
			return nil, failf(exitUsage, "unknown source %q", s)
		}
	}
	mode := store.Read
	if refresh {
		mode = store.Create
	}
	db, err := a.openStore(ctx, cfg, mode)
	if err != nil {
		return nil, err
	}
	defer db.Close()
	if refresh {
		e, err := a.engine(cfg, db, nil)
		if err != nil {
			return nil, err
		}
		e.Notifier, e.Receivers = nil, nil
		pctx, cancel := context.WithTimeoutCause(ctx, timeout, fmt.Errorf("check --refresh took longer than --timeout %s", timeout))
		defer cancel()
		rep, err := e.Poll(pctx, q.Sources...)
		if err != nil {
			return nil, fail(exitUsage, err)
		}
		if err := rep.StoreErr(); err != nil {
			return nil, fail(exitUsage, err)
		}
		for _, s := range rep.Sources {
			if s.Err != nil {
				a.logger.Warn("refresh failed; checking the stored state", "source", s.Source, "error", s.Err.Error())
			}
		}
	}
	res, err := api.NewLocal(db, cfg).Check(ctx, q)
	return res, consoleFail(err)
}

// parseAge reads the span --since, --max-age and --for take (api.ParseDuration).
func parseAge(s string) (time.Duration, error) { return api.ParseDuration(s) }

func writeCheckText(w io.Writer, r *api.CheckResult) {
	defer writeDeployed(w, r.Deployed)
	if r.Status == "pass" {
		fmt.Fprintf(w, "PASS: no open findings at or above %s", r.FailOn)
		if r.MaxAge != "" {
			fmt.Fprintf(w, ", every source fetched within %s", r.MaxAge)
		}
		fmt.Fprintf(w, " (%d sources)\n", r.Sources)
		writeSilencedText(w, r)
		return
	}
	fmt.Fprintf(w, "FAIL: %d open finding(s) at or above %s", len(r.Findings), r.FailOn)
	if len(r.Stale) > 0 {
		fmt.Fprintf(w, ", %d stale source(s)", len(r.Stale))
	}
	fmt.Fprintln(w)
	rows := make([][4]string, 0, len(r.Findings)+len(r.Stale))
	for _, f := range r.Findings {
		rows = append(rows, [4]string{f.Severity.String(), f.Source, findingRef(f.ID), oneLine(f.Title) + "  [" + string(f.Category) + "]"})
	}
	for _, s := range r.Stale {
		last := "never fetched successfully"
		if s.LastSuccess != nil {
			last = "last successful fetch " + *s.LastSuccess
		}
		rows = append(rows, [4]string{"stale", s.Source, "", last + " (max age " + r.MaxAge + ")"})
	}
	writeColumns(w, rows)
	writeSilencedText(w, r)
	if len(r.Findings) > 0 && r.Findings[0].ID != 0 {
		fmt.Fprintf(w, "Handled or accepted? Acknowledge it: driftwatch ack %d --note \"why\"\n", r.Findings[0].ID)
	}
}

// writeColumns prints rows indented, their first three columns padded to
// line up; the last one runs free.
func writeColumns(w io.Writer, rows [][4]string) {
	var width [3]int
	for _, row := range rows {
		for i := range width {
			width[i] = max(width[i], len(row[i]))
		}
	}
	for _, row := range rows {
		var cols []string
		for i := range width {
			if width[i] > 0 {
				cols = append(cols, fmt.Sprintf("%-*s", width[i], row[i]))
			}
		}
		fmt.Fprintln(w, "  "+strings.Join(append(cols, row[3]), "  "))
	}
}

// writeSilencedText lists the findings a silence keeps from failing.
func writeSilencedText(w io.Writer, r *api.CheckResult) {
	if len(r.Silenced) == 0 {
		return
	}
	fmt.Fprintf(w, "%d finding(s) silenced:\n", len(r.Silenced))
	rows := make([][4]string, 0, len(r.Silenced))
	for _, f := range r.Silenced {
		rows = append(rows, [4]string{f.Severity.String(), f.Source, "#" + strconv.FormatInt(f.ID, 10),
			fmt.Sprintf("%s  [silence %d until %s]", oneLine(f.Title), f.Silence.ID, f.Silence.EndsAt)})
	}
	writeColumns(w, rows)
}

// writeGitHub prints GitHub Actions workflow commands.
func writeGitHub(w io.Writer, r *api.CheckResult) {
	for _, f := range r.Findings {
		level := map[watcher.Severity]string{watcher.Breaking: "error", watcher.Warning: "warning", watcher.Info: "notice"}[f.Severity]
		title := fmt.Sprintf("%s %s: %s", f.Source, f.Severity, f.Rule)
		msg := fmt.Sprintf("%s [%s] (finding %d; acknowledge with: driftwatch ack %d)", f.Title, f.Category, f.ID, f.ID)
		if f.ID == 0 {
			msg = fmt.Sprintf("%s [%s] (judged against --lockfile; not stored)", f.Title, f.Category)
		}
		fmt.Fprintf(w, "::%s title=%s::%s\n", level, ghProperty(title), ghData(msg))
	}
	for _, s := range r.Stale {
		last := "never fetched successfully"
		if s.LastSuccess != nil {
			last = "last successful fetch " + *s.LastSuccess
		}
		fmt.Fprintf(w, "::error title=%s::%s\n", ghProperty("stale source "+s.Source), ghData(fmt.Sprintf("%s: %s (max age %s)", s.Source, last, r.MaxAge)))
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
