package httpjson_test

import (
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/driftwatch/driftwatch/providers/httpjson"
	"github.com/driftwatch/driftwatch/providers/providertest"
	"github.com/driftwatch/driftwatch/redact"
	"github.com/driftwatch/driftwatch/watcher"
)

func TestContract(t *testing.T) {
	const planted = "tok-served-by-the-upstream-0123456789"
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("If-None-Match") == `"v1"` {
			w.WriteHeader(http.StatusNotModified)
			return
		}
		w.Header().Set("ETag", `"v1"`)
		w.Header().Set("Content-Type", "application/json")
		w.Write([]byte(`{"plan": "basic", "cpu_percent": 42, "api_token": "` + planted + `"}`))
	}))
	defer srv.Close()
	providertest.RunContract(t, providertest.Contract{
		Upstream: srv.URL,
		New: func(t *testing.T, origin string, hc *http.Client, logger *slog.Logger, scrub *redact.Scrubber) watcher.Provider {
			raw := "http://ops:" + password + "@" + origin[len("http://"):] + "/status?token=" + token
			scrub.AddURLCredentials(raw) // as the command does for every configured URL
			p, err := httpjson.New(httpjson.Config{Name: "orders-db", URL: raw,
				Headers: map[string]string{"X-Api-Key": apiKey}}, hc, logger)
			if err != nil {
				t.Fatal(err)
			}
			return p
		},
		Secrets:           []string{password, token, apiKey},
		CredentialHeaders: []string{"X-Api-Key"},
		Planted:           []string{planted},
	})
}
