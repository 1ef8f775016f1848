package watcher_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/driftwatch/driftwatch/diff"
	"github.com/driftwatch/driftwatch/providers/feed"
	"github.com/driftwatch/driftwatch/providers/github"
	"github.com/driftwatch/driftwatch/providers/providertest"
	"github.com/driftwatch/driftwatch/store"
	"github.com/driftwatch/driftwatch/watcher"
)

// alerts is a state rule: one finding per key of /alerts.
func alerts(j *watcher.Judgement) []watcher.Finding {
	m, _ := diff.Get(j.New, "/alerts")
	obj, _ := m.(map[string]any)
	var out []watcher.Finding
	for k := range obj {
		out = append(out, watcher.Finding{Rule: "test.alert", Severity: watcher.Warning, Category: watcher.Infrastructure,
			Path: "/alerts/" + k, Subject: k, Title: "alert " + k})
	}
	return out
}

// dbDoc is an http_json document with n metrics at value v and alerts.
func dbDoc(v int, alerts ...string) string {
	var b strings.Builder
	b.WriteString(`{"metrics": {`)
	for i := range 15 {
		if i > 0 {
			b.WriteString(", ")
		}
		fmt.Fprintf(&b, `"m%02d": %d`, i, v)
	}
	b.WriteString(`}, "alerts": {`)
	for i, a := range alerts {
		if i > 0 {
			b.WriteString(", ")
		}
		fmt.Fprintf(&b, `%q: true`, a)
	}
	b.WriteString("}}")
	return b.String()
}

