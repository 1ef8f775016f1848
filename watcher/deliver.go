package watcher

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"os"
	"sync"
	"time"
)

// Delivery bounds.
const (
	// defaultClaimLease is how long claimed notices are held between
	// renewals; see Engine.ClaimLease.
	defaultClaimLease = 2 * time.Minute
	// claimLimit is how many due notices one claim takes (their findings'
	// other pending notices come along).
	claimLimit = 100
	// backoffBase and backoffMax shape the retry delay of failed notices.
	backoffBase = 2 * time.Second
	backoffMax  = 5 * time.Minute
	// giveUpAge: a notice still failing this long after it was written is
	// given up (Slack down for a day still delivers).
	giveUpAge = 7 * 24 * time.Hour
)

// DeliverReport says what one delivery run did.
type DeliverReport struct {
	Sent    int
	Failed  int
	GivenUp int
	// Recovered counts notices whose last answer was lost and that were
	// found already posted, so marked sent without posting them again.
	Recovered int
	// Err is the last delivery error, if any.
	Err error
}

// Deliver posts due notices from the outbox. Each receiver delivers its
// own rows at the same time as the others, so one that is down or slow
// holds back only its own notices; notices of no receiver (written
// before receivers existed) go to the first, and those of a receiver no
// longer configured are given up. Notices are claimed in a
// transaction with a lease; the lease is renewed, and the claim checked,
// right before each post, and one post is bounded to half the lease, so a
// slow Slack never lets a second deliverer post the same notice. A
// notice whose last attempt's outcome is unknown is first looked for in
// Slack when the notifier can (Finder). A finding's pending notices are
// collapsed into its newest (and pending digests into the newest), then
// grouped by poll and source into messages of at most Notifier.MaxBatch
// notices, marked sent after each message. A failed message stays in the
// outbox with a backoff that honours Retry-After; the rest of the run is
// deferred with it. Delivery errors never fail the caller's poll: they
// are reported, not returned.
func (e *Engine) Deliver(ctx context.Context) DeliverReport {
	var rep DeliverReport
	rs := e.receivers()
	if len(rs) == 0 {
		return rep
	}
	if len(e.Receivers) > 0 {
		names := make([]string, len(rs))
		for i, r := range rs {
			names[i] = r.Name
		}
		if n, err := e.Store.SettleReceivers(ctx, names, names[0], e.now()); err != nil {
			rep.Err = err
			return rep
		} else if n > 0 {
			rep.GivenUp += n
			e.logger().Warn("notices of receivers no longer configured given up", "notices", n)
		}
	}
	// Each receiver delivers on its own: one that is down or slow holds
	// back only its own notices.
	reports := make([]DeliverReport, len(rs))
	var wg sync.WaitGroup
	for i, r := range rs {
		wg.Go(func() { reports[i] = e.deliverTo(ctx, r) })
	}
	wg.Wait()
	for _, r := range reports {
		rep.Sent += r.Sent
		rep.Failed += r.Failed
		rep.GivenUp += r.GivenUp
		rep.Recovered += r.Recovered
		if r.Err != nil {
			rep.Err = r.Err
		}
	}
	if e.Observer != nil {
		e.Observer.Delivered(rep.Sent+rep.Recovered, rep.Failed, rep.GivenUp)
	}
	return rep
}

// receivers are the engine's receivers, or its single unnamed Notifier.
func (e *Engine) receivers() []Receiver {
	if len(e.Receivers) > 0 {
		return e.Receivers
	}
	if e.Notifier != nil {
		return []Receiver{{Notifier: e.Notifier}}
	}
	return nil
}

// deliverTo delivers one receiver's due notices.
func (e *Engine) deliverTo(ctx context.Context, r Receiver) DeliverReport {
	var rep DeliverReport
	owner := deliverer()
	for ctx.Err() == nil {
		claimed, err := e.Store.ClaimNotices(ctx, r.Name, owner, e.now(), e.lease(), claimLimit)
		if err != nil {
			rep.Err = err
			break
		}
		if len(claimed) == 0 {
			break
		}
		claimed = e.holdSilenced(ctx, owner, claimed) // silence.go
		if e.deliverClaimed(ctx, r, owner, claimed, &rep) {
			break
		}
	}
	return rep
}

func deliverer() string {
	host, _ := os.Hostname()
	return fmt.Sprintf("%s:%d:%d", host, os.Getpid(), rand.Uint32())
}

