package providertest

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// The paths of the optional sections the simulated tenant serves.
const (
	Auth0ClientGrantsPath      = "/api/v2/client-grants"
	Auth0TriggersPath          = "/api/v2/actions/triggers"
	Auth0CustomDomainsPath     = "/api/v2/custom-domains"
	Auth0LogStreamsPath        = "/api/v2/log-streams"
	Auth0BruteForcePath        = "/api/v2/attack-protection/brute-force-protection"
	Auth0BreachedPasswordPath  = "/api/v2/attack-protection/breached-password-detection"
	Auth0SuspiciousIPPath      = "/api/v2/attack-protection/suspicious-ip-throttling"
	Auth0SigningKeysPath       = "/api/v2/keys/signing"
	Auth0OrganizationsPath     = "/api/v2/organizations"
	Auth0PromptsPath           = "/api/v2/prompts"
	Auth0BrandingPath          = "/api/v2/branding"
	Auth0EmailProviderPath     = "/api/v2/emails/provider"
	Auth0GuardianFactorsPath   = "/api/v2/guardian/factors"
	auth0BindingsSuffix        = "/bindings"
	auth0AttackProtectionScope = "read:attack_protection"
)

// Auth0BindingsPath is the bindings path of one trigger.
func Auth0BindingsPath(trigger string) string {
	return Auth0TriggersPath + "/" + url.PathEscape(trigger) + auth0BindingsSuffix
}

// auth0Scopes are the read scopes the tenant grants unless withheld.
var auth0Scopes = []string{"read:tenant_settings", "read:clients", "read:connections", "read:connections_options",
	"read:resource_servers", "read:actions", "read:rules", "read:hooks", "read:client_grants", "read:custom_domains",
	"read:log_streams", auth0AttackProtectionScope, "read:signing_keys", "read:organizations", "read:prompts",
	"read:branding", "read:email_provider", "read:guardian_factors", "read:logs"}

// auth0ScopeOf is the scope an endpoint needs, "" when none is modelled.
func auth0ScopeOf(path string) string {
	switch {
	case strings.HasPrefix(path, Auth0TriggersPath), path == Auth0ActionsPath:
		return "read:actions"
	case strings.HasPrefix(path, "/api/v2/attack-protection/"):
		return auth0AttackProtectionScope
	}
	return map[string]string{
		Auth0SettingsPath:        "read:tenant_settings",
		Auth0ClientsPath:         "read:clients",
		Auth0ConnectionsPath:     "read:connections",
		Auth0ResourceServersPath: "read:resource_servers",
		Auth0RulesPath:           "read:rules",
		Auth0HooksPath:           "read:hooks",
		Auth0ClientGrantsPath:    "read:client_grants",
		Auth0CustomDomainsPath:   "read:custom_domains",
		Auth0LogStreamsPath:      "read:log_streams",
		Auth0SigningKeysPath:     "read:signing_keys",
		Auth0OrganizationsPath:   "read:organizations",
		Auth0PromptsPath:         "read:prompts",
		Auth0BrandingPath:        "read:branding",
		Auth0EmailProviderPath:   "read:email_provider",
		Auth0GuardianFactorsPath: "read:guardian_factors",
		Auth0LogsPath:            "read:logs",
	}[path]
}

