package msteams_test

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/driftwatch/driftwatch/notify/msteams"
	"github.com/driftwatch/driftwatch/providers/providertest"
	"github.com/driftwatch/driftwatch/watcher"
)

func TestCardAcceptedByTheWorkflow(t *testing.T) {
	teams := providertest.NewTeams()
	defer teams.Close()
	n, err := msteams.New(msteams.Config{WebhookURL: teams.URL()})
	if err != nil {
		t.Fatal(err)
	}
	f := watcher.Finding{ID: 3, Source: "orders-db", Rule: "threshold.cpu", Severity: watcher.Warning,
		Category: watcher.Infrastructure, Title: "CPU at 97% [click](https://evil.example) **now**", State: watcher.Open,
		URL: "https://dashboard.example.com/db"}
	d := &watcher.Digest{Since: time.Date(2026, 8, 1, 0, 0, 0, 0, time.UTC), Until: time.Date(2026, 8, 8, 0, 0, 0, 0, time.UTC)}
	err = n.Deliver(t.Context(), []watcher.Notice{
		{ID: 1, Kind: watcher.NoticeOpened, Finding: &f},
		{ID: 2, Kind: watcher.NoticeDigest, Digest: d},
	})
	if err != nil {
		t.Fatal(err)
	}
	got := teams.Accepted()
	if len(got) != 2 {
		t.Fatalf("%d cards accepted, want the digest and the notice", len(got))
	}
	var msg msteams.Message
	if err := json.Unmarshal(got[1], &msg); err != nil {
		t.Fatal(err)
	}
	card := msg.Attachments[0].Content
	head := card.Body[0].Text
	if strings.Contains(head, "[click](") || strings.Contains(head, "**now**") || !strings.Contains(head, `\[click\]`) {
		t.Errorf("upstream text forms Markdown: %q", head)
	}
	if len(card.Actions) != 1 || card.Actions[0].URL != "https://dashboard.example.com/db" {
		t.Errorf("actions %+v", card.Actions)
	}
}

func TestTeamsRejectsWhatIsNotACard(t *testing.T) {
	teams := providertest.NewTeams()
	defer teams.Close()
	n, _ := msteams.New(msteams.Config{WebhookURL: teams.URL()})
	if err := n.Test(t.Context()); err != nil {
		t.Fatalf("test card: %v", err)
	}
	teams.Script(404)
	err := n.Test(t.Context())
	if reason, ok := watcher.SetupReason(err); !ok || reason != "HTTP 404" {
		t.Fatalf("404: %v (setup %q)", err, reason)
	}
	if strings.Contains(err.Error(), "SECRETSIG") {
		t.Error("the error shows the URL's signature")
	}
}

// A full card of notices with huge upstream text stays within what the
// workflow takes.
func TestLargeGroupWithinLimits(t *testing.T) {
	teams := providertest.NewTeams()
	defer teams.Close()
	n, _ := msteams.New(msteams.Config{WebhookURL: teams.URL(), PublicURL: "https://dw.example.com"})
	var ns []watcher.Notice
	for i := range n.MaxBatch() {
		f := watcher.Finding{ID: int64(i + 1), Source: "sdk", Rule: "release.breaking_notes", Severity: watcher.Warning,
			Category: watcher.ThirdParty, Title: strings.Repeat("t", 5000), Excerpt: strings.Repeat("[x](y) ", 20000), State: watcher.Open}
		ns = append(ns, watcher.Notice{ID: int64(i + 1), Kind: watcher.NoticeOpened, Finding: &f})
	}
	if err := n.Deliver(t.Context(), ns); err != nil {
		t.Fatalf("Deliver: %v", err)
	}
	if got := teams.Accepted(); len(got) != 1 || len(got[0]) > 28<<10 {
		t.Fatalf("%d cards accepted", len(got))
	}
}
