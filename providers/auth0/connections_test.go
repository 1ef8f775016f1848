package auth0_test

import (
	"context"
	"fmt"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/driftwatch/driftwatch/diff"
	"github.com/driftwatch/driftwatch/providers/auth0"
	"github.com/driftwatch/driftwatch/providers/providertest"
	"github.com/driftwatch/driftwatch/watcher"
)

func TestConnectionsCheckpointPaging(t *testing.T) {
	sim := newSim(t, providertest.Auth0Options{Connections: 250})
	res := fetch(t, newProvider(t, sim, nil), watcher.FetchState{})
	qs := sim.Queries(providertest.Auth0ConnectionsPath)
	if len(qs) != 3 {
		t.Fatalf("connections requests = %v, want 3 (100 + 100 + 50)", qs)
	}
	froms := map[string]bool{}
	for i, q := range qs {
		v, _ := url.ParseQuery(q)
		if v.Get("take") != "100" || v.Has("page") {
			t.Errorf("request %d: %q, want take=100 and no page", i, q)
		}
		if (i == 0) == v.Has("from") {
			t.Errorf("request %d: %q: from must be absent on the first page only", i, q)
		}
		froms[v.Get("from")] = true
	}
	if len(froms) != 3 {
		t.Errorf("checkpoints repeat: %v", qs)
	}
	if n := len(res.Doc.(map[string]any)["connections"].(map[string]any)); n != 250 {
		t.Errorf("connections = %d, want 250", n)
	}
}

func TestPagingGuards(t *testing.T) {
	t.Run("page ignored", func(t *testing.T) {
		sim := newSim(t, providertest.Auth0Options{Clients: 130})
		// Page 1 answers page 0's first client again, as a server that
		// ignores the page parameter would.
		sim.FailNext(providertest.Auth0ClientsPath, 1, 200,
			`{"start":0,"limit":100,"length":0,"total":130,"clients":[{"name":"Acme Web","client_id":"AcMeWeB5pLq0n7ZcV2xR8tY4uI6oP1aS"}]}`)
		_, err := newProvider(t, sim, nil).Fetch(context.Background(), watcher.FetchState{})
		if err == nil || !strings.Contains(err.Error(), "ignores paging") {
			t.Fatalf("err = %v, want the repeat detected", err)
		}
	})
	t.Run("checkpoint repeats", func(t *testing.T) {
		sim := newSim(t, providertest.Auth0Options{})
		for range 2 {
			sim.FailNext(providertest.Auth0ConnectionsPath, -1, 200, `{"connections":[{"id":"con_1","name":"a"}],"next":"loop"}`)
		}
		_, err := newProvider(t, sim, nil).Fetch(context.Background(), watcher.FetchState{})
		if err == nil || !strings.Contains(err.Error(), "checkpoint repeats") {
			t.Fatalf("err = %v, want the loop detected", err)
		}
	})
	t.Run("never ends", func(t *testing.T) {
		sim := newSim(t, providertest.Auth0Options{})
		for i := range 6 {
			sim.FailNext(providertest.Auth0ConnectionsPath, -1, 200,
				fmt.Sprintf(`{"connections":[{"id":"con_%d","name":"c%d"}],"next":"n%d"}`, i, i, i))
		}
		p := newProvider(t, sim, nil)
		p.MaxPages = 5
		_, err := p.Fetch(context.Background(), watcher.FetchState{})
		if err == nil || !strings.Contains(err.Error(), "after 5 pages") {
			t.Fatalf("err = %v, want the page bound hit", err)
		}
	})
}

