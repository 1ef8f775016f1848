package watcher

import (
	"context"
	"fmt"
	"time"

	"github.com/driftwatch/driftwatch/diff"
)

// NoticeKind says why a notice was written.
type NoticeKind string

// The notice kinds.
const (
	NoticeOpened    NoticeKind = "opened"    // a new finding
	NoticeReopened  NoticeKind = "reopened"  // a resolved finding came back
	NoticeEscalated NoticeKind = "escalated" // a finding's severity rose
	NoticeResolved  NoticeKind = "resolved"  // a finding no longer holds
	NoticeAcked     NoticeKind = "acked"     // someone acknowledged it: edits an existing message only
	NoticeSilenced  NoticeKind = "silenced"  // someone silenced it: edits an existing message only
	NoticeDigest    NoticeKind = "digest"    // the periodic digest
)

// Notice is one message-worthy event, kept in the store's outbox until it is
// delivered.
type Notice struct {
	ID     int64
	Kind   NoticeKind
	Source string
	// Receiver is the name of the receiver the notice is for: the outbox
	// keeps one row per receiver a notice routes to, delivered and retried
	// on its own. "" is the single receiver of a store written before
	// receivers existed.
	Receiver string
	// Group joins notices that may share one message: one source's notices
	// from one poll.
	Group string
	// Finding is the finding as it was when the notice was written; nil
	// for digests.
	Finding *Finding
	// Digest is set for NoticeDigest.
	Digest    *Digest
	CreatedAt time.Time
	// Attempts counts earlier failed deliveries.
	Attempts int
	// AttemptedAt is when an attempt whose outcome is unknown began (a
	// kill between post and mark, a client timeout); zero when every
	// earlier attempt ended with a known failure or there was none.
	AttemptedAt time.Time
	// Message, for a receiver that edits its messages (Editor), is the
	// message about the finding this notice edits, if any: set by the
	// engine before asking a Finder about a lost answer.
	Message *MessageRef
	// Earlier are the older pending notices of the same finding (or the
	// older pending digests) this one stands for: delivery collapses
	// them into the newest, so Slack's last word is the current state.
	Earlier []Notice
}

// Key identifies the notice in a posted message, so a deliverer that lost
// Slack's answer can find it again. The creation time keeps two stores'
// notices with the same ID apart.
func (n Notice) Key() string {
	return fmt.Sprintf("%d-%d", n.ID, n.CreatedAt.UnixMilli())
}

// All returns the notice followed by the ones it stands for.
func (n Notice) All() []Notice {
	return append([]Notice{n}, n.Earlier...)
}

// Notifier delivers notices: to Slack, or to stdout.
type Notifier interface {
	// Deliver makes one attempt to deliver the notices, which share a
	// Group, as one message. A *RetryAfterError says when to try again;
	// a *PermanentError says retrying cannot help. Errors never carry
	// secrets such as a webhook URL.
	Deliver(ctx context.Context, notices []Notice) error
	// MaxBatch is the most notices one message carries.
	MaxBatch() int
}

// Finder is a Notifier that can tell which notices already reached their
// destination: Slack in bot mode tags each message with its notices' keys
// and reads them back from the channel's history. The engine asks it
// before posting again a notice whose last attempt's outcome is unknown.
type Finder interface {
	// Find returns the IDs, among notices and the ones they stand for,
	// of those posted at or after since. A *PermanentError means it can
	// never look (a missing scope): the caller posts them again.
	Find(ctx context.Context, notices []Notice, since time.Time) ([]int64, error)
}

// Editor is a Notifier that keeps one message per finding current (Slack
// in bot mode): the engine posts a finding's first notice with Post and
// records where it went; later notices of the finding edit that message
// with Update. A finding reopened after it resolved is posted anew.
type Editor interface {
	Notifier
	// CanEdit reports whether this notifier edits its messages (Slack's
	// bot mode does, its webhook mode cannot).
	CanEdit() bool
	// Post posts one finding's notice as a new message and says where.
	Post(ctx context.Context, n Notice) (MessageRef, error)
	// Update edits the message to show the notice's state and replies
	// in its thread with what changed.
	Update(ctx context.Context, ref MessageRef, n Notice) error
}