func (e *Engine) lease() time.Duration {
	if e.ClaimLease > 0 {
		return e.ClaimLease
	}
	return defaultClaimLease
}

// attemptTimeout bounds one post or one look into Slack's history, so the
// lease renewed right before it outlives it.
func (e *Engine) attemptTimeout() time.Duration { return e.lease() / 2 }

// deliverClaimed delivers claimed notices batch by batch; it reports
// whether to stop (after a retryable failure, or a lost claim).
func (e *Engine) deliverClaimed(ctx context.Context, r Receiver, owner string, claimed []Notice, rep *DeliverReport) bool {
	claimed, stop := e.settleUnknown(ctx, r, owner, claimed, rep)
	if stop {
		return true
	}
	max := r.Notifier.MaxBatch()
	if _, ok := editor(r.Notifier); ok {
		max = 1 // one message per finding
	}
	batches := Batches(Collapse(claimed), max)
	log := e.receiverLogger(r)
	for i, b := range batches {
		ids := noticeIDs(b)
		now := e.now()
		held, err := e.Store.StartAttempt(ctx, owner, ids, now, now.Add(e.lease()))
		if err != nil || !held {
			if err != nil {
				rep.Err = err
			} else {
				log.Warn("claim lost before posting; another deliverer has the notices", "notices", len(ids))
			}
			e.release(ctx, owner, batches[i:], now)
			return true
		}
		err = e.send(ctx, r, b)
		now = e.now()
		e.observe(r, err)
		if err == nil {
			if err := e.Store.NoticesSent(ctx, ids, now); err != nil {
				log.Error("notice delivered but not marked sent", "notices", len(ids), "error", err.Error())
				rep.Err = err
				e.release(ctx, owner, batches[i+1:], now)
				return true
			}
			rep.Sent += len(ids)
			continue
		}
		rep.Err = err
		if IsPermanent(err) {
			rep.GivenUp += len(ids)
			log.Error("notice rejected; given up", "notices", len(ids), "error", err.Error())
			f := DeliveryFailure{At: now, Next: now, Reason: err.Error(), GiveUp: true, Refused: true}
			if err := e.Store.NoticesFailed(ctx, ids, f); err != nil {
				log.Error("recording a given-up notice", "error", err.Error())
			}
			continue
		}
		next := e.failed(ctx, r, b, err, IsRefused(err), now, rep)
		e.release(ctx, owner, batches[i+1:], next)
		return true
	}
	return false
}

// failed records a retryable failure of a batch and returns when it is due
// again; refused says Slack answered that it did not take the message.
func (e *Engine) failed(ctx context.Context, r Receiver, b []Notice, err error, refused bool, now time.Time, rep *DeliverReport) time.Time {
	log := e.receiverLogger(r)
	ids := noticeIDs(b)
	next, giveUp := retryAt(b, err, now)
	if giveUp {
		rep.GivenUp += len(ids)
		log.Error("notice still failing after a week; given up", "notices", len(ids), "error", err.Error())
	} else {
		rep.Failed += len(ids)
		level := slog.LevelWarn
		if _, setup := SetupReason(err); setup {
			level = slog.LevelDebug // "receiver down" said it once (observe)
		}
		log.Log(ctx, level, "notice delivery failed; will retry", "notices", len(ids), "retry_at", FormatTime(next), "error", err.Error())
	}
	f := DeliveryFailure{At: now, Next: next, Reason: err.Error(), GiveUp: giveUp, Refused: refused}
	if err := e.Store.NoticesFailed(ctx, ids, f); err != nil {
		log.Error("recording a failed notice", "error", err.Error())
	}
	return next
}

// release gives the notices of batches back, due at next.
func (e *Engine) release(ctx context.Context, owner string, batches [][]Notice, next time.Time) {
	var rest []int64
	for _, b := range batches {
		rest = append(rest, noticeIDs(b)...)
	}
	if err := e.Store.ReleaseNotices(ctx, owner, rest, next); err != nil {
		e.logger().Error("releasing notices", "error", err.Error())
	}
}

