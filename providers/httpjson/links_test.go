package httpjson

import (
	"testing"

	"github.com/driftwatch/driftwatch/watcher"
)

// An http_json finding links its endpoint, never the credentials or query
// string the configured URL may carry.
func TestEndpointLink(t *testing.T) {
	f := watcher.Finding{}
	EndpointLink("https://user:pw@status.example.com/api/db/orders?api_key=k#x")(&watcher.Judgement{}, &f)
	if f.URL != "https://status.example.com/api/db/orders" {
		t.Errorf("url %q", f.URL)
	}
	if EndpointLink("ftp://example.com/x") != nil {
		t.Error("a non-web URL is linked")
	}
}
