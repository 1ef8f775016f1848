package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/driftwatch/driftwatch/diff"
	"github.com/driftwatch/driftwatch/providers/providertest"
)

// leakCheck collects every text driftwatch wrote or stored and fails on
// any secret in it, in the forms a secret is written in (as is, and
// JSON-escaped: a PEM's newlines become \n).
type leakCheck struct {
	t       *testing.T
	secrets []string
	texts   map[string]string
}

func (l *leakCheck) add(what, text string) { l.texts[what] += text }

func (l *leakCheck) addStore(dir string) {
	for _, f := range []string{"dw.db", "dw.db-wal", "dw.db-shm"} {
		if b, err := os.ReadFile(filepath.Join(dir, f)); err == nil {
			l.add(f, string(b))
		}
	}
}

func (l *leakCheck) assertNone() {
	l.t.Helper()
	hits := 0
	for what, text := range l.texts {
		for _, s := range l.secrets {
			b, _ := json.Marshal(s)
			for _, form := range []string{s, strings.Trim(string(b), `"`)} {
				if strings.Contains(text, form) {
					hits++
					l.t.Errorf("%s holds a secret-bearing value %.40q", what, form)
				}
			}
		}
	}
	l.t.Logf("grepped %d outputs for %d secret-bearing values: %d hits", len(l.texts), len(l.secrets), hits)
}

// pick reads the string values at pointers of a recorded item.
func pick(t *testing.T, item map[string]any, ptrs ...string) []string {
	t.Helper()
	var out []string
	for _, p := range ptrs {
		v, ok := diff.Get(item, p)
		s, isStr := v.(string)
		if !ok || !isStr || s == "" {
			t.Fatalf("recording has no string at %s", p)
		}
		out = append(out, s)
	}
	return out
}

