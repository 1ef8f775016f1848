package providers_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/driftwatch/driftwatch/config"
	"github.com/driftwatch/driftwatch/diff"
	"github.com/driftwatch/driftwatch/providers"
	"github.com/driftwatch/driftwatch/providers/sourcetype"
	"github.com/driftwatch/driftwatch/store"
	"github.com/driftwatch/driftwatch/watcher"
)

// This file is the whole of a source type that exists only here: "dice",
// a die whose face an upstream reports. Registering it is all it takes
// for the loader to validate its keys and for the engine to poll, diff and
// judge it.

type diceSettings struct {
	URL   string `toml:"url"`
	Faces int    `toml:"faces"`
}

func (s *diceSettings) Validate(c *config.Check) {
	if c.Required("url", s.URL) {
		c.URL("url", s.URL)
	}
	if s.Faces < 2 || s.Faces > 120 {
		c.Errorf("faces", "faces = %d: a die has 2 to 120 faces", s.Faces)
	}
}

type diceProvider struct {
	url string
	hc  *http.Client
}

func (p diceProvider) Fetch(ctx context.Context, prev watcher.FetchState) (*watcher.Result, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, p.url, nil)
	if err != nil {
		return nil, err
	}
	resp, err := p.hc.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, 1<<16))
	if err != nil {
		return nil, fmt.Errorf("dice: %w", err)
	}
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("dice: HTTP %d", resp.StatusCode)
	}
	doc, err := diff.Decode(b)
	if err != nil {
		return nil, err
	}
	return &watcher.Result{Doc: doc, RateRemaining: -1, Requests: 1}, nil
}

// faceChanged judges a change of the face; breaking once it is off the
// configured die.
func faceChanged(faces int) watcher.Rule {
	return watcher.RuleFunc(func(j *watcher.Judgement) []watcher.Finding {
		var out []watcher.Finding
		for _, c := range j.Changes {
			if c.Path != "/face" || c.Op != diff.Changed {
				continue
			}
			sev := watcher.Warning
			n, _ := j.New.(map[string]any)["face"].(json.Number).Int64()
			if n > int64(faces) {
				sev = watcher.Breaking
			}
			out = append(out, watcher.Finding{Rule: "dice.face_changed", Severity: sev, Category: watcher.ThirdParty,
				Path: c.Path, Title: fmt.Sprintf("The die shows %s, not %s", c.New, c.Old)})
		}
		return out
	})
}

var diceType = sourcetype.Type{
	Name:     "dice",
	Config:   func() config.SourceConfig { return &diceSettings{Faces: 6} },
	Category: watcher.ThirdParty,
	Sets:     []diff.Pattern{mustPattern("/rolled")},
	Build: func(src sourcetype.Source) (sourcetype.Built, error) {
		s := src.Settings.(*diceSettings)
		return sourcetype.Built{Provider: diceProvider{url: s.URL, hc: src.HTTP}, Rules: []watcher.Rule{faceChanged(s.Faces)}}, nil
	},
}

func mustPattern(p string) diff.Pattern {
	pat, err := diff.ParsePattern(p)
	if err != nil {
		panic(err)
	}
	return pat
}

func TestThrowawaySourceType(t *testing.T) {
	providers.Register(diceType)

	t.Run("ErrValidated", func(t *testing.T) {
		_, err := config.Parse("dw.toml", []byte(`
[[source]]
name = "die"
type = "dice"
faces = 1
`), nil)
		for _, want := range []string{
			`dw.toml:2: source "die": url is required for dice sources`,
			`dw.toml:5: source "die": faces = 1: a die has 2 to 120 faces`,
		} {
			if err == nil || !strings.Contains(err.Error(), want) {
				t.Errorf("error %v\nwant %q", err, want)
			}
		}
		_, err = config.Parse("dw.toml", []byte("[[source]]\nname = \"die\"\ntype = \"dice\"\nsides = 6\n"), nil)
		if want := `dw.toml:4: source "die": unknown key "sides"`; err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("error %v\nwant %q", err, want)
		}
		_, err = config.Parse("dw.toml", []byte("[[source]]\nname = \"x\"\ntype = \"feed\"\nfaces = 6\nurl = \"https://example.com/f\"\n"), nil)
		if want := `dw.toml:4: source "x": key "faces" is for dice sources, not feed`; err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("error %v\nwant %q", err, want)
		}
	})

	t.Run("OK", func(t *testing.T) {
		var face atomic.Int64
		face.Store(3)
		up := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			// The set's order changes on every request: no drift.
			rolled := []int{1, 2, 3}
			if face.Load()%2 == 0 {
				rolled = []int{3, 2, 1}
			}
			fmt.Fprintf(w, `{"face": %d, "rolled": %v}`, face.Load(), strings.Join(strings.Fields(fmt.Sprint(rolled)), ","))
		}))
		defer up.Close()
		cfg, err := config.Parse("dw.toml", []byte(fmt.Sprintf(`
[[source]]
name = "die"
type = "dice"
url = %q

[[expect]]
source = "die"
path = "/face"
present = true
`, up.URL)), nil)
		if err != nil {
			t.Fatal(err)
		}
		if got := cfg.Sources[0].Settings.(*diceSettings).Faces; got != 6 {
			t.Errorf("default faces = %d, want 6", got)
		}
		rts, err := providers.Build(cfg, providers.Deps{})
		if err != nil {
			t.Fatal(err)
		}
		ctx := context.Background()
		db, err := store.Open(ctx, filepath.Join(t.TempDir(), "db"))
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		now := time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)
		e := &watcher.Engine{Store: db, Sources: rts, Now: func() time.Time { return now }}
		poll := func() watcher.SourceReport {
			t.Helper()
			now = now.Add(time.Hour)
			rep, err := e.Poll(ctx)
			if err != nil {
				t.Fatal(err)
			}
			return rep.Sources[0]
		}
		if got := poll(); got.Outcome != watcher.OutcomeBaseline {
			t.Fatalf("first poll: %+v", got)
		}
		face.Store(9)
		got := poll()
		if got.Outcome != watcher.OutcomeChanged || got.Changes != 1 || got.Opened != 1 {
			t.Fatalf("second poll: %+v", got)
		}
		fs, err := db.Findings(ctx, watcher.FindingFilter{Sources: []string{"die"}, States: []watcher.State{watcher.Open}})
		if err != nil {
			t.Fatal(err)
		}
		if len(fs) != 1 || fs[0].Rule != "dice.face_changed" || fs[0].Severity != watcher.Breaking || fs[0].Title != "The die shows 9, not 3" {
			t.Fatalf("findings: %+v", fs)
		}
		face.Store(10) // only the set's order and the face move
		if got := poll(); got.Changes != 1 {
			t.Errorf("third poll: %+v (the set's order is no change)", got)
		}
	})
}
