package main

import (
	"errors"
	"strings"

	"github.com/spf13/cobra"

	"github.com/driftwatch/driftwatch/store"
	"github.com/driftwatch/driftwatch/watcher"
)

func (a *app) pollCommand() *cobra.Command {
	var sources []string
	var noNotify, queue bool
	cmd := &cobra.Command{
		Use:   "poll",
		Short: "Run one cycle now: fetch, store, diff, judge, notify",
		Long: `Fetch each source (or each named one), store its snapshot if it changed, diff
it against the previous one, judge the changes into findings, then deliver
pending notices (to Slack, or to stdout without [notify.slack]).

--no-notify queues the notices for the next delivering command instead; on a
source's first snapshot it queues none (its findings are recorded, and check
and findings show them), so setting a source up does not page the team about
its initial state. --queue queues those too.

Exit status: 0 when every source was fetched (whatever Slack did), 1 when at
least one source failed (the others are still processed and stored), 2 on a
usage, config or store error.`,
		Example: `  driftwatch poll
  driftwatch poll --source auth0-prod --no-notify`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cfg, err := a.loadConfig()
			if err != nil {
				return err
			}
			db, err := a.openStore(cmd.Context(), cfg, store.Create)
			if err != nil {
				return err
			}
			defer db.Close()
			out := a.stdout()
			if noNotify {
				out = nil
			}
			e, err := a.engine(cfg, db, out)
			if err != nil {
				return err
			}
			if noNotify {
				e.Notifier, e.Receivers = nil, nil
				e.QuietBaseline = !queue
			}
			if _, err := e.RetireRemoved(cmd.Context()); err != nil {
				return fail(exitUsage, err)
			}
			rep, err := e.Poll(cmd.Context(), sources...)
			var unknown *watcher.UnknownSourceError
			if errors.As(err, &unknown) {
				return fail(exitUsage, err)
			}
			if err != nil {
				return fail(exitUsage, err)
			}
			if err := rep.StoreErr(); err != nil {
				return fail(exitUsage, err) // the store, not an upstream, failed
			}
			if !noNotify {
				if d := e.Deliver(cmd.Context()); d.Err != nil {
					a.logger.Warn(deliveryShortfall(d), "sent", d.Sent, "pending", d.Failed, "given_up", d.GivenUp, "error", d.Err.Error())
				}
			}
			if n := rep.Failed(); n > 0 {
				var lines []string
				for _, s := range rep.Sources {
					if s.Err != nil {
						lines = append(lines, s.Err.Error())
					}
				}
				return failf(exitFail, "%d of %d sources failed:\n%s", n, len(rep.Sources), strings.Join(lines, "\n"))
			}
			return nil
		},
	}
	cmd.Flags().StringArrayVar(&sources, "source", nil, "poll only this source (repeatable)")
	cmd.Flags().BoolVar(&noNotify, "no-notify", false, "queue notices for the next delivering command instead of sending them; a source's first snapshot queues none")
	cmd.Flags().BoolVar(&queue, "queue", false, "with --no-notify, queue the notices of a source's first snapshot too")
	return cmd
}

// deliveryShortfall says what became of the notices a delivery did not
// post: queued for a retry, or given up (rejected, or failing too long),
// which are not retried.
func deliveryShortfall(d watcher.DeliverReport) string {
	switch {
	case d.GivenUp > 0 && d.Failed > 0:
		return "some notices not delivered: the pending ones stay queued; the given-up ones are not retried"
	case d.GivenUp > 0:
		return "notices given up: they are not retried"
	}
	return "notices not delivered yet; they stay queued"
}
