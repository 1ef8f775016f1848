package main

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/driftwatch/driftwatch/api"
	"github.com/driftwatch/driftwatch/store"
)

// readmeServerURL is the daemon's address in the README's examples.
const readmeServerURL = "https://driftwatch.internal:9464"

const readmeToken = "readme-token"

// readmeServer serves the API over the CLI's store, as `run` would.
func readmeServer(t *testing.T, c *cli) string {
	t.Helper()
	a := &app{env: Env{LookupEnv: func(k string) (string, bool) { v, ok := c.env[k]; return v, ok }}}
	cfg, db, err := a.openRead(context.Background(), store.Create)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	mux := http.NewServeMux()
	api.NewServer(api.NewLocal(db, cfg), api.Tokens{Read: readmeToken}, nil).Register(mux)
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv.URL
}

// readmeCurl runs a README curl line (the flags it uses: -fsS, -H, -X,
// -d) against the API and wants a 2xx, as curl -f does.
func readmeCurl(t *testing.T, line string, args []string) {
	t.Helper()
	method, body, url := "", "", ""
	headers := http.Header{}
	for i := 0; i < len(args); i++ {
		switch a := args[i]; {
		case a == "-fsS":
		case a == "-H" && i+1 < len(args):
			k, v, _ := strings.Cut(args[i+1], ": ")
			headers.Add(k, v)
			i++
		case a == "-X" && i+1 < len(args):
			method = args[i+1]
			i++
		case a == "-d" && i+1 < len(args):
			body = args[i+1]
			if method == "" {
				method = "POST"
			}
			i++
		case strings.HasPrefix(a, "http"):
			url = a
		default:
			t.Errorf("README curl %q: flag %q not handled by this test", line, a)
			return
		}
	}
	if method == "" {
		method = "GET"
	}
	req, err := http.NewRequest(method, url, strings.NewReader(body))
	if err != nil {
		t.Fatalf("README curl %q: %v", line, err)
	}
	req.Header = headers
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("README curl %q: %v", line, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode/100 != 2 {
		t.Errorf("README curl %q: HTTP %d %s", line, resp.StatusCode, b)
	}
}
