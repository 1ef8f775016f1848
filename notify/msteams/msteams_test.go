package msteams_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/driftwatch/driftwatch/notify"
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

// TestFailedTestShowsTheAnswerCleanedCappedAndScrubbed: when the workflow
// refuses the test card, the error quotes what it answered (Teams'
// TriggerInputSchemaMismatch), on one line, escape sequences dropped, cut
// to notify.MaxAnswer characters, and with the workflow URL's path and
// signature the answer echoed replaced.
func TestFailedTestShowsTheAnswerCleanedCappedAndScrubbed(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusBadRequest)
		fmt.Fprintf(w, `{"error":{"code":"TriggerInputSchemaMismatch","message":"`+"\x1b[31m\u202e"+`The input body for trigger 'manual' of %s did not match its schema definition.`+"\r\n"+`%s"}}`,
			r.URL.RequestURI(), strings.Repeat("Error details: ", 40))
	}))
	defer srv.Close()
	n, _ := msteams.New(msteams.Config{WebhookURL: srv.URL + "/workflows/abc123/triggers/manual/paths/invoke?api-version=1&sig=SECRETSIG"})
	err := n.Test(t.Context())
	if err == nil {
		t.Fatal("no error")
	}
	msg := err.Error()
	if !strings.HasPrefix(msg, "msteams: HTTP 400: ") || !strings.Contains(msg, "TriggerInputSchemaMismatch") ||
		!strings.Contains(msg, "The input body for trigger 'manual'") {
		t.Errorf("error lacks the answer: %q", msg)
	}
	if strings.Contains(msg, "SECRETSIG") || strings.Contains(msg, "abc123") || !strings.Contains(msg, "[redacted]") {
		t.Errorf("error shows the workflow URL: %q", msg)
	}
	if strings.ContainsAny(msg, "\x1b\r\n\u202e") || strings.Contains(msg, "[31m") {
		t.Errorf("error carries control characters: %q", msg)
	}
	answer := strings.TrimPrefix(msg, "msteams: HTTP 400: ")
	if got := utf8.RuneCountInString(answer); got != notify.MaxAnswer+1 || !strings.HasSuffix(answer, "…") {
		t.Errorf("answer of %d characters, want %d and …", got, notify.MaxAnswer+1)
	}
}
