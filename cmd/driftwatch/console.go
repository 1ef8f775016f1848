package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/user"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"github.com/driftwatch/driftwatch/api"
	"github.com/driftwatch/driftwatch/store"
)

// serverURL returns the daemon to ask: --server, else DRIFTWATCH_SERVER;
// "" means the local store.
func (a *app) serverURL() string {
	if a.server != "" {
		return a.server
	}
	if s, ok := a.env.LookupEnv("DRIFTWATCH_SERVER"); ok {
		return s
	}
	return ""
}

// The commands that answer from a daemon's API with --server, and those
// that work only on this machine's config and store.
var (
	remoteCommands = []string{"check", "findings", "explain", "ack", "silence", "diff", "history", "show"}
	localCommands  = []string{"poll", "digest", "validate", "run", "demo"}
)

// refuseServer makes an explicit --server on a local-only command a usage
// error rather than silently polling or posting here. DRIFTWATCH_SERVER
// from the environment only earns a warning: a user who exports it for
// the console commands can still run `poll`.
func (a *app) refuseServer(cmd *cobra.Command) error {
	for cmd.HasParent() && cmd.Parent().HasParent() {
		cmd = cmd.Parent()
	}
	if !slices.Contains(localCommands, cmd.Name()) {
		return nil
	}
	if a.server != "" || cmd.Flags().Changed("server") {
		return failf(exitUsage, "--server: %s works on this machine's config and store only; --server is for %s",
			cmd.Name(), strings.Join(remoteCommands, ", "))
	}
	if s, ok := a.env.LookupEnv("DRIFTWATCH_SERVER"); ok && s != "" {
		fmt.Fprintf(a.env.Stderr, "warning: DRIFTWATCH_SERVER is set, but %s works on this machine's config and store only; it is ignored\n", cmd.Name())
	}
	return nil
}

// remote reports whether the console commands ask a daemon.
func (a *app) remote() bool { return a.serverURL() != "" }

// console returns the console the reading and acknowledging commands use:
// a daemon's API with --server (no config, store or upstream secret
// needed), else the local store opened as mode allows (never created).
// close releases it.
func (a *app) console(ctx context.Context, mode store.Mode) (svc api.Service, close func(), err error) {
	if u := a.serverURL(); u != "" {
		token, _ := a.env.LookupEnv("DRIFTWATCH_TOKEN")
		a.scrub.Add(token) // an error or log line never quotes it
		a.scrub.AddURLCredentials(u)
		c, err := api.NewClient(u, token, nil)
		if err != nil {
			return nil, nil, consoleFail(err)
		}
		return c, func() {}, nil
	}
	cfg, db, err := a.openRead(ctx, mode)
	if err != nil {
		return nil, nil, err
	}
	return api.NewLocal(db, cfg), func() { db.Close() }, nil
}

// consoleFail maps a console error to its exit code: 1 for something
// unknown (a finding, a source, a snapshot), 2 for the rest.
func consoleFail(err error) error {
	if err == nil {
		return nil
	}
	var ee *exitError
	if errors.As(err, &ee) {
		return err
	}
	if api.ErrorCode(err) == api.NotFound {
		return fail(exitFail, err)
	}
	return fail(exitUsage, err)
}

// osUser names the person running the command, for acks and silences.
func (a *app) osUser() string {
	if u, err := user.Current(); err == nil && u.Username != "" {
		return u.Username
	}
	for _, k := range []string{"USER", "LOGNAME"} {
		if v, ok := a.env.LookupEnv(k); ok && v != "" {
			return v
		}
		if v := os.Getenv(k); v != "" {
			return v
		}
	}
	return "unknown"
}