func TestBuildDigest(t *testing.T) {
	db, up, clk := openStore(t), newUpstream(t), newClock(t0)
	rels := providertest.CorpusReleases("auth0__auth0-spa-js.md")[:5]
	gh := providertest.NewGitHub("auth0/auth0-spa-js", rels[2:]...)
	t.Cleanup(gh.Close)
	ghp, err := github.New(github.Config{Name: "spa-js", Repo: "auth0/auth0-spa-js", APIURL: gh.URL()}, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	fd := providertest.NewFeed(providertest.RSS, "Changelog",
		providertest.Entry{ID: "e1", Title: "Old news", Link: "https://example.com/e1", Published: t0.Add(-48 * time.Hour)})
	t.Cleanup(fd.Close)
	fp, err := feed.New(feed.Config{Name: "changelog", URL: fd.URL()}, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	e := &watcher.Engine{Store: db, Now: clk.Now, Sources: []*watcher.Runtime{
		{Source: watcher.Source{Name: "spa-js", Type: "github_releases", Items: github.Type.Items}, Provider: ghp, Options: diff.Options{Sets: github.Sets}},
		{Source: watcher.Source{Name: "changelog", Type: "feed", Items: feed.Type.Items}, Provider: fp},
		jsonSource(t, up, "db", watcher.RuleFunc(alerts)),
		jsonSource(t, up, "quiet"),
	}}
	poll := func(at time.Time) {
		t.Helper()
		clk.Set(at)
		rep, err := e.Poll(context.Background())
		if err != nil || rep.Failed() > 0 {
			t.Fatalf("poll at %s: %v %+v", at, err, rep)
		}
	}

	// Before the period: every baseline; alerts a (stays), b (resolves).
	up.set("db", dbDoc(1, "a", "b"))
	up.set("quiet", `{"x": 1}`)
	poll(t0)
	// In it: two releases, changed metrics, alerts c (stays) and d (comes
	// and goes); then a feed entry, b and d resolve.
	gh.AddRelease(rels[1])
	gh.AddRelease(rels[0])
	up.set("db", dbDoc(2, "a", "b", "c", "d"))
	poll(t0.Add(24 * time.Hour))
	fd.AddEntry(providertest.Entry{ID: "e2", Title: "Rotating keys", Link: "https://example.com/e2", Published: t0.Add(48 * time.Hour)})
	up.set("db", dbDoc(3, "a", "c"))
	poll(t0.Add(48 * time.Hour))

	since, until := t0.Add(12*time.Hour), t0.Add(72*time.Hour)
	d, err := e.BuildDigest(context.Background(), since, until)
	if err != nil {
		t.Fatal(err)
	}
	if !d.Since.Equal(since) || !d.Until.Equal(until) || d.Empty() {
		t.Fatalf("digest period %s–%s, empty %v", d.Since, d.Until, d.Empty())
	}
	var names []string
	by := map[string]watcher.DigestSource{}
	for _, s := range d.Sources {
		names = append(names, s.Name)
		by[s.Name] = s
	}
	if !slices.Equal(names, []string{"changelog", "db", "spa-js"}) {
		t.Fatalf("sources = %v; want them by name, the quiet one left out", names)
	}

	spa := by["spa-js"]
	if spa.Type != "github_releases" || spa.Snapshots != 1 || len(spa.New) != 2 {
		t.Fatalf("spa-js = %+v", spa)
	}
	for _, it := range spa.New {
		if (it.Key != rels[0].Tag && it.Key != rels[1].Tag) || !strings.HasPrefix(it.Title, it.Key) ||
			it.URL != "https://github.com/auth0/auth0-spa-js/releases/tag/"+it.Key {
			t.Errorf("new release = %+v", it)
		}
	}
	for _, c := range spa.Changes {
		if strings.HasPrefix(c.Path, "/releases/"+rels[0].Tag) || strings.HasPrefix(c.Path, "/releases/"+rels[1].Tag) {
			t.Errorf("new release also listed as a change: %+v", c)
		}
	}

	cl := by["changelog"]
	if cl.Snapshots != 1 || len(cl.New) != 1 || cl.New[0].Key != "e2" || cl.New[0].Title != "Rotating keys" || cl.New[0].URL != "https://example.com/e2" {
		t.Errorf("changelog = %+v", cl)
	}

	dbs := by["db"]
	if dbs.Snapshots != 2 || len(dbs.New) != 0 || dbs.ChangesTotal != 17 || len(dbs.Changes) != 10 {
		t.Errorf("db: %d snapshots, %d new, %d changes listed of %d; want 2, 0, 10 of 17 (15 metrics, b removed, c added)",
			dbs.Snapshots, len(dbs.New), len(dbs.Changes), dbs.ChangesTotal)
	}
	subjects := func(fs []watcher.Finding) string {
		var s []string
		for _, f := range fs {
			s = append(s, f.Subject)
		}
		slices.Sort(s)
		return strings.Join(s, ",")
	}
	if got := subjects(dbs.Opened); got != "c" {
		t.Errorf("opened = %s, want c", got)
	}
	if got := subjects(dbs.Resolved); got != "b,d" {
		t.Errorf("resolved = %s, want b,d", got)
	}
	if got := subjects(dbs.StillOpen); got != "a" {
		t.Errorf("still open = %s, want a", got)
	}

	// Acknowledged and silenced findings are handled: counted, not listed
	// among the open ones or the new ones.
	t.Run("HandledApart", func(t *testing.T) {
		ctx := context.Background()
		open, err := db.Findings(ctx, watcher.FindingFilter{States: []watcher.State{watcher.Open}})
		if err != nil {
			t.Fatal(err)
		}
		var ackA string
		for _, f := range open {
			if f.Subject == "a" {
				ackA = fmt.Sprint(f.ID)
			}
		}
		if _, err := db.AckRefs(ctx, store.AckRequest{Refs: []string{ackA}, Note: "known", Author: "ana", At: clk.Now()}); err != nil {
			t.Fatal(err)
		}
		if _, err := db.AddSilence(ctx, watcher.Silence{Path: "/alerts/c", Comment: "migration", Author: "bo",
			CreatedAt: clk.Now(), EndsAt: clk.Now().Add(time.Hour)}); err != nil {
			t.Fatal(err)
		}
		d, err := e.BuildDigest(ctx, since, until)
		if err != nil {
			t.Fatal(err)
		}
		for _, s := range d.Sources {
			if s.Name != "db" {
				continue
			}
			if s.Acked != 1 || s.Silenced != 1 || s.Open() != 0 || len(s.Opened)+len(s.StillOpen) != 0 {
				t.Errorf("db with a acked and c silenced: %d acked, %d silenced, opened %q, still open %q",
					s.Acked, s.Silenced, subjects(s.Opened), subjects(s.StillOpen))
			}
		}
	})

	// A period holding the baselines: sources began to be watched; only
	// what followed a baseline moved.
	t.Run("Baselines", func(t *testing.T) {
		d, err := e.BuildDigest(context.Background(), t0.Add(-time.Hour), t0.Add(36*time.Hour))
		if err != nil {
			t.Fatal(err)
		}
		by := map[string]watcher.DigestSource{}
		for _, s := range d.Sources {
			by[s.Name] = s
		}
		q, db, cl := by["quiet"], by["db"], by["changelog"]
		if !q.Baseline || q.Snapshots != 0 || q.Moved() || q.Empty() {
			t.Errorf("quiet, only its baseline: %+v, moved %v", q, q.Moved())
		}
		if !cl.Baseline || cl.Moved() {
			t.Errorf("changelog, only its baseline in the period: %+v", cl)
		}
		if !db.Baseline || db.Snapshots != 1 || !db.Moved() || db.ChangesTotal != 17 {
			t.Errorf("db, a baseline then a change: baseline %v, %d snapshots, %d changes", db.Baseline, db.Snapshots, db.ChangesTotal)
		}
	})

	t.Run("Empty", func(t *testing.T) {
		d, err := e.BuildDigest(context.Background(), t0.Add(-72*time.Hour), t0.Add(-24*time.Hour))
		if err != nil || !d.Empty() || len(d.Sources) != 0 {
			t.Fatalf("digest before anything = %+v, %v", d, err)
		}
	})
}
