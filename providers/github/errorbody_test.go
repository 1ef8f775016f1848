package github_test

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/driftwatch/driftwatch/providers/github"
	"github.com/driftwatch/driftwatch/providers/polite"
	"github.com/driftwatch/driftwatch/watcher"
)

// TestHugeErrorBodyIsCappedInTransit serves an error page far larger than
// the cap, without a Content-Length: go-github reads error bodies itself,
// and must stop at the cap, not read the whole page into memory.
func TestHugeErrorBodyIsCappedInTransit(t *testing.T) {
	const page = 200 << 20 // what the server would send, if read
	var written atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusBadGateway)
		chunk := []byte(strings.Repeat("x", 64<<10))
		for written.Load() < page {
			n, err := w.Write(chunk)
			written.Add(int64(n))
			if err != nil {
				return // the client hung up
			}
		}
	}))
	t.Cleanup(srv.Close)
	p, err := github.New(github.Config{Name: "sdk", Repo: "acme/auth-sdk", APIURL: srv.URL}, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	_, err = p.Fetch(t.Context(), watcher.FetchState{})
	if err == nil {
		t.Fatal("a 502 fetched")
	}
	srv.CloseClientConnections()
	if got := written.Load(); got >= page {
		t.Errorf("the client read the whole %d-byte error page", got)
	}
	if !strings.Contains(err.Error(), "HTTP 502") && !errors.Is(err, polite.ErrTooLarge) {
		t.Errorf("error = %v", err)
	}
}

// An error message made only of control characters is not shown, and the
// error says so rather than ending in "HTTP 500: ".
func TestControlOnlyErrorMessageSaysNotShown(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusInternalServerError)
		w.Write([]byte(`{"message":"\u001b\u0007\u0000","documentation_url":"https://docs.github.com/rest"}`))
	}))
	t.Cleanup(srv.Close)
	p, err := github.New(github.Config{Name: "sdk", Repo: "acme/auth-sdk", APIURL: srv.URL}, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	_, err = p.Fetch(t.Context(), watcher.FetchState{})
	if err == nil || !strings.Contains(err.Error(), "HTTP 500: "+polite.NotShown) {
		t.Errorf("error = %v", err)
	}
}
