package main

import (
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"github.com/driftwatch/driftwatch/notify/console"
	"github.com/driftwatch/driftwatch/providers"
	"github.com/driftwatch/driftwatch/routing"
	"github.com/driftwatch/driftwatch/store"
	"github.com/driftwatch/driftwatch/watcher"
)

func (a *app) digestCommand() *cobra.Command {
	var since string
	var post bool
	cmd := &cobra.Command{
		Use:   "digest",
		Short: "Print (or post to the receivers) the digest of upstream changes",
		Long: `Summarise the upstream changes and findings of a period (default the last
week), grouped by source: new releases and feed entries, changed settings,
findings opened, resolved and still open. --post sends it to the receivers that get digests.`,
		Example: `  driftwatch digest
  driftwatch digest --since 24h --post`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			period, err := parseAge(since)
			if err != nil {
				return failf(exitUsage, "--since: %v", err)
			}
			cfg, err := a.readConfig()
			if err != nil {
				return err
			}
			if post && len(cfg.AllReceivers()) == 0 {
				return failf(exitUsage, "--post needs a [[receiver]] (or [notify.slack]) in %s", cfg.File)
			}
			if post { // posting needs the receivers' secrets, not the sources': nothing is fetched
				if err := cfg.MissingNotifierSecrets(); err != nil {
					return fail(exitUsage, err)
				}
			}
			mode := store.Read
			if post {
				mode = store.Existing
			}
			db, err := a.openStore(cmd.Context(), cfg, mode)
			if err != nil {
				return err
			}
			defer db.Close()
			e := &watcher.Engine{Sources: providers.Describe(cfg), Store: db, Logger: a.logger, Policy: routing.Policy(cfg)}
			now := time.Now().UTC()
			d, err := e.BuildDigest(cmd.Context(), now.Add(-period), now)
			if err != nil {
				return fail(exitUsage, err)
			}
			if err := console.FormatDigest(a.stdout(), d); err != nil {
				return fail(exitUsage, err)
			}
			if !post {
				return nil
			}
			n := watcher.Notice{Kind: watcher.NoticeDigest, Group: "digest/" + now.Format(time.RFC3339), Digest: d, CreatedAt: now}
			queued, err := e.EnqueueDigest(cmd.Context(), n)
			if err != nil {
				return fail(exitUsage, err)
			}
			if queued == 0 {
				return failf(exitUsage, "no receiver gets the digest: add digest = true to a [[route]] in %s", cfg.File)
			}
			if err := a.attachReceivers(e, cfg, nil); err != nil {
				return err
			}
			rep := e.Deliver(cmd.Context())
			switch {
			case rep.Err != nil && rep.Failed == 0 && rep.GivenUp > 0:
				return failf(exitUsage, "digest not posted: it was rejected, and it is not retried: %v", rep.Err)
			case rep.Err != nil:
				return failf(exitUsage, "digest not posted yet (it stays queued and is retried by the next poll or run): %v", rep.Err)
			}
			fmt.Fprintf(a.env.Stderr, "digest posted to %d receiver(s)\n", queued)
			return nil
		},
	}
	cmd.Flags().StringVar(&since, "since", "168h", "period to summarise, ending now (e.g. 168h, 7d)")
	cmd.Flags().BoolVar(&post, "post", false, "send the digest to the receivers that get it")
	return cmd
}
