package main

import (
	"fmt"
	"io"

	"github.com/driftwatch/driftwatch/config"
	"github.com/driftwatch/driftwatch/notify/console"
	"github.com/driftwatch/driftwatch/notify/email"
	"github.com/driftwatch/driftwatch/notify/msteams"
	"github.com/driftwatch/driftwatch/notify/slack"
	"github.com/driftwatch/driftwatch/notify/webhook"
	"github.com/driftwatch/driftwatch/providers"
	"github.com/driftwatch/driftwatch/providers/polite"
	"github.com/driftwatch/driftwatch/routing"
	"github.com/driftwatch/driftwatch/store"
	"github.com/driftwatch/driftwatch/watcher"
)

// engine wires the configured sources, the store and the receivers.
// Notices go to the configured receivers, else to out (nil: nowhere).
func (a *app) engine(cfg *config.Config, db *store.DB, out io.Writer) (*watcher.Engine, error) {
	polite.UserAgent = "driftwatch/" + currentBuild().Version
	a.learn(cfg) // a reloaded config may bring new secrets
	rts, err := providers.Build(cfg, providers.Deps{HTTP: polite.NewClient(nil, 0), Logger: a.logger, Scrubber: a.scrub})
	if err != nil {
		return nil, fail(exitUsage, err)
	}
	e := &watcher.Engine{Sources: rts, Store: db, Logger: a.logger, Policy: routing.Policy(cfg), Scrub: a.scrub.Scrub}
	if err := a.attachReceivers(e, cfg, out); err != nil {
		return nil, err
	}
	return e, nil
}

// attachReceivers gives the engine the configured receivers, or the
// console on out when there is none (out nil: notices stay queued). A
// config read without its secrets (check --refresh) has receivers but
// no credentials: it delivers nothing, and notices stay queued.
func (a *app) attachReceivers(e *watcher.Engine, cfg *config.Config, out io.Writer) error {
	e.Receivers, e.Notifier = nil, nil
	for _, rc := range cfg.AllReceivers() {
		if rc.MissingSecret() {
			return nil
		}
	}
	rs, err := a.receivers(cfg)
	if err != nil {
		return fail(exitUsage, err)
	}
	e.Receivers, e.Notifier = rs, nil
	if len(rs) == 0 && out != nil {
		e.Notifier = console.New(out)
	}
	return nil
}

// receivers builds a notifier for each configured receiver, in order.
func (a *app) receivers(cfg *config.Config) ([]watcher.Receiver, error) {
	var out []watcher.Receiver
	for _, rc := range cfg.AllReceivers() {
		n, err := a.buildReceiver(cfg, &rc)
		if err != nil {
			return nil, fmt.Errorf("receiver %q: %w", rc.Name, err)
		}
		out = append(out, watcher.Receiver{Name: rc.Name, Notifier: n})
	}
	return out, nil
}

func (a *app) buildReceiver(cfg *config.Config, rc *config.Receiver) (watcher.Notifier, error) {
	logger := a.logger.With("receiver", rc.Name)
	switch rc.Type {
	case config.ReceiverSlack:
		return slack.New(slack.Config{
			WebhookURL:    rc.WebhookURL.Reveal(),
			Token:         rc.Token.Reveal(),
			Channel:       rc.Channel,
			DigestChannel: rc.DigestChannel,
			APIURL:        rc.APIURL,
			PublicURL:     cfg.Server.PublicURL,
		}, polite.NewClient(nil, 0), logger)
	case config.ReceiverMSTeams:
		return msteams.New(msteams.Config{WebhookURL: rc.WebhookURL.Reveal(), PublicURL: cfg.Server.PublicURL})
	case config.ReceiverWebhook:
		return webhook.New(webhook.Config{Name: rc.Name, URL: rc.URL.Reveal(), Secret: rc.Secret.Reveal(), PublicURL: cfg.Server.PublicURL})
	case config.ReceiverEmail:
		return email.New(email.Config{Name: rc.Name, Host: rc.Host, Port: rc.Port, From: rc.From, To: rc.To,
			Username: rc.Username.Reveal(), Password: rc.Password.Reveal(), InsecurePlaintext: rc.InsecurePlaintext,
			PublicURL: cfg.Server.PublicURL})
	}
	return nil, fmt.Errorf("unknown receiver type %q", rc.Type)
}
