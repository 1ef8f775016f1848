package main

import (
	"net"
	"path/filepath"

	"github.com/spf13/cobra"

	"github.com/driftwatch/driftwatch/config"
)

// listenFlag adds --listen to a command that serves or reaches the HTTP
// endpoints.
func (a *app) listenFlag(cmd *cobra.Command) {
	cmd.Flags().StringVar(&a.listen, "listen", "", "host:port of /healthz and /metrics, overriding server.listen and $DRIFTWATCH_SERVER_LISTEN")
}

// applyFlags lets --store and --listen win over the environment and the
// file. A relative --store is relative to the working directory, as paths
// on a command line are.
func (a *app) applyFlags(cfg *config.Config) (*config.Config, error) {
	if a.storePath != "" {
		p, err := filepath.Abs(a.storePath)
		if err != nil {
			return nil, failf(exitUsage, "--store %q: %v", a.storePath, err)
		}
		cfg.Store.Path = p
	}
	if a.listen != "" {
		if _, _, err := net.SplitHostPort(a.listen); err != nil {
			return nil, failf(exitUsage, "--listen %q: want host:port", a.listen)
		}
		cfg.Server.Listen = a.listen
	}
	return cfg, nil
}
