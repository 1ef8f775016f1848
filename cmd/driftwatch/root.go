package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strings"

	"github.com/spf13/cobra"

	"github.com/driftwatch/driftwatch/config"
	"github.com/driftwatch/driftwatch/redact"
	"github.com/driftwatch/driftwatch/store"
)

// Exit codes shared by every command.
const (
	exitOK    = 0
	exitFail  = 1 // a failing check, a failed source, an unknown ID
	exitUsage = 2 // usage, config or store errors
)

// Env is what Main may touch of the outside world, so tests run it in
// process.
type Env struct {
	Stdout, Stderr io.Writer
	LookupEnv      config.LookupEnv
}

// exitError carries an exit code with its message.
type exitError struct {
	code int
	err  error
}

func (e *exitError) Error() string { return e.err.Error() }

func (e *exitError) Unwrap() error { return e.err }

func fail(code int, err error) error { return &exitError{code: code, err: err} }

func failf(code int, format string, args ...any) error {
	return &exitError{code: code, err: fmt.Errorf(format, args...)}
}

// silentExit ends a command with a code after it printed its own output.
func silentExit(code int) error { return &exitError{code: code} }

// app holds the global flags and what commands share.
type app struct {
	env        Env
	configPath string
	logFormat  string
	verbose    bool
	server     string // --server: ask this daemon's API (console.go)
	logger     *slog.Logger
	// scrub knows every secret of the config and every token obtained
	// while polling; logs and error lines go through it.
	scrub *redact.Scrubber
	// storePath and listen are --store and --listen: they win over the
	// environment and the file.
	storePath string
	listen    string
}

// Main runs the driftwatch command line and returns the exit code.
func Main(ctx context.Context, args []string, env Env) int {
	if env.LookupEnv == nil {
		env.LookupEnv = func(string) (string, bool) { return "", false }
	}
	out := &checkedWriter{w: env.Stdout}
	env.Stdout = out
	a := &app{env: env, scrub: redact.NewScrubber()}
	root := a.rootCommand()
	root.SetArgs(args)
	root.SetOut(env.Stdout)
	root.SetErr(env.Stderr)
	err := root.ExecuteContext(ctx)
	if out.err != nil {
		// Output that did not arrive is no verdict: a gate reading a
		// closed pipe or a full disk must not see a pass.
		printError(env.Stderr, fmt.Errorf("write standard output: %w", out.err), a.scrub)
		return exitUsage
	}
	if err == nil {
		return exitOK
	}
	code := exitUsage
	var ee *exitError
	if errors.As(err, &ee) {
		code = ee.code
		err = ee.err
	}
	if err != nil {
		printError(env.Stderr, store.Explain(err), a.scrub)
	}
	return code
}

// checkedWriter keeps the first error writing to stdout met, so a failed
// write ends the command with exit 2 whatever it printed.
type checkedWriter struct {
	w   io.Writer
	err error
}

func (c *checkedWriter) Write(p []byte) (int, error) {
	if c.err != nil {
		return 0, c.err
	}
	n, err := c.w.Write(p)
	if err != nil {
		c.err = err
	}
	return n, err
}

// printError writes one line per problem, known secrets scrubbed.
func printError(w io.Writer, err error, scrub *redact.Scrubber) {
	for _, line := range strings.Split(strings.TrimSpace(scrub.Error(err)), "\n") {
		if line = strings.TrimSpace(line); line != "" {
			fmt.Fprintln(w, "error: "+line)
		}
	}
}

