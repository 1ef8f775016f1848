package main

import (
	"io"

	"github.com/driftwatch/driftwatch/config"
	"github.com/driftwatch/driftwatch/notify/console"
	"github.com/driftwatch/driftwatch/notify/slack"
	"github.com/driftwatch/driftwatch/providers"
	"github.com/driftwatch/driftwatch/providers/polite"
	"github.com/driftwatch/driftwatch/store"
	"github.com/driftwatch/driftwatch/watcher"
)

// engine wires the configured sources, the store and the notifier.
// Notices go to Slack when configured, else to out (nil: nowhere).
func (a *app) engine(cfg *config.Config, db *store.DB, out io.Writer) (*watcher.Engine, error) {
	polite.UserAgent = "driftwatch/" + currentBuild().Version
	a.learn(cfg) // a reloaded config may bring new secrets
	rts, err := providers.Build(cfg, providers.Deps{HTTP: polite.NewClient(nil, 0), Logger: a.logger, Scrubber: a.scrub})
	if err != nil {
		return nil, fail(exitUsage, err)
	}
	e := &watcher.Engine{Sources: rts, Store: db, Logger: a.logger, Policy: policy(cfg), Scrub: a.scrub.Scrub}
	n, err := a.notifier(cfg, out)
	if err != nil {
		return nil, fail(exitUsage, err)
	}
	e.Notifier = n
	return e, nil
}

// policy reads which findings become notices.
func policy(cfg *config.Config) watcher.NoticePolicy {
	p := watcher.NoticePolicy{MinSeverity: watcher.Warning, SendResolved: true}
	if s := cfg.Notify.Slack; s != nil {
		if sev, err := watcher.ParseSeverity(s.MinSeverity); err == nil {
			p.MinSeverity = sev
		}
		if s.SendResolved != nil {
			p.SendResolved = *s.SendResolved
		}
	}
	return p
}

// notifier returns Slack when configured, else the console on out. A
// config read without its secrets (check --refresh) has Slack configured
// but no credentials: it delivers nothing, and notices stay queued.
func (a *app) notifier(cfg *config.Config, out io.Writer) (watcher.Notifier, error) {
	if s := cfg.Notify.Slack; s != nil {
		if s.WebhookURL.Reveal() == "" && s.Token.Reveal() == "" {
			return nil, nil
		}
		return slack.New(slack.Config{
			WebhookURL:    s.WebhookURL.Reveal(),
			Token:         s.Token.Reveal(),
			Channel:       s.Channel,
			DigestChannel: cfg.Digest.Channel,
			APIURL:        s.APIURL,
			PublicURL:     cfg.Server.PublicURL,
		}, polite.NewClient(nil, 0), a.logger)
	}
	if out == nil {
		return nil, nil
	}
	return console.New(out), nil
}
