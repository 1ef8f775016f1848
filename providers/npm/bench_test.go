package npm_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"testing"
	"time"

	"github.com/driftwatch/driftwatch/providers/npm"
	"github.com/driftwatch/driftwatch/providers/providertest"
	"github.com/driftwatch/driftwatch/watcher"
)

// BenchmarkFetchLargeDocument reads a package document of 5,000 versions
// (a few MiB of JSON, as a busy SDK's) through the streaming
// decoder: allocations stay a fraction of the document.
func BenchmarkFetchLargeDocument(b *testing.B) {
	r := providertest.NewNPMRegistry()
	defer r.Close()
	var vs []providertest.NPMVersion
	for i := range 5000 {
		vs = append(vs, providertest.NPMVersion{Version: fmt.Sprintf("%d.%d.%d", i/500, (i/20)%25, i%20),
			Published: time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC).Add(time.Duration(i) * time.Hour)})
	}
	r.Publish("@acme/big", vs...)
	p, err := npm.New(npm.Config{Name: "big", Package: "@acme/big", Deployed: "9.0.0", Registry: r.URL()}, nil, nil)
	if err != nil {
		b.Fatal(err)
	}
	resp, err := http.Get(npm.DocumentURL(r.URL(), "@acme/big"))
	if err != nil {
		b.Fatal(err)
	}
	size, _ := io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	b.SetBytes(size)
	b.ReportAllocs()
	for b.Loop() {
		res, err := p.Fetch(context.Background(), watcher.FetchState{})
		if err != nil || len(res.Doc.(map[string]any)["versions"].(map[string]any)) != npm.MaxVersions {
			b.Fatalf("%v", err)
		}
	}
}
