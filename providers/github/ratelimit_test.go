package github_test

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/driftwatch/driftwatch/providers/github"
	"github.com/driftwatch/driftwatch/providers/polite"
	"github.com/driftwatch/driftwatch/providers/providertest"
	"github.com/driftwatch/driftwatch/watcher"
)

// recordWaits replaces the provider's sleep and records the waits asked.
func recordWaits(p *github.Provider) *[]time.Duration {
	var waits []time.Duration
	p.Sleep = func(ctx context.Context, d time.Duration) error {
		waits = append(waits, d)
		return ctx.Err()
	}
	return &waits
}

func TestFetchWaitsOutShortLimits(t *testing.T) {
	cases := []struct {
		name   string
		faults []providertest.Fault
		waits  []time.Duration
	}{
		{"429WithRetryAfter", []providertest.Fault{providertest.TooManyRequests("7")}, []time.Duration{7 * time.Second}},
		{"429WithoutRetryAfter", []providertest.Fault{providertest.TooManyRequests("")}, []time.Duration{time.Minute}},
		{"SecondaryWithRetryAfter", []providertest.Fault{providertest.SecondaryLimit("3")}, []time.Duration{3 * time.Second}},
		{"SecondaryWithoutRetryAfter", []providertest.Fault{providertest.SecondaryLimit("")}, []time.Duration{time.Minute}},
		{"RetryAfterZeroKeepsMinimum", []providertest.Fault{providertest.TooManyRequests("0")}, []time.Duration{time.Second}},
		{"TwoInARow", []providertest.Fault{providertest.SecondaryLimit("2"), providertest.TooManyRequests("4")},
			[]time.Duration{2 * time.Second, 4 * time.Second}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			g := providertest.NewGitHub("acme/auth-sdk", stableReleases(2)...)
			defer g.Close()
			g.FailNext(tc.faults...)
			pl := newPoller(t, g, github.Config{Deployed: "1.0.0"})
			waits := recordWaits(pl.p)
			res := pl.poll()
			if res.Doc == nil {
				t.Fatal("no document after waiting out the limit")
			}
			if len(*waits) != len(tc.waits) {
				t.Fatalf("waits = %v, want %v", *waits, tc.waits)
			}
			for i, w := range tc.waits {
				if (*waits)[i] != w {
					t.Errorf("wait %d = %s, want %s", i, (*waits)[i], w)
				}
			}
			if got, want := g.Requests(releasesPath), 1+len(tc.faults); got != want {
				t.Errorf("release requests = %d, want %d", got, want)
			}
		})
	}
}

func TestFetchGivesUpOnLongOrRepeatedLimits(t *testing.T) {
	t.Run("WaitOverBound", func(t *testing.T) {
		g := providertest.NewGitHub("acme/auth-sdk", stableReleases(2)...)
		defer g.Close()
		g.FailNext(providertest.TooManyRequests("600"))
		pl := newPoller(t, g, github.Config{Deployed: "1.0.0"})
		waits := recordWaits(pl.p)
		_, err := pl.fetch()
		var ra *watcher.RetryAfterError
		if !errors.As(err, &ra) || ra.After != 10*time.Minute {
			t.Fatalf("err = %v, want a RetryAfterError of 10m", err)
		}
		if len(*waits) != 0 {
			t.Errorf("waited %v for a limit over the bound", *waits)
		}
	})
	t.Run("StillLimited", func(t *testing.T) {
		g := providertest.NewGitHub("acme/auth-sdk", stableReleases(2)...)
		defer g.Close()
		g.FailNext(providertest.SecondaryLimit("1"), providertest.SecondaryLimit("1"), providertest.SecondaryLimit("1"))
		pl := newPoller(t, g, github.Config{Deployed: "1.0.0"})
		waits := recordWaits(pl.p)
		_, err := pl.fetch()
		if err == nil || !strings.Contains(err.Error(), "still rate limited after 3 attempts") {
			t.Fatalf("err = %v, want give-up after 3 attempts", err)
		}
		if len(*waits) != 2 || g.Requests(releasesPath) != 3 {
			t.Errorf("waits %v and %d requests, want 2 waits and 3 requests", *waits, g.Requests(releasesPath))
		}
	})
	t.Run("Cancelled", func(t *testing.T) {
		g := providertest.NewGitHub("acme/auth-sdk", stableReleases(2)...)
		defer g.Close()
		g.FailNext(providertest.TooManyRequests("30"))
		pl := newPoller(t, g, github.Config{Deployed: "1.0.0"})
		pl.p.Sleep = polite.Sleep
		ctx, cancel := context.WithCancel(t.Context())
		cancel()
		if _, err := pl.p.Fetch(ctx, watcher.FetchState{}); !errors.Is(err, context.Canceled) {
			t.Fatalf("err = %v, want context.Canceled", err)
		}
	})
}