// MessageRef locates a posted message: Slack's channel ID and ts.
type MessageRef struct {
	Channel string
	TS      string
}

// NoticePolicy decides which finding events become notices.
type NoticePolicy struct {
	// MinSeverity: findings below it are not noticed.
	MinSeverity Severity
	// SendResolved: a resolved finding is noticed once more.
	SendResolved bool
	// Quiet records findings without notices.
	Quiet bool
	// Router, when set, replaces MinSeverity and SendResolved: it names
	// the receivers each notice goes to, and the outbox gets one row per
	// receiver (none: the event is not noticed).
	Router Router
}

// Router picks the receivers of a notice from its kind, source and
// finding (or digest).
type Router interface {
	// Route returns the names of the receivers the notice goes to, in
	// configuration order, each once.
	Route(n Notice) []string
}

// Receivers returns who gets n under the policy: the router's choice, or
// the single unnamed receiver when there is no router and the legacy
// policy wants the notice.
func (p NoticePolicy) Receivers(n Notice) []string {
	if p.Quiet && n.Finding != nil {
		return nil
	}
	if p.Router != nil {
		return p.Router.Route(n)
	}
	switch {
	case n.Kind == NoticeAcked || n.Kind == NoticeSilenced:
		return nil
	case n.Kind == NoticeDigest:
		return []string{""}
	case n.Finding != nil && n.Finding.Severity < p.MinSeverity:
		return nil
	case n.Kind == NoticeResolved && !p.SendResolved:
		return nil
	}
	return []string{""}
}

// Digest summarises a period of upstream changes and findings.
type Digest struct {
	Since   time.Time
	Until   time.Time
	Sources []DigestSource
}

// Empty reports whether nothing happened in the period.
func (d *Digest) Empty() bool {
	for _, s := range d.Sources {
		if !s.Empty() {
			return false
		}
	}
	return true
}

// DigestSource is one source's part of a digest.
type DigestSource struct {
	Name string
	Type string
	// NewHeading heads New in a digest ("New releases").
	NewHeading string
	// Snapshots is how many snapshots were stored in the period that
	// changed the document; a baseline is not one of them.
	Snapshots int
	// Baseline is set when the source's first snapshot was stored in the
	// period: it began to be watched, which is not a change upstream.
	Baseline bool
	// New lists what appeared: releases of a releases source, entries of a
	// feed. Their text is untrusted upstream text.
	New []DigestItem
	// Changes are the other changes over the period, at most a few; Total
	// counts them all.
	Changes      []diff.Change
	ChangesTotal int
	// Opened are findings detected in the period and still open; Resolved
	// those resolved in it; StillOpen older findings still open. Open
	// means needing attention: neither acknowledged nor silenced.
	Opened    []Finding
	Resolved  []Finding
	StillOpen []Finding
	// Acked and Silenced count the unresolved findings someone handled:
	// acknowledged, or muted by a silence in force.
	Acked    int
	Silenced int
}

// Open counts the findings needing attention.
func (s *DigestSource) Open() int { return len(s.Opened) + len(s.StillOpen) }

// Empty reports whether the source had nothing to report.
func (s *DigestSource) Empty() bool {
	return !s.Moved() && !s.Baseline && len(s.Opened) == 0 && len(s.Resolved) == 0 && len(s.StillOpen) == 0
}

// Moved reports whether the upstream changed in the period: a baseline or
// findings alone are not a move.
func (s *DigestSource) Moved() bool {
	return s.Snapshots > 0 || len(s.New) > 0 || s.ChangesTotal > 0
}

// DigestItem is one new release or feed entry.
type DigestItem struct {
	Key   string // release tag or entry id
	Title string
	URL   string
}
