package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/spf13/cobra"

	"github.com/driftwatch/driftwatch/notify/slack"
)

func (a *app) demoCommand() *cobra.Command {
	var keep bool
	cmd := &cobra.Command{
		Use:   "demo",
		Short: "A self-contained tour against simulated upstreams, offline",
		Long: `Start simulated upstreams on loopback — an Auth0 tenant built from recorded
Management API data, the real release history of auth0/nextjs-auth0 as GitHub
releases, a changelog feed, and Slack — and run the real pipeline through two
polls with upstream changes between them. It prints the diffs, the findings
with their categories, the Slack messages that were posted (as text), and the
pre-deploy check failing, then passing once the findings are acknowledged.
No network, no credentials; the temporary store is removed unless --keep.`,
		Example: `  driftwatch demo
  go run ./cmd/driftwatch demo --keep`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return a.demo(cmd.Context(), keep)
		},
	}
	cmd.Flags().BoolVar(&keep, "keep", false, "keep the temporary config and store, and say where they are")
	return cmd
}

// tour runs driftwatch commands in process against the demo's config and
// narrates them.
type tour struct {
	ctx    context.Context
	out    io.Writer
	config string
	env    map[string]string
	world  *demoWorld
	seen   int // Slack messages already shown
}

func (a *app) demo(ctx context.Context, keep bool) error {
	dir, err := os.MkdirTemp("", "driftwatch-demo-")
	if err != nil {
		return fail(exitUsage, err)
	}
	if !keep {
		defer os.RemoveAll(dir)
	}
	w := startDemoWorld()
	defer w.Close()
	t := &tour{ctx: ctx, out: a.stdout(), config: filepath.Join(dir, "driftwatch.toml"), env: w.env(), world: w}
	if err := os.WriteFile(t.config, []byte(w.config()), 0o600); err != nil {
		return fail(exitUsage, err)
	}
	if err := t.run(); err != nil {
		return fail(exitUsage, fmt.Errorf("demo: %w", err))
	}
	if keep {
		t.say("Kept the demo's config and store in %s (the simulated upstreams are gone):", dir)
		t.say("  driftwatch findings --state all -c %s", t.config)
		t.say("  driftwatch history auth0-prod -c %s", t.config)
	} else {
		t.say("Done. The temporary store is removed; run with --keep to look around afterwards.")
	}
	return nil
}

func (t *tour) run() error {
	w := t.world
	t.say("driftwatch demo — the real pipeline against simulated upstreams on loopback; no network, no credentials.")
	t.step("Simulated upstreams")
	t.say("  Auth0 tenant     %s  recorded Management API data: 40 clients, 31 connections, actions, a rule, a hook", w.auth0.URL())
	t.say("  GitHub releases  %s  auth0/nextjs-auth0, %d releases from its real CHANGELOG; the app runs %s", w.gh.URL(), w.count, demoDeployed)
	t.say("  Changelog feed   %s", w.feed.URL())
	t.say("  Slack            %s  an Incoming Webhook", strings.TrimSuffix(w.slack.APIURL(), "/api/"))
	t.say("  The config expects %q in the callbacks of client \"Acme Web\" (an [[expect]]).", demoCallback)

	t.step("Poll 1: the baseline — driftwatch poll")
	if _, err := t.cli(0, "poll"); err != nil {
		return err
	}
	t.history()
	base, err := t.open()
	if err != nil {
		return err
	}
	t.say("Rules about a change stay silent on a baseline; rules about a state speak at once. The")
	t.say("recorded tenant really depends on %d platform deprecations (localhost callbacks now prompting,", len(base))
	t.say("actions on old runtimes, ...): one finding each, listing every client or action concerned:")
	if err := t.findings(6); err != nil {
		return err
	}
	t.slackMessages(1, 16)
	t.say("The team reviews them and acknowledges them; they stay on record but no longer fail check:")
	if err := t.ack(base, "known platform deprecations, migration planned"); err != nil {
		return err
	}
	if err := t.check(0); err != nil {
		return err
	}

	t.step("Upstream changes — nobody touches the app's code")
	for _, c := range w.change() {
		t.say("  • %s", c)
	}

	t.step("Poll 2 — driftwatch poll")
	if _, err := t.cli(0, "poll"); err != nil {
		return err
	}
	for _, s := range []string{"auth0-prod", "nextjs-auth0", "auth0-changelog"} {
		t.say("$ driftwatch diff %s", s)
		out, err := t.cli(0, "diff", s)
		if err != nil {
			return err
		}
		t.block(out, 8)
	}

	t.step("New findings, each saying what kind of problem it is — driftwatch findings")
	if err := t.findings(0); err != nil {
		return err
	}
	t.step("What Slack received (rendered as text)")
	t.slackMessages(0, 0)

	t.step("The pre-deploy gate — driftwatch check")
	if err := t.check(1); err != nil {
		return err
	}
	fresh, err := t.open()
	if err != nil {
		return err
	}
	t.say("Once the team has fixed the tenant's callback and planned the upgrade, it acknowledges them:")
	if err := t.ack(fresh, "callback restored, nextjs-auth0 v4 upgrade planned"); err != nil {
		return err
	}
	return t.check(0)
}

