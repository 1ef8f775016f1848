package watcher_test

import (
	"context"
	"testing"
	"time"

	"github.com/driftwatch/driftwatch/watcher"
)

func TestPathMatch(t *testing.T) {
	for _, tc := range []struct {
		pattern, path string
		want          bool
	}{
		{"", "/anything", true},
		{"/metrics/cpu_percent", "/metrics/cpu_percent", true},
		{"/metrics/*", "/metrics/cpu_percent", true},
		{"/metrics/*", "/metrics/disk/used", false},
		{"/clients/Acme Web/**", "/clients/Acme Web/callbacks", true},
		{"/clients/Acme Web/**", "/clients/Acme Web", true},
		{"/clients/*/callbacks", "/clients/Acme Web/callbacks", true},
		{"/clients/*/callbacks", "/clients/Acme Web/web_origins", false},
		{"/**/callbacks", "/clients/Acme Web/callbacks", true},
		{"/releases/v3.*", "/releases/v3.0.0", true},
		{"/releases/v3.*", "/releases/v2.9.0", false},
		{"/[", "/[", false}, // a bad pattern matches nothing
	} {
		if got := watcher.PathMatch(tc.pattern, tc.path); got != tc.want {
			t.Errorf("PathMatch(%q, %q) = %v, want %v", tc.pattern, tc.path, got, tc.want)
		}
	}
}

func TestSilenceMatches(t *testing.T) {
	f := &watcher.Finding{Source: "auth-sdk", Rule: "release.major_available", Path: "/releases"}
	for _, tc := range []struct {
		s    watcher.Silence
		want bool
	}{
		{watcher.Silence{Source: "auth-sdk"}, true},
		{watcher.Silence{Rule: "release.*"}, true},
		{watcher.Silence{Source: "auth-sdk", Rule: "auth0.*"}, false}, // every matcher must hold
		{watcher.Silence{Source: "auth-*", Path: "/releases"}, true},
		{watcher.Silence{}, false}, // no matcher mutes nothing
	} {
		if got := tc.s.Matches(f); got != tc.want {
			t.Errorf("%+v matches = %v, want %v", tc.s, got, tc.want)
		}
	}
}

// TestDeliverHoldsSilencedNotices: a silenced finding's notice is held
// until its silence ends, then delivered once; others go at once.
func TestDeliverHoldsSilencedNotices(t *testing.T) {
	ctx := context.Background()
	e, db, sim, _, clk := slackEngine(t, 2, 1)
	s, err := db.AddSilence(ctx, watcher.Silence{Source: "src-0", Comment: "migrating", Author: "ops",
		CreatedAt: clk.Now(), EndsAt: clk.Now().Add(time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	if rep := e.Deliver(ctx); rep.Sent != 1 || len(sim.Posted()) != 1 {
		t.Fatalf("with src-0 silenced: %+v, %d messages; want src-1's one notice", rep, len(sim.Posted()))
	}
	if ob := outbox(t, db); ob.Pending != 2 {
		t.Fatalf("held notices = %d, want 2", ob.Pending)
	}
	clk.Add(59 * time.Minute)
	if rep := e.Deliver(ctx); rep.Sent != 0 {
		t.Fatalf("delivered while silenced: %+v", rep)
	}
	clk.Add(time.Minute)
	if rep := e.Deliver(ctx); rep.Sent != 2 || len(sim.Posted()) != 2 {
		t.Fatalf("after the silence: %+v, %d messages", rep, len(sim.Posted()))
	}
	if rep := e.Deliver(ctx); rep.Sent != 0 {
		t.Fatalf("a held notice was posted twice: %+v", rep)
	}

	// Expiring a silence early makes its held notices due at once.
	if _, err := e.Poll(ctx); err != nil {
		t.Fatal(err)
	}
	s2, err := db.AddSilence(ctx, watcher.Silence{Rule: "test.*", Comment: "noise", Author: "ops",
		CreatedAt: clk.Now(), EndsAt: clk.Now().Add(24 * time.Hour)})
	if err != nil || s2.ID == s.ID {
		t.Fatalf("second silence: %+v %v", s2, err)
	}
	db.Enqueue(ctx, []watcher.Notice{{Kind: watcher.NoticeOpened, Source: "src-1", Group: "g", CreatedAt: clk.Now(),
		Finding: &watcher.Finding{ID: 99, Source: "src-1", Rule: "test.many", Title: "held", Severity: watcher.Warning}}})
	if rep := e.Deliver(ctx); rep.Sent != 0 {
		t.Fatalf("delivered under the second silence: %+v", rep)
	}
	clk.Add(time.Minute)
	if _, err := db.ExpireSilence(ctx, s2.ID, clk.Now()); err != nil {
		t.Fatal(err)
	}
	if rep := e.Deliver(ctx); rep.Sent != 1 {
		t.Fatalf("after expiring the silence: %+v", rep)
	}
}
