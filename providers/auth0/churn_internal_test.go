package auth0

import (
	"os"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"

	"github.com/driftwatch/driftwatch/diff"
)

// cassette is the part of a go-vcr cassette the test reads.
type cassette struct {
	Interactions []struct {
		ID      int `yaml:"id"`
		Request struct {
			Method string `yaml:"method"`
			URL    string `yaml:"url"`
		} `yaml:"request"`
		Response struct {
			Body string `yaml:"body"`
		} `yaml:"response"`
	} `yaml:"interactions"`
}

// TestRecordedActionBuildChurn replays a real session (testdata/README.md):
// one action created, edited, built, deployed and rebuilt. Between two
// writes, the action's successive GET answers differ only by build churn
// (status pending/building/retrying/built, build ids and times), and its
// document must not move — except to show a failed build. Every write that
// changes the configuration must show.
func TestRecordedActionBuildChurn(t *testing.T) {
	b, err := os.ReadFile("testdata/terraform-provider-auth0__TestAccAction.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var c cassette
	if err := yaml.Unmarshal(b, &c); err != nil {
		t.Fatal(err)
	}
	var prev string
	wrote, gets, writes, edits, changed := false, 0, 0, 0, 0
	for _, it := range c.Interactions {
		if !strings.Contains(it.Request.URL, "/api/v2/actions/actions") {
			continue
		}
		if it.Request.Method != "GET" {
			wrote = true
			writes++
			continue
		}
		gets++
		v, err := diff.Decode([]byte(it.Response.Body))
		if err != nil {
			t.Fatalf("interaction %d: %v", it.ID, err)
		}
		doc, _ := buildDocument(&rawTenant{settings: map[string]any{}, actions: []any{secure(v)}}, nil)
		cur, err := diff.Canonical(doc, diff.Options{Sets: Sets})
		if err != nil {
			t.Fatal(err)
		}
		status, _ := v.(map[string]any)["status"].(string)
		switch {
		case prev == "":
		case wrote:
			edits++
			if string(cur) != prev {
				changed++
			} else {
				t.Errorf("interaction %d: the write before it does not show", it.ID)
			}
		case !wrote && string(cur) != prev && status != "failed":
			ch, _ := diff.Diff([]byte(prev), cur, diff.Options{Sets: Sets})
			t.Errorf("interaction %d (status %s): build churn changed the document: %+v", it.ID, status, ch)
		}
		prev, wrote = string(cur), false
	}
	if gets < 30 || writes < 5 {
		t.Fatalf("read %d answers and %d writes; is the cassette complete?", gets, writes)
	}
	// Edits: runtime and code, deploy, dependencies, deploy, secrets,
	// runtime again — each shows.
	if edits < 6 || changed != edits {
		t.Errorf("%d of %d edits showed in the document", changed, edits)
	}
}