func TestHiddenConnectionOptionsAreCarried(t *testing.T) {
	sim := newSim(t, providertest.Auth0Options{})
	p := newProvider(t, sim, nil)
	b1, doc1 := stored(t, fetch(t, p, lastIs(nil)).Doc)

	sim.Mutate(func(tn *providertest.Auth0Tenant) { tn.OmitConnectionOptions = true })
	logger, logs := debugLogger()
	p = newProvider(t, sim, logger)
	b2, doc2 := stored(t, fetch(t, p, lastIs(doc1)).Doc)

	changes, err := diff.Diff(b1, b2, diff.Options{Sets: auth0.Sets})
	if err != nil {
		t.Fatal(err)
	}
	if len(changes) != 1 || changes[0].Path != "/missing_scopes" || changes[0].Op != diff.Added {
		t.Fatalf("changes = %+v, want only /missing_scopes added", changes)
	}
	if n := strings.Count(logs.String(), "lacks read:connections_options"); n != 1 {
		t.Errorf("%d log lines about the hidden options, want 1", n)
	}

	fs := judge(t, auth0.RuleOptions{}, doc1, doc2, nil, time.Now(), configurationRules()...)
	if len(fs) != 1 || fs[0].Rule != auth0.RuleScopeMissing || fs[0].Subject != "read:connections_options" {
		t.Fatalf("findings = %+v, want one auth0.scope_missing", fs)
	}
	if f := fs[0]; f.Severity != watcher.Warning || f.Category != watcher.Configuration ||
		!strings.Contains(f.Title, "read:connections_options") || !strings.Contains(f.Detail, "31 connections") {
		t.Errorf("finding = %+v", f)
	}

	// Without a previous document nothing can be carried, but the
	// permission is still reported.
	_, doc3 := stored(t, fetch(t, p, lastIs(nil)).Doc)
	if _, ok := diff.Get(doc3, "/connections/Username-Password-Authentication/options"); ok {
		t.Error("options invented without a previous document")
	}
	if got := show(doc3, "/missing_scopes"); got != `["read:connections_options"]` {
		t.Errorf("missing_scopes = %s", got)
	}
}

// configurationRules are the rule names about the tenant's own settings.
func configurationRules() []string {
	return []string{
		auth0.RuleURLRemoved, auth0.RuleGrantRemoved, auth0.RuleAuthMethodChanged, auth0.RuleSigningAlgChanged,
		auth0.RuleClientSettingChanged, auth0.RuleClientRemoved, auth0.RuleClientRecreated, auth0.RuleConnectionRemoved,
		auth0.RuleConnectionClientRemoved, auth0.RuleResourceServerRemoved, auth0.RuleScopeRemoved,
		auth0.RuleSessionLifetimeShortened, auth0.RuleTenantFlagChanged, auth0.RuleScopeMissing,
	}
}

func TestSecretsNeverLeak(t *testing.T) {
	sim := newSim(t, providertest.Auth0Options{Clients: 130})
	logger, logs := debugLogger()
	p := newProvider(t, sim, logger)

	var docs [][]byte
	var errs []string
	b, _ := stored(t, fetch(t, p, watcher.FetchState{}).Doc)
	docs = append(docs, b)

	sim.RateLimitNext(providertest.Auth0ClientsPath, "0")
	sim.Mutate(func(tn *providertest.Auth0Tenant) { tn.OmitConnectionOptions = true })
	b, _ = stored(t, fetch(t, p, lastIs(nil)).Doc)
	docs = append(docs, b)

	sim.FailNext(providertest.Auth0ClientsPath, 1, 500, `{"message":"boom"}`)
	sim.Mutate(func(tn *providertest.Auth0Tenant) { tn.Status[providertest.Auth0RulesPath] = 403 })
	for _, f := range []func() error{
		func() error { _, err := p.Fetch(context.Background(), watcher.FetchState{}); return err },
		func() error {
			bad, _ := auth0.New(auth0.Config{Domain: sim.Domain(), BaseURL: sim.URL(), ClientID: sim.ClientID(),
				ClientSecret: sim.ClientSecret() + "-rotated"}, nil, logger)
			_, err := bad.Fetch(context.Background(), watcher.FetchState{})
			return err
		},
	} {
		err := f()
		if err == nil {
			t.Fatal("want an error")
		}
		errs = append(errs, err.Error())
	}

	if !strings.Contains(string(docs[0]), `"client_secret":"[redacted]"`) {
		t.Fatal("no redaction marker in the document: the check below would prove nothing")
	}
	for _, secret := range []string{providertest.Auth0SecretMarker, sim.ClientSecret()} {
		for i, d := range docs {
			if strings.Contains(string(d), secret) {
				t.Errorf("document %d contains a secret", i)
			}
		}
		for _, e := range errs {
			if strings.Contains(e, secret) {
				t.Errorf("error contains a secret: %s", e)
			}
		}
		if strings.Contains(logs.String(), secret) {
			t.Errorf("logs contain a secret:\n%s", logs)
		}
	}
	if logs.String() == "" {
		t.Error("nothing was logged: the log check proves nothing")
	}
}