func (a *app) rootCommand() *cobra.Command {
	root := &cobra.Command{
		Use:   "driftwatch",
		Short: "Warn before upstream changes break a deployed app",
		Long: `driftwatch snapshots what a deployed app depends on outside its code — Auth0
tenant settings and callback URLs, SDK releases on GitHub, provider changelog
feeds, any JSON endpoint — stores and diffs the snapshots in SQLite, judges
which changes may break the app, and tells its maintainers: a Slack notice,
a weekly digest, and a pre-deploy check that fails a pipeline on open drift.`,
		Example: `  driftwatch demo                      # a self-contained tour, offline
  driftwatch validate -c driftwatch.toml
  driftwatch poll
  driftwatch check --fail-on breaking --max-age 24h`,
		SilenceUsage:  true,
		SilenceErrors: true,
		PersistentPreRunE: func(cmd *cobra.Command, _ []string) error {
			if err := a.setup(); err != nil {
				return err
			}
			return a.refuseServer(cmd)
		},
	}
	pf := root.PersistentFlags()
	pf.StringVarP(&a.configPath, "config", "c", "", "config file (default $DRIFTWATCH_CONFIG, else ./driftwatch.toml)")
	pf.StringVar(&a.logFormat, "log-format", "text", "log format on stderr: text or json")
	pf.BoolVarP(&a.verbose, "verbose", "v", false, "debug logs")
	pf.StringVar(&a.server, "server", "", "ask a driftwatch daemon's API at this URL instead of the local store (default $DRIFTWATCH_SERVER; token in $DRIFTWATCH_TOKEN)")
	pf.StringVar(&a.storePath, "store", "", "the SQLite store, overriding store.path and $DRIFTWATCH_STORE_PATH")
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return fail(exitUsage, err) })
	root.Version = currentBuild().String()
	root.SetVersionTemplate("{{.Version}}\n")
	root.AddCommand(a.versionCommand(), a.validateCommand(), a.pollCommand(), a.checkCommand(),
		a.findingsCommand(), a.ackCommand(), a.silenceCommand(), a.diffCommand(), a.historyCommand(), a.showCommand(),
		a.digestCommand(), a.runCommand(), a.demoCommand(), a.explainCommand(), a.healthcheckCommand(), a.manCommand(),
		a.notifyCommand())
	a.addCompletions(root)
	return root
}

func (a *app) setup() error {
	level := slog.LevelInfo
	if a.verbose {
		level = slog.LevelDebug
	}
	opts := &slog.HandlerOptions{Level: level}
	switch a.logFormat {
	case "text":
		a.logger = slog.New(redact.Handler(slog.NewTextHandler(a.env.Stderr, opts), a.scrub))
	case "json":
		opts.ReplaceAttr = jsonAttr
		a.logger = slog.New(redact.Handler(slog.NewJSONHandler(a.env.Stderr, opts), a.scrub))
	default:
		return failf(exitUsage, "--log-format %q: want text or json", a.logFormat)
	}
	return nil
}

// configFile returns the config path from the flag, the environment or
// the default.
func (a *app) configFile() string {
	if a.configPath != "" {
		return a.configPath
	}
	if p, ok := a.env.LookupEnv("DRIFTWATCH_CONFIG"); ok && p != "" {
		return p
	}
	return "driftwatch.toml"
}

// loadConfig loads and validates the config, secrets included; any
// problem exits 2.
func (a *app) loadConfig() (*config.Config, error) {
	cfg, err := config.Load(a.configFile(), a.env.LookupEnv)
	if err != nil {
		return nil, fail(exitUsage, err)
	}
	a.learn(cfg)
	return a.applyFlags(cfg)
}

// readConfig loads the config for a command that only reads the store:
// secret variables need not be set.
func (a *app) readConfig() (*config.Config, error) {
	cfg, err := config.LoadReadOnly(a.configFile(), a.env.LookupEnv)
	if err != nil {
		return nil, fail(exitUsage, err)
	}
	a.learn(cfg)
	return a.applyFlags(cfg)
}

// learn tells the scrubber the config's secrets.
func (a *app) learn(cfg *config.Config) {
	values, urls := cfg.Secrets()
	a.scrub.Add(values...)
	for _, u := range urls {
		a.scrub.AddURL(u)
	}
	for _, u := range cfg.SourceEndpoints() {
		a.scrub.AddURLCredentials(u)
	}
}

// openStore opens the config's store as mode allows: only poll, run and
// the commands that poll create it. A failure exits 2.
func (a *app) openStore(ctx context.Context, cfg *config.Config, mode store.Mode) (*store.DB, error) {
	db, err := store.OpenMode(ctx, cfg.StorePath(), mode)
	if err != nil {
		var missing *store.MissingError
		if errors.As(err, &missing) {
			return nil, failf(exitUsage, "store %s does not exist: run driftwatch poll to create it, or check store.path in %s", missing.Path, cfg.File)
		}
		return nil, fail(exitUsage, err)
	}
	db.KeepSnapshots = cfg.Store.KeepSnapshots
	return db, nil
}

// openRead loads the config for reading and opens its existing store.
func (a *app) openRead(ctx context.Context, mode store.Mode) (*config.Config, *store.DB, error) {
	cfg, err := a.readConfig()
	if err != nil {
		return nil, nil, err
	}
	db, err := a.openStore(ctx, cfg, mode)
	return cfg, db, err
}

// stdout is where command output goes.
func (a *app) stdout() io.Writer { return a.env.Stdout }