// cli runs one driftwatch command against the demo config; an exit code
// other than want is an error.
func (t *tour) cli(want int, args ...string) (string, error) {
	var out, errOut bytes.Buffer
	env := Env{Stdout: &out, Stderr: &errOut, LookupEnv: func(k string) (string, bool) {
		v, ok := t.env[k]
		return v, ok
	}}
	code := Main(t.ctx, append([]string{"-c", t.config}, args...), env)
	if code != want {
		return "", fmt.Errorf("driftwatch %s: exit %d, want %d: %s", strings.Join(args, " "), code, want, strings.TrimSpace(errOut.String()))
	}
	return out.String(), nil
}

func (t *tour) say(format string, args ...any) { fmt.Fprintf(t.out, format+"\n", args...) }

func (t *tour) step(title string) { t.say("\n▸ %s", title) }

// block prints command output indented, at most max lines (0: all).
func (t *tour) block(s string, max int) {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	for i, l := range lines {
		if max > 0 && i == max {
			t.say("    … %d more lines", len(lines)-max)
			break
		}
		t.say("    %s", l)
	}
}

func (t *tour) history() {
	for _, s := range []string{"auth0-prod", "nextjs-auth0", "auth0-changelog"} {
		out, err := t.cli(0, "history", s, "--format", "json")
		if err != nil {
			continue
		}
		var h struct {
			Snapshots []struct {
				ID   int64  `json:"id"`
				Hash string `json:"hash"`
			} `json:"snapshots"`
		}
		if json.Unmarshal([]byte(out), &h) == nil && len(h.Snapshots) > 0 {
			t.say("  %-16s snapshot %d stored (sha256 %s…)", s, h.Snapshots[0].ID, h.Snapshots[0].Hash[:12])
		}
	}
}

type demoFinding struct {
	ID       int64  `json:"id"`
	Severity string `json:"severity"`
	Category string `json:"category"`
	Title    string `json:"title"`
}

// open returns the open findings.
func (t *tour) open() ([]demoFinding, error) {
	out, err := t.cli(0, "findings", "--format", "json")
	if err != nil {
		return nil, err
	}
	var f struct {
		Findings []demoFinding `json:"findings"`
	}
	return f.Findings, json.Unmarshal([]byte(out), &f)
}

func (t *tour) findings(max int) error {
	out, err := t.cli(0, "findings")
	if err != nil {
		return err
	}
	t.block(out, max)
	return nil
}

func (t *tour) ack(fs []demoFinding, note string) error {
	args := []string{"ack"}
	for _, f := range fs {
		args = append(args, strconv.FormatInt(f.ID, 10))
	}
	args = append(args, "--note", note)
	shown := strings.Join(args[:min(len(args)-2, 9)], " ")
	if len(fs) > 8 {
		shown += " …"
	}
	t.say("$ driftwatch %s --note %q", shown, note)
	out, err := t.cli(0, args...)
	if err == nil && len(fs) <= 8 {
		t.block(out, 0)
	}
	return err
}

func (t *tour) check(want int) error {
	t.say("$ driftwatch check   (exit %d)", want)
	out, err := t.cli(want, "check")
	if err != nil {
		return err
	}
	t.block(out, 0)
	return nil
}

// slackMessages prints the messages Slack received since the last call;
// max bounds how many, lines how long each is shown (0: all).
func (t *tour) slackMessages(max, lines int) {
	all := t.world.slack.Posted()
	news := all[t.seen:]
	t.seen = len(all)
	t.say("Slack received %d message(s):", len(news))
	for i, p := range news {
		if max > 0 && i == max {
			t.say("    … and %d more message(s)", len(news)-max)
			break
		}
		m, err := slack.ParseMessage(p.JSON)
		if err != nil {
			continue
		}
		t.say("  ┌────")
		text := strings.Split(strings.TrimRight(slack.Text(m), "\n"), "\n")
		for j, l := range text {
			if lines > 0 && j == lines {
				t.say("  │ … %d more lines", len(text)-lines)
				break
			}
			t.say("  │ %s", l)
		}
		t.say("  └────")
	}
}