// A tenant built from real recorded Management API traffic, with SAML
// private keys, custom-database configuration and add-on keys: none of its
// secret-bearing values reaches the store (file and WAL), show, diff,
// findings, digest or the logs (-v, text and JSON); the settings that only
// mention a secret's name are kept and diffed; a re-encrypted
// configuration makes no snapshot.
func TestReplayRecordedTenantKeepsSecrets(t *testing.T) {
	sim := providertest.NewAuth0(providertest.Auth0Options{})
	defer sim.Close()
	saml := providertest.Auth0Recorded("auth0/connection_saml_keys.terraform.json")
	conf0 := providertest.Auth0Recorded("auth0/connection_configuration_0.terraform.json")
	conf1 := providertest.Auth0Recorded("auth0/connection_configuration_1_updated.terraform.json")
	db := providertest.Auth0Recorded("auth0/connection_db.terraform.json")
	addon := providertest.Auth0Recorded("auth0/client_addons_azure_blob.terraform.json")

	secrets := pick(t, saml, "/options/signing_key/key", "/options/signing_key/cert", "/options/decryptionKey/key", "/options/decryptionKey/cert")
	secrets = append(secrets, pick(t, conf0, "/options/configuration/bar", "/options/configuration/foo")...)
	secrets = append(secrets, pick(t, conf1, "/options/configuration/bar", "/options/configuration/baz", "/options/configuration/foo")...)
	secrets = append(secrets, pick(t, addon, "/addons/azure_blob/storageAccessKey")...)
	// Fragments, in case a value were cut or re-wrapped on its way.
	secrets = append(secrets, "{your private key here}", "+JGNGIRMj1hF1rnb6QIDAQAB", "BEGIN PRIVATE KEY",
		"Egw8CJ+QYLPe7UpLZD4aEEtR50vXeL6vkLOEoDOC8eka", "Egx2lYFZiCnGFWhQC1waECJlTmqcu42XS4gAVIvIRT8a",
		sim.ClientSecret(), providertest.Auth0SecretMarker)

	const confName = "Acceptance-Test-Connection-TestAccConnectionConfiguration"
	const dbName = "Acceptance-Test-Connection-TestAccConnection"
	sim.Mutate(func(tn *providertest.Auth0Tenant) {
		tn.Connections = append(tn.Connections, saml, conf0, db)
		tn.Clients = append(tn.Clients, addon)
		tn.Settings["change_password"] = map[string]any{"enabled": false, "html": "<html>Change your password</html>"}
	})
	c := auth0CLI(t, sim, false)
	check := &leakCheck{t: t, secrets: secrets, texts: map[string]string{}}
	run := func(args ...string) result {
		r := c.exec(args...)
		check.add("driftwatch "+strings.Join(args, " "), r.stdout+r.stderr)
		return r
	}
	if r := run("poll", "-v"); r.code != 0 {
		t.Fatalf("poll: exit %d\n%s", r.code, r.stderr)
	}
	doc := run("show", "auth0-prod", "--format", "json").stdout
	for _, kept := range []string{
		`"disable_self_service_change_password":false`, `"authentication_methods":{"email_otp":{"enabled":false}`,
		`"password":{"api_behavior":"required","enabled":true,"signup_behavior":"allow"}`,
		`"change_password":{"enabled":false,"html":"\u003chtml\u003eChange your password\u003c/html\u003e"}`,
		`"encryption_key":{"alg":"RSA-OAEP-256","name":"encryptkey","thumbprint_sha256":"w0kIFOc-q7KKK-pa2Uj5b_Cl3f0hAgFeseLg8iEmWu0"}`,
		`"configuration":{"bar":"[redacted]","foo":"[redacted]"}`, `"decryptionKey":"[redacted]"`, `"storageAccessKey":"[redacted]"`,
		`"customScripts_sha256":{"get_user":"`, `"passwordPolicy":"fair"`,
	} {
		if !strings.Contains(compact(t, doc), kept) {
			t.Errorf("show lacks %s", kept)
		}
	}

	// Auth0 re-encrypts configuration on every update: the same value
	// under a new ciphertext (recorded) is no new snapshot.
	sim.Mutate(func(tn *providertest.Auth0Tenant) {
		conf := tn.Connection(confName)["options"].(map[string]any)["configuration"].(map[string]any)
		conf["foo"] = conf1["options"].(map[string]any)["configuration"].(map[string]any)["foo"]
	})
	run("--log-format", "json", "poll", "-v")
	if n := c.snapshots("auth0-prod"); n != 1 {
		t.Fatalf("a re-encrypted configuration stored %d snapshots, want 1", n)
	}

	// Settings that only mention a secret's name change: each is drift.
	sim.Mutate(func(tn *providertest.Auth0Tenant) {
		for i, cn := range tn.Connections {
			if cn["name"] == confName {
				tn.Connections[i] = conf1 // bar changed, baz added, all re-encrypted
			}
		}
		opts := conf1["options"].(map[string]any)
		opts["authentication_methods"].(map[string]any)["password"].(map[string]any)["enabled"] = false
		tn.Connection(dbName)["options"].(map[string]any)["disable_self_service_change_password"] = true
		tn.Settings["change_password"].(map[string]any)["enabled"] = true
		for _, rs := range tn.ResourceServers {
			if te, ok := rs["token_encryption"].(map[string]any); ok {
				te["encryption_key"].(map[string]any)["name"] = "encryptkey-2026"
			}
		}
	})
	run("--log-format", "json", "poll", "-v")
	if n := c.snapshots("auth0-prod"); n != 2 {
		t.Fatalf("changed settings stored %d snapshots, want 2", n)
	}
	var d struct {
		Changes []struct{ Path, Op string } `json:"changes"`
	}
	json.Unmarshal([]byte(run("diff", "auth0-prod", "--format", "json").stdout), &d)
	got := map[string]string{}
	for _, ch := range d.Changes {
		got[ch.Path] = ch.Op
	}
	conf, dbp := "/connections/"+confName+"/options", "/connections/"+dbName+"/options"
	for path, op := range map[string]string{
		conf + "/authentication_methods/password/enabled": "changed",
		dbp + "/disable_self_service_change_password":     "changed",
		"/tenant/change_password/enabled":                 "changed",
		conf + "/configuration/baz":                       "added",
		"/resource_servers/https:~1~1uat.api.terraform-provider-auth0.com~1TestAccResourceServer/token_encryption/encryption_key/name": "changed",
	} {
		if got[path] != op {
			t.Errorf("diff: %s is %q, want %q (changes: %v)", path, got[path], op, got)
		}
	}
	for _, quiet := range []string{conf + "/configuration/bar", conf + "/configuration/foo"} {
		if _, ok := got[quiet]; ok {
			t.Errorf("diff shows %s: a re-encrypted value churns", quiet)
		}
	}

	for _, args := range [][]string{
		{"show", "auth0-prod"}, {"show", "auth0-prod", "--snapshot", "1", "--format", "json"},
		{"diff", "auth0-prod"}, {"findings", "--state", "all"}, {"findings", "--state", "all", "--format", "json"},
		{"digest"}, {"history", "auth0-prod"}, {"check", "-v"},
	} {
		run(args...)
	}
	check.addStore(c.dir)
	check.assertNone()
}

// compact re-encodes JSON without spaces, keys sorted.
func compact(t *testing.T, s string) string {
	t.Helper()
	var v any
	if err := json.Unmarshal([]byte(s), &v); err != nil {
		t.Fatalf("not JSON: %v", err)
	}
	b, _ := json.Marshal(v)
	return string(b)
}
