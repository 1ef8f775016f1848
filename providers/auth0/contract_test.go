package auth0_test

import (
	"context"
	"log/slog"
	"net/http"
	"testing"
	"time"

	"github.com/driftwatch/driftwatch/providers/auth0"
	"github.com/driftwatch/driftwatch/providers/providertest"
	"github.com/driftwatch/driftwatch/redact"
	"github.com/driftwatch/driftwatch/watcher"
)

func TestContract(t *testing.T) {
	sim := providertest.NewAuth0(providertest.Auth0Options{})
	defer sim.Close()
	providertest.RunContract(t, providertest.Contract{
		Upstream: sim.URL(),
		New: func(t *testing.T, origin string, hc *http.Client, logger *slog.Logger, scrub *redact.Scrubber) watcher.Provider {
			p, err := auth0.New(auth0.Config{Name: "auth0-prod", Domain: sim.Domain(), BaseURL: origin,
				ClientID: sim.ClientID(), ClientSecret: sim.ClientSecret(), Scrubber: scrub}, hc, logger)
			if err != nil {
				t.Fatal(err)
			}
			p.MaxWait = time.Millisecond // a 429 is reported, not waited out
			// Pacing waits are not slept for real: the wait is the
			// provider's, the clock is the test's.
			p.Sleep = func(ctx context.Context, _ time.Duration) error { return ctx.Err() }
			return p
		},
		Secrets: []string{sim.ClientSecret()},
		Planted: []string{providertest.Auth0SecretMarker},
	})
}
