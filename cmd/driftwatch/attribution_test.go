package main

import (
	"strings"
	"testing"
	"time"

	"github.com/driftwatch/driftwatch/providers/providertest"
)

// TestAttributionInFindings: over the CLI, a callback removed in the
// Dashboard shows who removed it in findings --format json (changed_by,
// changed_via, changed_at, log_id) and in the text listing.
func TestAttributionInFindings(t *testing.T) {
	sim := providertest.NewAuth0(providertest.Auth0Options{})
	defer sim.Close()
	c := auth0CLI(t, sim, false)
	c.mustRun(0, "poll", "--no-notify")
	var acme string
	at := time.Now().UTC().Truncate(time.Second)
	sim.Mutate(func(tn *providertest.Auth0Tenant) {
		acme, _ = tn.Client("Acme Web")["client_id"].(string)
		tn.RemoveString(tn.Client("Acme Web"), "callbacks", "https://app.acme.com/callback")
		tn.AddLog(providertest.SAPIEvent(at, "alice@acme.com", "PATCH", "/api/v2/clients/"+acme, "Update a client"))
	})
	c.mustRun(0, "poll", "--no-notify")
	r := c.mustRun(0, "findings", "--format", "json")
	got := decode[attributedJSON](t, r.stdout)
	found := false
	for _, f := range got.Findings {
		if f.Rule == "auth0.url_removed" && f.Path == "/clients/Acme Web/callbacks" {
			found = true
			if f.ChangedBy != "alice@acme.com" || f.ChangedVia != "Dashboard" || f.ChangedAt != at.Format(time.RFC3339) || f.LogID == "" {
				t.Errorf("attribution = %+v", f)
			}
		}
	}
	if !found {
		t.Fatalf("no url_removed finding in\n%s", r.stdout)
	}
	if text := c.mustRun(0, "findings").stdout + c.mustRun(0, "findings", "--format", "json").stdout; !strings.Contains(text, "Changed by alice@acme.com in the Dashboard") {
		t.Errorf("the finding's detail does not say who:\n%s", text)
	}
}

// attributedJSON is findings --format json with the attribution fields.
type attributedJSON struct {
	Findings []struct {
		Rule       string `json:"rule"`
		Path       string `json:"path"`
		ChangedBy  string `json:"changed_by"`
		ChangedVia string `json:"changed_via"`
		ChangedAt  string `json:"changed_at"`
		LogID      string `json:"log_id"`
	} `json:"findings"`
}
