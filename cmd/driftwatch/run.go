package main

import (
	"context"
	"errors"
	"net"
	"net/http"
	"os"
	"os/signal"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"github.com/driftwatch/driftwatch/api"
	"github.com/driftwatch/driftwatch/config"
	"github.com/driftwatch/driftwatch/monitor"
	"github.com/driftwatch/driftwatch/store"
	"github.com/driftwatch/driftwatch/watcher"
)

// serverShutdown bounds the HTTP server's shutdown after the scheduler
// stopped; with watcher.DefaultGrace it is what a stop may take.
const serverShutdown = 5 * time.Second

func (a *app) runCommand() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "run",
		Short: "Run the daemon: poll on schedule, notify, serve /healthz and /metrics",
		Long: `Run driftwatch as a service: every source polled on its schedule (and once at
start), notices delivered and retried, the digest posted on digest.schedule,
GET /healthz and GET /metrics served on server.listen. SIGINT or SIGTERM stop
it cleanly (exit 0); SIGHUP reloads the config, keeping the running one if the
new one is invalid. One run per store: a second one exits 2 naming the holder.
poll, check, ack and the other commands work beside it.`,
		Example: `  driftwatch run -c /etc/driftwatch/driftwatch.toml --log-format json`,
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return a.daemon(cmd.Context())
		},
	}
	a.listenFlag(cmd)
	return cmd
}

func (a *app) daemon(ctx context.Context) error {
	cfg, err := a.loadConfig()
	if err != nil {
		return err
	}
	lock, err := store.AcquireLock(cfg.StorePath())
	if err != nil {
		return fail(exitUsage, err)
	}
	defer func() {
		if err := lock.Release(); err != nil {
			a.logger.Warn("releasing the store lock", "error", err.Error())
		}
	}()
	db, err := a.openStore(ctx, cfg, store.Create)
	if err != nil {
		return err
	}
	defer db.Close()

	var current atomic.Pointer[watcher.Scheduler]
	mon := monitor.New(db, func() map[string]time.Time {
		if s := current.Load(); s != nil {
			return s.BackedOff()
		}
		return nil
	})
	mon.Scrub = a.scrub.Scrub
	b := currentBuild()
	mon.SetBuildInfo(b.Version, b.Commit, b.GoVersion)
	mon.Receivers = func() []watcher.ReceiverStatus {
		if s := current.Load(); s != nil {
			return s.Engine.ReceiverStatuses()
		}
		return nil
	}
	ln, err := net.Listen("tcp", cfg.Server.Listen)
	if err != nil {
		return failf(exitUsage, "server.listen %s: %v", cfg.Server.Listen, err)
	}
	console := api.NewLocal(db, cfg)
	mux := http.NewServeMux()
	mon.Register(mux)
	a.serveConsole(mux, console, cfg) // serve.go
	srv := mon.Server(monitor.DefaultServerTimeouts)
	srv.Handler = mux
	go func() {
		if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			a.logger.Error("server", "error", err.Error())
		}
	}()
	a.logger.Info("serving /healthz and /metrics", "listen", ln.Addr().String())
	defer func() {
		sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), serverShutdown)
		defer cancel()
		if err := srv.Shutdown(sctx); err != nil {
			a.logger.Warn("server shutdown", "error", err.Error())
		}
	}()

	hup := make(chan os.Signal, 1)
	signal.Notify(hup, syscall.SIGHUP)
	defer signal.Stop(hup)
	a.logger.Info("daemon started", "version", b.Version, "sources", len(cfg.Sources), "store", cfg.StorePath())
	for {
		e, err := a.engine(cfg, db, a.stdout())
		if err != nil {
			return err
		}
		e.Observer = mon
		if _, err := e.RetireRemoved(ctx); err != nil {
			return fail(exitUsage, err)
		}
		mon.Retain(sourceNames(cfg))
		sched := &watcher.Scheduler{Engine: e, Logger: a.logger, Digest: cfg.Digest.Schedule}
		current.Store(sched)
		runCtx, cancel := context.WithCancel(ctx)
		done := make(chan error, 1)
		go func() { done <- sched.Run(runCtx) }()

		next, stop, err := a.wait(ctx, cfg, hup, done)
		if stop && err == nil {
			a.logger.Info("stopping: no new polls; waiting for in-flight ones", "grace", watcher.DefaultGrace)
		}
		cancel()
		if err != nil { // the scheduler itself gave up
			return fail(exitUsage, err)
		}
		if err := <-done; err != nil { // the in-flight cycle finished or was abandoned
			a.logger.Error("schedule", "error", err.Error())
		}
		if stop {
			a.logger.Info("daemon stopped")
			return nil
		}
		cfg = next
		console.SetConfig(cfg)
		a.logger.Info("config reloaded", "sources", len(cfg.Sources))
	}
}

// wait blocks until shutdown (stop), a valid reloaded config (next), or a
// scheduler failure (err). An invalid config on SIGHUP is logged and the
// running one kept.
func (a *app) wait(ctx context.Context, cfg *config.Config, hup <-chan os.Signal, done <-chan error) (*config.Config, bool, error) {
	for {
		select {
		case <-ctx.Done():
			return nil, true, nil
		case err := <-done:
			if err == nil {
				err = errors.New("scheduler stopped")
			}
			return nil, true, err
		case <-hup:
			next, err := a.loadConfig()
			if err != nil {
				a.logger.Error("config reload failed; keeping the running config", "error", err.Error())
				continue
			}
			if next.StorePath() != cfg.StorePath() || serverChanged(next.Server, cfg.Server) {
				a.logger.Warn("store.path and [server] changes take effect at the next restart")
			}
			return next, false, nil
		}
	}
}

// sourceNames lists the configured sources.
func sourceNames(cfg *config.Config) []string {
	out := make([]string, 0, len(cfg.Sources))
	for _, s := range cfg.Sources {
		out = append(out, s.Name)
	}
	return out
}
