package main

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/driftwatch/driftwatch/notify"
)

func (a *app) notifyCommand() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "notify",
		Short: "Work with the receivers of notices",
		Args:  cobra.NoArgs,
	}
	cmd.AddCommand(a.notifyTestCommand())
	return cmd
}

func (a *app) notifyTestCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "test [RECEIVER]",
		Short: "Send a clearly marked test message through each receiver (or one)",
		Long: `Send a test message through every configured receiver, or only the one
named, and say which accepted it. The message says it is a test; it is not
kept in the outbox and touches no finding. Exit 0 when every receiver
accepted it, 1 naming each that did not, 2 for a config error or an unknown
receiver.`,
		Example: `  driftwatch notify test
  driftwatch notify test oncall-webhook`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			cfg, err := a.loadConfig()
			if err != nil {
				return err
			}
			rs, err := a.receivers(cfg)
			if err != nil {
				return fail(exitUsage, err)
			}
			if len(rs) == 0 {
				return failf(exitUsage, "no receiver configured in %s: add a [[receiver]] (notices go to stdout meanwhile)", cfg.File)
			}
			if len(args) == 1 {
				var names []string
				found := false
				for _, r := range rs {
					names = append(names, r.Name)
					if r.Name == args[0] {
						rs, found = rs[:0:0], true
						rs = append(rs, r)
						break
					}
				}
				if !found {
					return failf(exitUsage, "unknown receiver %q (configured: %s)", args[0], strings.Join(names, ", "))
				}
			}
			var failed []string
			for _, r := range rs {
				t, ok := r.Notifier.(notify.Tester)
				if !ok {
					return failf(exitUsage, "receiver %q cannot send a test message", r.Name)
				}
				ctx, cancel := context.WithTimeout(cmd.Context(), time.Minute)
				err := t.Test(ctx)
				cancel()
				if err != nil {
					failed = append(failed, fmt.Sprintf("%s: %v", r.Name, err))
					fmt.Fprintf(a.stdout(), "%s: failed\n", r.Name)
					continue
				}
				fmt.Fprintf(a.stdout(), "%s: accepted\n", r.Name)
			}
			if len(failed) > 0 {
				return failf(exitFail, "%d of %d receivers did not accept the test message:\n%s", len(failed), len(rs), strings.Join(failed, "\n"))
			}
			return nil
		},
	}
}