// settleUnknown looks for the claimed notices whose last attempt's outcome
// is unknown in what the notifier already delivered, marks those found
// sent, and returns the others. Without a Finder (a webhook cannot be
// asked) they are posted again: at least once. When the notifier cannot
// answer now, the whole claim is deferred as a failed attempt, since
// posting blind could post twice.
func (e *Engine) settleUnknown(ctx context.Context, r Receiver, owner string, claimed []Notice, rep *DeliverReport) ([]Notice, bool) {
	f, ok := r.Notifier.(Finder)
	if !ok {
		return claimed, false
	}
	var unknown []Notice
	var since time.Time
	_, edits := editor(r.Notifier)
	for _, n := range claimed {
		if n.AttemptedAt.IsZero() {
			continue
		}
		if edits && n.Finding != nil && n.Kind != NoticeReopened {
			if ref, err := e.Store.Message(ctx, r.Name, n.Finding.ID); err == nil {
				n.Message = &ref
			}
		}
		unknown = append(unknown, n)
		if since.IsZero() || n.AttemptedAt.Before(since) {
			since = n.AttemptedAt
		}
	}
	if len(unknown) == 0 {
		return claimed, false
	}
	log := e.receiverLogger(r)
	actx, cancel := context.WithTimeout(ctx, e.attemptTimeout())
	found, err := f.Find(actx, unknown, since)
	cancel()
	now := e.now()
	switch {
	case err != nil && IsPermanent(err):
		log.Warn("cannot look for notices whose answer was lost; posting them again", "notices", len(unknown), "error", err.Error())
		return claimed, false
	case err != nil:
		rep.Err = err
		// Not a refusal of these notices: their doubt stays.
		e.failed(ctx, r, claimed, fmt.Errorf("looking for notices whose answer was lost: %w", err), false, now, rep)
		return nil, true
	}
	if len(found) == 0 {
		return claimed, false
	}
	if err := e.Store.NoticesSent(ctx, found, now); err != nil {
		rep.Err = err
		e.release(ctx, owner, [][]Notice{claimed}, now)
		return nil, true
	}
	rep.Recovered += len(found)
	log.Info("notices found already posted; marked sent", "notices", len(found))
	done := map[int64]bool{}
	for _, id := range found {
		done[id] = true
	}
	var rest []Notice
	for _, n := range claimed {
		if !done[n.ID] {
			rest = append(rest, n)
		}
	}
	return rest, false
}

// send makes one delivery attempt, bounded so the claim outlives it. A
// notifier that panics (a rendering bug on odd upstream text) gives up
// that message instead of killing the daemon, which delivers outside any
// cron job too.
func (e *Engine) send(ctx context.Context, r Receiver, b []Notice) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = &PermanentError{Err: fmt.Errorf("notifier panic: %v", p)}
		}
		err = e.scrub(err)
	}()
	ctx, cancel := context.WithTimeout(ctx, e.attemptTimeout())
	defer cancel()
	if ed, ok := editor(r.Notifier); ok && len(b) == 1 && b[0].Finding != nil && b[0].Finding.ID != 0 {
		return e.edit(ctx, r.Name, ed, b[0])
	}
	return r.Notifier.Deliver(ctx, b)
}

// retryAt computes when a failed batch is due again: exponential backoff
// with jitter, capped, and never before a Retry-After.
func retryAt(batch []Notice, err error, now time.Time) (time.Time, bool) {
	attempts := 0
	oldest := now
	for _, b := range batch {
		for _, n := range b.All() {
			attempts = max(attempts, n.Attempts)
			if !n.CreatedAt.IsZero() && n.CreatedAt.Before(oldest) {
				oldest = n.CreatedAt
			}
		}
	}
	if now.Sub(oldest) > giveUpAge {
		return now, true
	}
	d := backoffBase << min(attempts, 10)
	d = d/2 + time.Duration(rand.Int64N(int64(d/2)+1))
	if d > backoffMax {
		d = backoffMax
	}
	var ra *RetryAfterError
	if errors.As(err, &ra) && ra.After > d {
		d = min(ra.After, time.Hour)
	}
	return now.Add(d), false
}

// Batches splits notices into messages: notices of one group, in order,
// at most max per message; digests alone.
func Batches(ns []Notice, max int) [][]Notice {
	if max <= 0 {
		max = 1
	}
	var out [][]Notice
	index := map[string]int{}
	for _, n := range ns {
		if n.Kind == NoticeDigest {
			out = append(out, []Notice{n})
			continue
		}
		key := n.Group
		if i, ok := index[key]; ok && len(out[i]) < max {
			out[i] = append(out[i], n)
			continue
		}
		index[key] = len(out)
		out = append(out, []Notice{n})
	}
	return out
}

// noticeIDs lists the IDs of notices and of the ones they stand for.
func noticeIDs(ns []Notice) []int64 {
	var ids []int64
	for _, n := range ns {
		for _, m := range n.All() {
			ids = append(ids, m.ID)
		}
	}
	return ids
}