// serveSection answers the optional sections' endpoints, 404 for the rest.
func (a *Auth0) serveSection(w http.ResponseWriter, r *http.Request) {
	t, path := a.tenant, r.URL.Path
	object := func(m map[string]any) {
		if m == nil {
			auth0APIError(w, http.StatusNotFound, "Not Found", "inexistent_resource")
			return
		}
		auth0WriteJSON(w, http.StatusOK, m)
	}
	list := func(items []map[string]any) {
		if items == nil {
			items = []map[string]any{}
		}
		auth0WriteJSON(w, http.StatusOK, items)
	}
	switch path {
	case Auth0ClientGrantsPath:
		a.offsetPage(w, r, "client_grants", t.ClientGrants)
	case Auth0TriggersPath:
		auth0WriteJSON(w, http.StatusOK, map[string]any{"triggers": t.Triggers})
	case Auth0CustomDomainsPath:
		// Listed whole; checkpoint paging when asked for (take/from).
		if q := r.URL.Query(); q.Has("take") || q.Has("from") {
			a.checkpointPage(w, r, "custom_domains", t.CustomDomains)
			return
		}
		list(t.CustomDomains)
	case Auth0LogStreamsPath:
		list(t.LogStreams)
	case Auth0BruteForcePath:
		object(t.AttackProtection["brute-force-protection"])
	case Auth0BreachedPasswordPath:
		object(t.AttackProtection["breached-password-detection"])
	case Auth0SuspiciousIPPath:
		object(t.AttackProtection["suspicious-ip-throttling"])
	case Auth0SigningKeysPath:
		list(t.SigningKeys)
	case Auth0OrganizationsPath:
		a.checkpointPage(w, r, "organizations", t.Organizations)
	case Auth0PromptsPath:
		object(t.Prompts)
	case Auth0BrandingPath:
		object(t.Branding)
	case Auth0EmailProviderPath:
		object(t.EmailProvider)
	case Auth0GuardianFactorsPath:
		list(t.GuardianFactors)
	default:
		trigger, ok := strings.CutPrefix(path, Auth0TriggersPath+"/")
		trigger, ok2 := strings.CutSuffix(trigger, auth0BindingsSuffix)
		if ok && ok2 && a.hasTrigger(trigger) {
			a.offsetPage(w, r, "bindings", t.Bindings[trigger])
			return
		}
		auth0APIError(w, http.StatusNotFound, "Not Found", "inexistent_resource")
	}
}

func (a *Auth0) hasTrigger(id string) bool {
	for _, t := range a.tenant.Triggers {
		if t["id"] == id {
			return true
		}
	}
	return false
}

// checkpointPage serves take/from paging: a page of take items (at most
// 100), with next while more remain.
func (a *Auth0) checkpointPage(w http.ResponseWriter, r *http.Request, key string, items []map[string]any) {
	q := r.URL.Query()
	take := 50
	if v := q.Get("take"); v != "" {
		var err error
		if take, err = strconv.Atoi(v); err != nil || take < 1 || take > 100 {
			auth0APIError(w, http.StatusBadRequest, "Query validation error: 'take' must be between 1 and 100", "invalid_query_string")
			return
		}
	}
	off, ok := auth0DecodeCheckpoint(q.Get("from"))
	if !ok || off > len(items) {
		auth0APIError(w, http.StatusBadRequest, "Invalid 'from' checkpoint", "invalid_query_string")
		return
	}
	end := min(off+take, len(items))
	page := items[off:end]
	if page == nil {
		page = []map[string]any{}
	}
	env := map[string]any{key: page}
	if end < len(items) {
		env["next"] = auth0EncodeCheckpoint(end)
	}
	auth0WriteJSON(w, http.StatusOK, env)
}

