package slack_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/driftwatch/driftwatch/notify/slack"
	"github.com/driftwatch/driftwatch/watcher"
)

// elsewhere is another origin a hostile webhook or API redirects to; it
// records what reaches it.
type elsewhere struct {
	*httptest.Server
	mu   sync.Mutex
	seen []string
}

func newElsewhere(t *testing.T) *elsewhere {
	e := &elsewhere{}
	e.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		e.mu.Lock()
		e.seen = append(e.seen, r.Method+" "+r.URL.String()+" "+r.Header.Get("Referer")+" "+r.Header.Get("Authorization")+" "+string(body))
		e.mu.Unlock()
		w.Write([]byte(`{"ok":true}`))
	}))
	t.Cleanup(e.Close)
	return e
}

// A webhook or the Web API answering a redirect has not delivered: the
// notice fails (and stays queued), nothing reaches the other origin, and
// the error names neither the webhook URL nor the token.
func TestRedirectIsADeliveryFailure(t *testing.T) {
	for _, status := range []int{http.StatusFound, http.StatusTemporaryRedirect, http.StatusPermanentRedirect} {
		for _, mode := range []string{"webhook", "bot", "webhook+plain client"} {
			other := newElsewhere(t)
			hostile := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				http.Redirect(w, r, other.URL+"/collect", status)
			}))
			const hookPath = "/services/T0SIMULATED/B0SIMULATED/WebhookSecretDoNotLeak0"
			cfg := slack.Config{WebhookURL: hostile.URL + hookPath}
			if mode == "bot" {
				cfg = slack.Config{Token: botToken, Channel: "#alerts", APIURL: hostile.URL + "/api/"}
			}
			var hc *http.Client
			if strings.HasSuffix(mode, "plain client") {
				hc = &http.Client{} // whatever client it is given, it never follows
			}
			var l logs
			n, err := slack.New(cfg, hc, l.logger())
			if err != nil {
				t.Fatal(err)
			}
			err = n.Deliver(context.Background(), []watcher.Notice{notice(1, watcher.NoticeOpened, breakingConfig())})
			hostile.Close()
			if err == nil {
				t.Errorf("%s answering %d: delivered, want a failure", mode, status)
				continue
			}
			if watcher.IsPermanent(err) {
				t.Errorf("%s answering %d: given up (%v), want a retry", mode, status, err)
			}
			other.mu.Lock()
			if len(other.seen) > 0 {
				t.Errorf("%s answering %d: the other origin got %q", mode, status, other.seen)
			}
			other.mu.Unlock()
			for _, text := range []string{err.Error(), l.String()} {
				for _, sec := range []string{"WebhookSecretDoNotLeak0", hookPath, "SimulatedTokenDoNotLeak"} {
					if strings.Contains(text, sec) {
						t.Errorf("%s answering %d: %q leaks in %s", mode, status, sec, text)
					}
				}
			}
		}
	}
}
