package slack_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/driftwatch/driftwatch/notify/slack"
	"github.com/driftwatch/driftwatch/providers/providertest"
	"github.com/driftwatch/driftwatch/watcher"
)

// BenchmarkRenderNotices renders one full group (MaxBatch notices, some
// with real changelog excerpts).
func BenchmarkRenderNotices(b *testing.B) {
	ns := manyFindings(8)
	b.ReportAllocs()
	for b.Loop() {
		slack.RenderNotices(ns)
	}
}

// BenchmarkRenderHugeExcerpt renders one notice whose release body is
// about 100 KB: the cost must not grow with upstream text never shown.
func BenchmarkRenderHugeExcerpt(b *testing.B) {
	f := releaseFinding()
	f.Excerpt = strings.Repeat(goAuth0V3Notes()+"\n", 100000/len(goAuth0V3Notes())+1)
	ns := []watcher.Notice{notice(1, watcher.NoticeOpened, f)}
	b.ReportAllocs()
	for b.Loop() {
		slack.RenderNotices(ns)
	}
}

// BenchmarkRenderDigest renders a 40-source digest into several messages.
func BenchmarkRenderDigest(b *testing.B) {
	d := bigDigest(40)
	b.ReportAllocs()
	for b.Loop() {
		slack.RenderDigest(d)
	}
}

func BenchmarkValidate(b *testing.B) {
	m := slack.RenderNotices(manyFindings(8))
	b.ReportAllocs()
	for b.Loop() {
		if err := slack.Validate(m); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkDeliverWebhook is one delivery of one notice to the simulated
// Slack over loopback HTTP.
func BenchmarkDeliverWebhook(b *testing.B) {
	sim := providertest.NewSlack()
	defer sim.Close()
	n, err := slack.New(slack.Config{WebhookURL: sim.WebhookURL()}, &http.Client{Timeout: 5 * time.Second}, nil)
	if err != nil {
		b.Fatal(err)
	}
	ns := one()
	b.ReportAllocs()
	for b.Loop() {
		if err := n.Deliver(b.Context(), ns); err != nil {
			b.Fatal(err)
		}
	}
}