// addSections fills the optional sections from the recorded corpus, in a
// healthy state: every log stream active, only the custom domains Auth0
// recorded ready (their certificates renewing in the future), brute-force
// protection on (Auth0's default), an email provider. Tests break them
// with Mutate; Auth0CorpusCustomDomains gives the recorded failing ones.
func (t *Auth0Tenant) addSections() {
	acme := t.Clients[0]
	// Client grants: Acme Web's back end calls the recorded APIs with
	// some of their scopes; the recorded user-access grant is Acme Web's.
	for i, rs := range t.ResourceServers {
		var scopes []any
		for _, s := range auth0AnyList(rs["scopes"]) {
			if m, ok := s.(map[string]any); ok && len(scopes) < 3 {
				scopes = append(scopes, m["value"])
			}
		}
		if scopes == nil {
			continue
		}
		t.ClientGrants = append(t.ClientGrants, map[string]any{
			"id": "cgr_" + auth0SimulatedID("grant-" + strconv.Itoa(i))[:16], "client_id": acme["client_id"],
			"audience": rs["identifier"], "scope": scopes, "subject_type": "client"})
	}
	user := auth0DecodeObject(MustRead("auth0/client_grant_user.terraform.json"))
	user["client_id"] = acme["client_id"]
	t.ClientGrants = append(t.ClientGrants, user)

	// Triggers as recorded, plus the newer ones the recorded actions
	// support; every deployed action is bound to its triggers.
	env := auth0DecodeObject(MustRead("auth0/actions_triggers.go-auth0.json"))
	for _, tr := range env["triggers"].([]any) {
		t.Triggers = append(t.Triggers, tr.(map[string]any))
	}
	t.Bindings = map[string][]map[string]any{}
	for _, act := range t.Actions {
		dv, _ := act["deployed_version"].(map[string]any)
		for _, st := range auth0AnyList(act["supported_triggers"]) {
			id, _ := st.(map[string]any)["id"].(string)
			if !t.triggerListed(id) {
				t.Triggers = append(t.Triggers, map[string]any{"id": id, "version": "v1", "status": "CURRENT",
					"runtimes": []any{"node18-actions", "node22"}, "default_runtime": "node22", "compatible_triggers": []any{}})
			}
			if dv == nil || dv["deployed"] != true {
				continue
			}
			t.Bind(id, act)
		}
	}

	// Custom domains: the ones recorded ready.
	for _, d := range Auth0CorpusCustomDomains() {
		if d["status"] == "ready" {
			t.CustomDomains = append(t.CustomDomains, d)
		}
	}

	// Log streams: the recorded HTTP stream, and Datadog, Splunk, Segment
	// and Sumo Logic ones (shapes of go-auth0's LogStreamSink* types, whose
	// credentials must all be redacted), all active.
	hs := auth0DecodeObject(MustRead("auth0/log_stream_http.terraform.json"))
	sink := hs["sink"].(map[string]any)
	sink["httpAuthorization"] = Auth0SecretMarker + "-log-stream-http"
	sink["httpCustomHeaders"] = []any{map[string]any{"header": "X-Api-Key", "value": Auth0SecretMarker + "-header"}}
	hs["filters"] = []any{map[string]any{"type": "category", "name": "auth.login.fail"}, map[string]any{"type": "category", "name": "auth.signup.fail"}}
	t.LogStreams = []map[string]any{hs, {
		"id": "lst_0000000000010032", "name": "Datadog audit trail", "type": "datadog", "status": "active",
		"sink": map[string]any{"datadogApiKey": Auth0SecretMarker + "-datadog", "datadogRegion": "eu"}}, {
		"id": "lst_0000000000010033", "name": "Splunk", "type": "splunk", "status": "active",
		"sink": map[string]any{"splunkDomain": "acme.splunkcloud.com", "splunkPort": "8088", "splunkSecure": true,
			"splunkToken": Auth0SecretMarker + "-splunk"}}, {
		"id": "lst_0000000000010034", "name": "Segment", "type": "segment", "status": "active",
		"sink": map[string]any{"segmentWriteKey": Auth0SecretMarker + "-segment"}}, {
		"id": "lst_0000000000010035", "name": "Sumo Logic", "type": "sumo", "status": "active",
		"sink": map[string]any{"sumoSourceAddress": "https://endpoint1.collection.eu.sumologic.com/receiver/v1/http/" + Auth0SecretMarker + "-sumo"}}}

	t.AttackProtection = map[string]map[string]any{
		"brute-force-protection":      auth0DecodeObject(MustRead("auth0/attack_protection_brute_force.terraform.json")),
		"breached-password-detection": auth0DecodeObject(MustRead("auth0/attack_protection_breached_password.terraform.json")),
		"suspicious-ip-throttling":    auth0DecodeObject(MustRead("auth0/attack_protection_suspicious_ip.terraform.json")),
	}
	t.AttackProtection["brute-force-protection"]["enabled"] = true

	for _, k := range auth0DecodeList(MustRead("auth0/signing_keys.terraform.json")) {
		k["cert"] = "-----BEGIN CERTIFICATE-----" + Auth0SecretMarker + "-cert-----END CERTIFICATE-----"
		k["pkcs7"] = "-----BEGIN PKCS7-----" + Auth0SecretMarker + "-pkcs7-----END PKCS7-----"
		t.SigningKeys = append(t.SigningKeys, k)
	}

	t.Organizations = append(auth0ListOf("auth0/organizations_checkpoint_page1.go-auth0.json", "organizations"),
		auth0ListOf("auth0/organizations_checkpoint_page2.go-auth0.json", "organizations")...)
	t.Prompts = auth0DecodeObject(MustRead("auth0/prompts.go-auth0.json"))
	t.Branding = auth0DecodeObject(MustRead("auth0/branding.go-auth0.json"))
	// No recording of GET /emails/provider was found: the shape of
	// go-auth0's EmailProvider, with simulated values.
	t.EmailProvider = map[string]any{"name": "sendgrid", "enabled": true, "default_from_address": "no-reply@acme.com",
		"credentials": map[string]any{"api_key": Auth0SecretMarker + "-sendgrid"}, "settings": map[string]any{}}
	t.GuardianFactors = auth0DecodeList(MustRead("auth0/guardian_factors.node-auth0.json"))
}

