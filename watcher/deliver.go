package watcher

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"time"
)

// Delivery bounds.
const (
	// claimLease is how long a claimed notice is held by one deliverer.
	claimLease = 2 * time.Minute
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
	// Err is the last delivery error, if any.
	Err error
}

// Deliver posts due notices from the outbox: claimed in a transaction (so
// two processes never post the same notice), grouped by poll and source
// into messages of at most Notifier.MaxBatch notices, marked sent after
// each message. A failed message stays in the outbox with a backoff that
// honours Retry-After; the rest of the run is deferred with it. Delivery
// errors never fail the caller's poll: they are reported, not returned.
func (e *Engine) Deliver(ctx context.Context) DeliverReport {
	var rep DeliverReport
	if e.Notifier == nil {
		return rep
	}
	owner := deliverer()
	for ctx.Err() == nil {
		claimed, err := e.Store.ClaimNotices(ctx, owner, e.now(), claimLease, 100)
		if err != nil {
			rep.Err = err
			break
		}
		if len(claimed) == 0 {
			break
		}
		stop := e.deliverClaimed(ctx, claimed, &rep)
		if stop {
			break
		}
	}
	if e.Observer != nil {
		e.Observer.Delivered(rep.Sent, rep.Failed, rep.GivenUp)
	}
	return rep
}

func deliverer() string {
	host, _ := os.Hostname()
	return fmt.Sprintf("%s:%d:%d", host, os.Getpid(), rand.Uint32())
}

// deliverClaimed delivers claimed notices batch by batch; it reports
// whether to stop (after a retryable failure).
func (e *Engine) deliverClaimed(ctx context.Context, claimed []Notice, rep *DeliverReport) bool {
	batches := Batches(claimed, e.Notifier.MaxBatch())
	log := e.logger()
	for i, b := range batches {
		ids := noticeIDs(b)
		err := e.send(ctx, b)
		now := e.now()
		if err == nil {
			if err := e.Store.NoticesSent(ctx, ids, now); err != nil {
				log.Error("notice delivered but not marked sent", "notices", len(ids), "error", err.Error())
				rep.Err = err
				return true
			}
			rep.Sent += len(ids)
			continue
		}
		rep.Err = err
		if IsPermanent(err) {
			rep.GivenUp += len(ids)
			log.Error("notice rejected; given up", "notices", len(ids), "error", err.Error())
			if err := e.Store.NoticesFailed(ctx, ids, now, now, err.Error(), true); err != nil {
				log.Error("recording a given-up notice", "error", err.Error())
			}
			continue
		}
		next, giveUp := retryAt(b, err, now)
		if giveUp {
			rep.GivenUp += len(ids)
			log.Error("notice still failing after a week; given up", "notices", len(ids), "error", err.Error())
		} else {
			rep.Failed += len(ids)
			log.Warn("notice delivery failed; will retry", "notices", len(ids), "retry_at", FormatTime(next), "error", err.Error())
		}
		if err := e.Store.NoticesFailed(ctx, ids, now, next, err.Error(), giveUp); err != nil {
			log.Error("recording a failed notice", "error", err.Error())
		}
		var rest []int64
		for _, later := range batches[i+1:] {
			rest = append(rest, noticeIDs(later)...)
		}
		if err := e.Store.ReleaseNotices(ctx, rest, next); err != nil {
			log.Error("releasing notices", "error", err.Error())
		}
		return true
	}
	return false
}

// send makes one delivery attempt. A notifier that panics (a rendering bug
// on odd upstream text) gives up that message instead of killing the
// daemon, which delivers outside any cron job too.
func (e *Engine) send(ctx context.Context, b []Notice) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = &PermanentError{Err: fmt.Errorf("notifier panic: %v", r)}
		}
	}()
	return e.Notifier.Deliver(ctx, b)
}

// retryAt computes when a failed batch is due again: exponential backoff
// with jitter, capped, and never before a Retry-After.
func retryAt(batch []Notice, err error, now time.Time) (time.Time, bool) {
	attempts := 0
	oldest := now
	for _, n := range batch {
		attempts = max(attempts, n.Attempts)
		if !n.CreatedAt.IsZero() && n.CreatedAt.Before(oldest) {
			oldest = n.CreatedAt
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

func noticeIDs(ns []Notice) []int64 {
	ids := make([]int64, len(ns))
	for i, n := range ns {
		ids[i] = n.ID
	}
	return ids
}
