package main

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"time"

	"github.com/spf13/cobra"
)

// healthcheckCommand asks a running daemon for /healthz: a container
// health check for images without a shell or curl (distroless).
func (a *app) healthcheckCommand() *cobra.Command {
	var timeout time.Duration
	cmd := &cobra.Command{
		Use:   "healthcheck",
		Short: "Ask the running daemon for /healthz (a container health check)",
		Long: `GET /healthz from the daemon at server.listen (or --listen); an address that
listens on every interface (0.0.0.0, ::) is asked on loopback. Secrets are not
needed.

Exit status: 0 healthy, 1 unhealthy or unreachable, 2 usage or config error.`,
		Example: `  driftwatch healthcheck
  driftwatch healthcheck --listen 127.0.0.1:9464`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cfg, err := a.readConfig()
			if err != nil {
				return err
			}
			url := "http://" + loopback(cfg.Server.Listen) + "/healthz"
			ctx, cancel := context.WithTimeout(cmd.Context(), timeout)
			defer cancel()
			req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
			if err != nil {
				return fail(exitUsage, err)
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				return failf(exitFail, "unhealthy: %s: %v", url, err)
			}
			defer resp.Body.Close()
			_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<20))
			if resp.StatusCode != http.StatusOK {
				return failf(exitFail, "unhealthy: %s answered %s", url, resp.Status)
			}
			fmt.Fprintf(a.stdout(), "healthy: %s\n", url)
			return nil
		},
	}
	cmd.Flags().DurationVar(&timeout, "timeout", 5*time.Second, "how long to wait for the answer")
	a.listenFlag(cmd)
	return cmd
}

// loopback turns a listen address into one to dial: every interface means
// this host.
func loopback(listen string) string {
	host, port, err := net.SplitHostPort(listen)
	if err != nil {
		return listen
	}
	switch host {
	case "", "0.0.0.0":
		host = "127.0.0.1"
	case "::":
		host = "::1"
	}
	return net.JoinHostPort(host, port)
}