func (t *Auth0Tenant) triggerListed(id string) bool {
	for _, tr := range t.Triggers {
		if tr["id"] == id {
			return true
		}
	}
	return false
}

// Bind appends a binding of action to trigger, shaped as the recorded
// bindings are (the action's summary, without code).
func (t *Auth0Tenant) Bind(trigger string, action map[string]any) {
	summary := map[string]any{}
	for _, k := range []string{"id", "name", "supported_triggers", "created_at", "updated_at", "runtime", "all_changes_deployed"} {
		if v, ok := action[k]; ok {
			summary[k] = v
		}
	}
	n := len(t.Bindings[trigger])
	t.Bindings[trigger] = append(t.Bindings[trigger], map[string]any{
		"id":           auth0SimulatedID("binding-" + trigger + "-" + strconv.Itoa(n) + "-" + auth0Str(action["id"]))[:24],
		"trigger_id":   trigger,
		"action":       summary,
		"created_at":   "2023-09-02T14:43:41.163990090Z",
		"updated_at":   "2023-09-02T14:43:41.163990090Z",
		"display_name": action["name"],
	})
}

// Unbind removes the bindings of the named action from trigger; it
// reports whether there was one.
func (t *Auth0Tenant) Unbind(trigger, actionName string) bool {
	list := t.Bindings[trigger]
	for i, b := range list {
		if a, _ := b["action"].(map[string]any); a["name"] == actionName {
			t.Bindings[trigger] = append(list[:i:i], list[i+1:]...)
			return true
		}
	}
	return false
}

// Auth0CorpusCustomDomains returns every recorded custom domain (ready,
// pending verification and failed), with a ready certificate's
// renews_before moved forward by whole years until it is at least 60 days
// ahead, so the healthy tenant stays healthy whenever the tests run.
func Auth0CorpusCustomDomains() []map[string]any {
	out := auth0DecodeList(MustRead("auth0/custom_domains_list.go-auth0.json"))
	horizon := time.Now().Add(60 * 24 * time.Hour)
	for _, d := range out {
		cert, _ := d["certificate"].(map[string]any)
		rb, _ := cert["renews_before"].(string)
		at, err := time.Parse(time.RFC3339, rb)
		if err != nil {
			continue
		}
		for at.Before(horizon) {
			at = at.AddDate(1, 0, 0)
		}
		cert["renews_before"] = at.UTC().Format(time.RFC3339)
	}
	return out
}

func auth0Str(v any) string { s, _ := v.(string); return s }

// auth0DecodeList decodes a recorded bare JSON array of objects.
func auth0DecodeList(b []byte) []map[string]any {
	env := auth0DecodeObject(append(append([]byte(`{"l":`), b...), '}'))
	var out []map[string]any
	for _, it := range env["l"].([]any) {
		out = append(out, it.(map[string]any))
	}
	return out
}