func TestFetchExhaustedBudgetNamesReset(t *testing.T) {
	reset := time.Now().Add(40 * time.Minute).Truncate(time.Second)
	for _, status := range []int{403, 429} {
		t.Run(strconv.Itoa(status), func(t *testing.T) {
			g := providertest.NewGitHub("acme/auth-sdk", stableReleases(2)...)
			defer g.Close()
			g.FailNext(providertest.Exhausted(status, reset))
			pl := newPoller(t, g, github.Config{Deployed: "1.0.0"})
			waits := recordWaits(pl.p)
			_, err := pl.fetch()
			var ra *watcher.RetryAfterError
			if !errors.As(err, &ra) {
				t.Fatalf("err = %v, want a RetryAfterError", err)
			}
			if !strings.Contains(err.Error(), "rate limit exhausted") || !strings.Contains(err.Error(), reset.UTC().Format(time.RFC3339)) {
				t.Errorf("error %q does not say the budget is gone and when it resets", err)
			}
			if d := ra.After - time.Until(reset); d < -5*time.Second || d > 5*time.Second {
				t.Errorf("RetryAfter = %s, want about %s", ra.After, time.Until(reset))
			}
			if len(*waits) != 0 || g.Requests("") != 1 {
				t.Errorf("waited %v over %d requests; an exhausted budget is not waited out", *waits, g.Requests(""))
			}
		})
	}
}

// go-github remembers an exhausted budget and answers later calls itself,
// without asking GitHub, until the reset. A new token (or a budget that
// came back early) must be seen at the next poll.
func TestFetchExhaustedBudgetDoesNotPoisonLaterPolls(t *testing.T) {
	g := providertest.NewGitHub("acme/auth-sdk", stableReleases(2)...)
	defer g.Close()
	g.SetRateLimit(60, 0, time.Now().Add(time.Hour))
	pl := newPoller(t, g, github.Config{Deployed: "1.0.0"})
	if _, err := pl.fetch(); err == nil {
		t.Fatal("fetch with no budget succeeded")
	}
	g.SetRateLimit(5000, 5000, time.Now().Add(time.Hour))
	res := pl.poll()
	if res.Doc == nil || res.RateRemaining != 5000-res.Requests {
		t.Fatalf("second poll: doc %v, rate remaining %d", res.Doc != nil, res.RateRemaining)
	}
}

// One realistic wait: a 429 with Retry-After: 1, slept for real.
func TestFetchRetryAfterOneSecond(t *testing.T) {
	g := providertest.NewGitHub("acme/auth-sdk", stableReleases(2)...)
	defer g.Close()
	g.FailNext(providertest.TooManyRequests("1"))
	pl := newPoller(t, g, github.Config{Deployed: "1.0.0"})
	var waits []time.Duration
	pl.p.Sleep = func(_ context.Context, d time.Duration) error { waits = append(waits, d); return nil }
	res := pl.poll()
	if len(waits) != 1 || waits[0] != time.Second {
		t.Errorf("waits = %v, want the 1s that Retry-After asked for", waits)
	}
	if res.Doc == nil || g.Requests(releasesPath) != 2 {
		t.Fatalf("doc %v after %d release requests, want a document after 2", res.Doc != nil, g.Requests(releasesPath))
	}
}
