package auth0

import (
	"slices"
	"testing"
	"time"

	"github.com/driftwatch/driftwatch/watcher"
)

func TestTargets(t *testing.T) {
	old := map[string]any{
		"clients":          map[string]any{"Acme Web": map[string]any{"client_id": "OLDid"}},
		"resource_servers": map[string]any{"https://api.acme.com/": map[string]any{"id": "rs1"}},
	}
	cur := map[string]any{
		"clients":     map[string]any{"Acme Web": map[string]any{"client_id": "NEWid"}},
		"connections": map[string]any{"Username-Password-Authentication": map[string]any{"id": "con_1"}},
	}
	tests := []struct {
		path string
		want []string
	}{
		{"/clients/Acme Web/callbacks", []string{"/api/v2/clients/NEWid", "/api/v2/clients/OLDid"}}, // re-created: either id
		{"/connections/Username-Password-Authentication/enabled_clients", []string{"/api/v2/connections/con_1"}},
		{"/resource_servers/https:~1~1api.acme.com~1/scopes", []string{"/api/v2/resource-servers/rs1", "/api/v2/resource-servers/https:%2F%2Fapi.acme.com%2F"}},
		{"/tenant/flags/enable_legacy_profile", []string{"/api/v2/tenants/settings"}},
		{"/missing_scopes", nil},
	}
	for _, tt := range tests {
		got := targets(tt.path, old, cur)
		for _, w := range tt.want {
			if !slices.Contains(got, w) {
				t.Errorf("targets(%s) = %v, lacks %s", tt.path, got, w)
			}
		}
		if tt.want == nil && got != nil {
			t.Errorf("targets(%s) = %v, want none", tt.path, got)
		}
	}
}

func TestMatchChange(t *testing.T) {
	since := time.Date(2026, 12, 3, 10, 0, 0, 0, time.UTC)
	now := since.Add(time.Hour)
	changes := []logChange{
		{ID: "1", Date: since.Add(-time.Hour), Method: "PATCH", Path: "/api/v2/clients/A", By: "before"},
		{ID: "2", Date: since.Add(10 * time.Minute), Method: "GET", Path: "/api/v2/clients/A", By: "reader"},
		{ID: "3", Date: since.Add(20 * time.Minute), Method: "PATCH", Path: "/api/v2/clients/A", Status: 400, By: "failed"},
		{ID: "4", Date: since.Add(30 * time.Minute), Method: "PATCH", Path: "/api/v2/clients/AB", By: "other client"},
		{ID: "5", Date: since.Add(40 * time.Minute), Method: "PATCH", Path: "/api/v2/clients/A", Status: 200, By: "alice"},
		{ID: "6", Date: since.Add(50 * time.Minute), Method: "DELETE", Path: "/api/v2/clients/A/credentials/c1", By: "bob"},
		{ID: "7", Date: now.Add(time.Hour), Method: "PATCH", Path: "/api/v2/clients/A", By: "later"},
	}
	c, ok := matchChange(changes, []string{"/api/v2/clients/A"}, nil, since, now)
	if !ok || c.ID != "6" {
		t.Fatalf("match = %+v, %v; want the newest successful change to the client (6)", c, ok)
	}
	if c, ok := matchChange(changes[:5], []string{"/api/v2/clients/A"}, nil, since, now); !ok || c.By != "alice" {
		t.Errorf("match = %+v, want alice's", c)
	}
	if _, ok := matchChange(changes, []string{"/api/v2/clients/Z"}, nil, since, now); ok {
		t.Error("matched a change to another client")
	}
}

func TestAuth0Could(t *testing.T) {
	old := map[string]any{"resource_servers": map[string]any{
		"https://acme.eu.auth0.com/api/v2/": map[string]any{"is_system": true},
		"https://api.acme.com/":             map[string]any{"is_system": false},
	}}
	j := &watcher.Judgement{Old: old}
	tests := []struct {
		f    watcher.Finding
		want bool
	}{
		{watcher.Finding{Rule: RuleClientSettingChanged, Path: "/clients/A/oidc_conformant", Old: notSet, New: "true"}, true},
		{watcher.Finding{Rule: RuleClientSettingChanged, Path: "/clients/A/oidc_conformant", Old: "false", New: "true"}, false},
		{watcher.Finding{Rule: RuleScopeRemoved, Path: "/resource_servers/https:~1~1acme.eu.auth0.com~1api~1v2~1/scopes", Old: "read:x"}, true},
		{watcher.Finding{Rule: RuleScopeRemoved, Path: "/resource_servers/https:~1~1api.acme.com~1/scopes", Old: "read:x"}, false},
		{watcher.Finding{Rule: RuleGrantRemoved, Path: "/clients/A/grant_types", Old: "http://auth0.com/oauth/legacy/grant-type/ro"}, true},
		{watcher.Finding{Rule: RuleGrantRemoved, Path: "/clients/A/grant_types", Old: "refresh_token"}, false},
		{watcher.Finding{Rule: RuleURLRemoved, Path: "/clients/A/callbacks", Old: "https://app.acme.com/callback"}, false},
	}
	for _, tt := range tests {
		if got := auth0Could(&tt.f, j); got != tt.want {
			t.Errorf("auth0Could(%s %s %q) = %v, want %v", tt.f.Rule, tt.f.Path, tt.f.Old, got, tt.want)
		}
	}
}

func TestFeatureAndDeprecationMatch(t *testing.T) {
	tests := []struct {
		event   map[string]any
		feature string
		entry   string
	}{
		{map[string]any{"description": "Legacy Lock API: This feature is being deprecated.", "details": map[string]any{}}, "Legacy Lock API", ""},
		{map[string]any{"description": "x", "details": map[string]any{"feature": map[string]any{"id": "rules", "name": "Rules"}}}, "Rules", "rules-eol"},
		{map[string]any{"description": "x", "details": map[string]any{"feature": "Legacy grant types"}}, "Legacy grant types", "legacy-grant-types"},
		{map[string]any{"description": ""}, "unnamed deprecated feature", ""},
	}
	for _, tt := range tests {
		f := featureOf(tt.event)
		if f != tt.feature {
			t.Errorf("featureOf = %q, want %q", f, tt.feature)
		}
		d := matchDeprecation(&depUse{Feature: f})
		got := ""
		if d != nil {
			got = d.ID
		}
		if got != tt.entry {
			t.Errorf("matchDeprecation(%q) = %q, want %q", f, got, tt.entry)
		}
	}
}
