package watcher

import (
	"context"
	"time"

	"github.com/robfig/cron/v3"
)

// Jitter exposes the scheduler's jitter to the external tests.
func (s *Scheduler) Jitter(interval time.Duration) time.Duration { return s.jitter(interval) }

// PollJob exposes one scheduled poll: stop is the daemon's shutdown, ctx
// bounds the poll.
func (s *Scheduler) PollJob(stop, ctx context.Context, rt *Runtime, sched cron.Schedule) {
	s.pollJob(stop, ctx, rt, sched)
}

// DigestJob exposes one scheduled digest.
func (s *Scheduler) DigestJob(ctx context.Context, sched cron.Schedule) { s.digestJob(ctx, sched) }
