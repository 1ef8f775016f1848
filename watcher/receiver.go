package watcher

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"time"
)

// Receiver is one named destination of notices: a Slack channel, a Teams
// channel, a webhook, a mailbox.
type Receiver struct {
	Name     string
	Notifier Notifier
}

// ReceiverStatus says whether a receiver's last delivery failed in a way
// that will not heal by itself (a revoked token, an unknown channel, a
// webhook that answers 404).
type ReceiverStatus struct {
	Name   string
	Up     bool
	Reason string    // why it is down
	Since  time.Time // when it went down
}

// ReceiverStatuses reports every named receiver, in configuration
// order: up until a delivery fails with a setup error, up again once one
// succeeds.
func (e *Engine) ReceiverStatuses() []ReceiverStatus {
	e.statusMu.Lock()
	defer e.statusMu.Unlock()
	var out []ReceiverStatus
	for _, r := range e.Receivers {
		st, ok := e.status[r.Name]
		if !ok {
			st = ReceiverStatus{Name: r.Name, Up: true}
		}
		out = append(out, st)
	}
	return out
}

// observe records the outcome of one delivery attempt to r, and logs a
// receiver going down or coming back once per change, not per retry.
func (e *Engine) observe(r Receiver, err error) {
	reason, down := SetupReason(err)
	if err != nil && !down {
		return // a transient failure says nothing about the setup
	}
	e.statusMu.Lock()
	prev, known := e.status[r.Name]
	wasDown := known && !prev.Up
	switch {
	case down && (!wasDown || prev.Reason != reason):
		if e.status == nil {
			e.status = map[string]ReceiverStatus{}
		}
		e.status[r.Name] = ReceiverStatus{Name: r.Name, Reason: reason, Since: e.now()}
	case !down && wasDown:
		delete(e.status, r.Name)
	default:
		e.statusMu.Unlock()
		return
	}
	e.statusMu.Unlock()
	log := e.receiverLogger(r)
	if down {
		log.Error("receiver down: its setup needs fixing; notices wait and are retried", "reason", reason, "error", err.Error())
	} else {
		log.Info("receiver back up", "was", prev.Reason)
	}
}

func (e *Engine) receiverLogger(r Receiver) *slog.Logger {
	if r.Name == "" {
		return e.logger()
	}
	return e.logger().With("receiver", r.Name)
}

// edit delivers one finding's notice to a receiver that keeps a message
// per finding: the first notice posts the message and records it, later
// ones edit it, a reopening after resolution posts anew. A notice that
// only edits (acked, silenced) with no message to edit is done.
func editor(n Notifier) (Editor, bool) {
	ed, ok := n.(Editor)
	return ed, ok && ed.CanEdit()
}

func (e *Engine) edit(ctx context.Context, receiver string, ed Editor, n Notice) error {
	ref, err := e.Store.Message(ctx, receiver, n.Finding.ID)
	found := err == nil
	if err != nil && !errors.Is(err, ErrNotFound) {
		return fmt.Errorf("reading the finding's message: %w", err)
	}
	reopened := slices.ContainsFunc(n.All(), func(m Notice) bool { return m.Kind == NoticeReopened })
	if found && !reopened {
		err := ed.Update(ctx, ref, n)
		if !errors.Is(err, ErrMessageGone) {
			return err
		}
		e.logger().Info("the finding's message is gone; posting it anew", "finding", n.Finding.ID)
	}
	if !slices.ContainsFunc(n.All(), func(m Notice) bool { return m.Kind != NoticeAcked && m.Kind != NoticeSilenced }) {
		return nil // nothing posted to edit, and an ack alone is no news
	}
	ref, err = ed.Post(ctx, n)
	if err != nil {
		return err
	}
	if err := e.Store.SaveMessage(ctx, receiver, n.Finding.ID, ref, e.now()); err != nil {
		// Posted: the notice is delivered; later notices post anew.
		e.logger().Error("message posted but not recorded; the finding's next notice posts a new one", "error", err.Error())
	}
	return nil
}

// EnqueueDigest writes a digest to the outbox of each receiver the policy
// routes digests to.
func (e *Engine) EnqueueDigest(ctx context.Context, n Notice) (int, error) {
	var ns []Notice
	for _, rc := range e.Policy.Receivers(n) {
		m := n
		m.Receiver = rc
		ns = append(ns, m)
	}
	if len(ns) == 0 {
		return 0, nil
	}
	return len(ns), e.Store.Enqueue(ctx, ns)
}
