package main

import "github.com/spf13/cobra"

func (a *app) runCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "run",
		Short: "Run the daemon: poll on schedule, notify, serve /healthz and /metrics",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return failf(exitUsage, "run: not built yet")
		},
	}
}

func (a *app) demoCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "demo",
		Short: "A self-contained tour against simulated upstreams, offline",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return failf(exitUsage, "demo: not built yet")
		},
	}
}
