package monitor_test

import (
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/driftwatch/driftwatch/watcher"
)

// TestAlertRules: deploy/alerts.yml is a Prometheus rules file whose every
// rule is complete, and every driftwatch metric it names is one /metrics
// serves once the daemon has polled and delivered.
func TestAlertRules(t *testing.T) {
	b, err := os.ReadFile("../deploy/alerts.yml")
	if err != nil {
		t.Fatal(err)
	}
	var file struct {
		Groups []struct {
			Name  string `yaml:"name"`
			Rules []struct {
				Alert       string            `yaml:"alert"`
				Expr        string            `yaml:"expr"`
				For         string            `yaml:"for"`
				Labels      map[string]string `yaml:"labels"`
				Annotations map[string]string `yaml:"annotations"`
			} `yaml:"rules"`
		} `yaml:"groups"`
	}
	dec := yaml.NewDecoder(strings.NewReader(string(b)))
	dec.KnownFields(true)
	if err := dec.Decode(&file); err != nil {
		t.Fatal(err)
	}

	f := newFixture(t, nil)
	f.mon.Delivered(1, 1, 1)
	f.mon.SetBuildInfo("v1.2.3", "abc", "go1.26.8")
	f.mon.Receivers = func() []watcher.ReceiverStatus { return []watcher.ReceiverStatus{{Name: "team", Up: true}} }
	served := scrape(t, f)

	metric := regexp.MustCompile(`\bdriftwatch_[a-z_]+\b`)
	alerts := map[string]bool{}
	for _, g := range file.Groups {
		for _, r := range g.Rules {
			alerts[r.Alert] = true
			if r.Expr == "" || r.Labels["severity"] == "" || r.Annotations["summary"] == "" || r.Annotations["description"] == "" {
				t.Errorf("%s: incomplete rule %+v", r.Alert, r)
			}
			if r.For != "" {
				if _, err := time.ParseDuration(r.For); err != nil {
					t.Errorf("%s: for %q: %v", r.Alert, r.For, err)
				}
			}
			if strings.Count(r.Expr, "(") != strings.Count(r.Expr, ")") {
				t.Errorf("%s: unbalanced expression %s", r.Alert, r.Expr)
			}
			for _, name := range metric.FindAllString(r.Expr, -1) {
				if _, ok := served[name]; !ok {
					t.Errorf("%s names %s, which /metrics does not serve", r.Alert, name)
				}
			}
		}
	}
	for _, want := range []string{"DriftwatchSourceFailing", "DriftwatchSourceStale", "DriftwatchOutboxStuck", "DriftwatchReceiverDown",
		"DriftwatchReceiverMisconfigured"} {
		if !alerts[want] {
			t.Errorf("no %s alert", want)
		}
	}
}
