package providertest

import (
	"bytes"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"slices"
)

// Auth0SecretMarker starts every secret the simulated tenant hands out
// (client secrets, connection and API signing secrets), so a test can grep
// that none of them ever reaches a document, an error or a log line.
const Auth0SecretMarker = "SIMULATED-SECRET-7f3c9a1e"

// Auth0Tenant is the simulated tenant's data, as the Management API returns
// it. Change it between polls with Auth0.Mutate. Items are decoded JSON
// (numbers as json.Number), so they serialise exactly as recorded.
type Auth0Tenant struct {
	Settings        map[string]any
	Clients         []map[string]any
	Connections     []map[string]any
	ResourceServers []map[string]any
	Actions         []map[string]any
	Rules           []map[string]any
	Hooks           []map[string]any
	// The optional sections (auth0_sections.go): client grants, triggers
	// and their bindings (by trigger id), custom domains, log streams,
	// attack protection (by endpoint name), signing keys, organizations,
	// prompts, branding, the email provider (nil: none, 404) and Guardian
	// factors.
	ClientGrants     []map[string]any
	Triggers         []map[string]any
	Bindings         map[string][]map[string]any
	CustomDomains    []map[string]any
	LogStreams       []map[string]any
	AttackProtection map[string]map[string]any
	SigningKeys      []map[string]any
	Organizations    []map[string]any
	Prompts          map[string]any
	Branding         map[string]any
	EmailProvider    map[string]any
	GuardianFactors  []map[string]any
	// Withheld are scopes the Management API application is not granted:
	// the endpoints needing one answer 403 insufficient_scope, as Auth0
	// does, and the token's scope leaves them out.
	Withheld map[string]bool
	// Logs are the tenant's log events, oldest first (see AddLog).
	Logs []map[string]any
	// OmitConnectionOptions serves connections without their options, as
	// Auth0 does for a token lacking read:connections_options.
	OmitConnectionOptions bool
	// Status forces an HTTP status on every request to an endpoint path
	// (e.g. 403 on /api/v2/rules), until it is deleted.
	Status map[string]int
}

// auth0AcmeWeb is the demo application the contract's examples name: a web app
// whose login redirect the deployed app relies on.
const auth0AcmeWeb = `{
  "name": "Acme Web",
  "client_id": "AcMeWeB5pLq0n7ZcV2xR8tY4uI6oP1aS",
  "description": "Acme storefront (simulated)",
  "app_type": "regular_web",
  "is_first_party": true,
  "oidc_conformant": true,
  "callbacks": ["https://app.acme.com/callback", "https://staging.acme.com/callback"],
  "allowed_logout_urls": ["https://app.acme.com/", "https://staging.acme.com/"],
  "web_origins": ["https://app.acme.com"],
  "allowed_origins": ["https://app.acme.com"],
  "grant_types": ["authorization_code", "refresh_token"],
  "token_endpoint_auth_method": "client_secret_post",
  "jwt_configuration": {"alg": "RS256", "lifetime_in_seconds": 36000, "secret_encoded": false},
  "cross_origin_authentication": false,
  "signing_keys": [{"cert": "-----BEGIN CERTIFICATE-----simulated-----END CERTIFICATE-----"}],
  "refresh_token": {"rotation_type": "rotating", "expiration_type": "expiring", "leeway": 0,
    "token_lifetime": 2592000, "infinite_token_lifetime": false,
    "idle_token_lifetime": 1296000, "infinite_idle_token_lifetime": false},
  "sso_disabled": false,
  "custom_login_page_on": true
}`

// newAuth0Tenant builds the tenant from the recorded corpus: the full
// tenant settings, both recorded client pages (which hold real duplicate
// names) plus the "Acme Web" demo client, the recorded connections page,
// resource servers, actions, a rule and a hook. clients > 0 resizes the
// client list (generated clients are copies of the recorded ones);
// connections > 0 likewise pads the connections.
func newAuth0Tenant(clients, connections int) *Auth0Tenant {
	t := &Auth0Tenant{Status: map[string]int{}, Withheld: map[string]bool{}}
	t.Settings = auth0DecodeObject(MustRead("auth0/tenant_settings_full.terraform.json"))

	recorded := []map[string]any{auth0DecodeObject([]byte(auth0AcmeWeb))}
	recorded = append(recorded, auth0ListOf("auth0/clients_list_page.terraform.json", "clients")...)
	recorded = append(recorded, auth0ListOf("auth0/clients_list_page_small.terraform.json", "clients")...)

	t.Connections = auth0ListOf("auth0/connections_list_checkpoint.terraform.json", "connections")
	t.Clients = auth0ResizeClients(recorded, clients)
	for i, c := range t.Clients {
		c["client_secret"] = fmt.Sprintf("%s-client-%04d", Auth0SecretMarker, i)
	}
	acmeID := t.Clients[0]["client_id"]
	for _, c := range t.Connections {
		if n := c["name"]; n == "Username-Password-Authentication" || n == "google-oauth2" {
			c["enabled_clients"] = append(c["enabled_clients"].([]any), acmeID)
		}
	}
	// Generated clients log in with the database connection, as most do.
	if db := t.Connection("Username-Password-Authentication"); db != nil {
		for _, c := range t.Clients[min(len(recorded), len(t.Clients)):] {
			db["enabled_clients"] = append(db["enabled_clients"].([]any), c["client_id"])
		}
	}
	t.Connections = auth0ResizeList(t.Connections, connections, "con_")
	// Secrets the upstream recorders replaced get recognisable values.
	if g := t.Connection("google-oauth2"); g != nil {
		g["options"].(map[string]any)["client_secret"] = Auth0SecretMarker + "-google"
	}
	if s := t.Connection("sms"); s != nil {
		s["options"].(map[string]any)["twilio_token"] = Auth0SecretMarker + "-twilio"
	}

	t.ResourceServers = auth0ListOf("auth0/resource_servers_list.go-auth0.json", "resource_servers")
	t.ResourceServers = append(t.ResourceServers, auth0DecodeObject(MustRead("auth0/resource_server.terraform.json")))
	for _, rs := range t.ResourceServers {
		if _, ok := rs["signing_secret"]; ok {
			rs["signing_secret"] = Auth0SecretMarker + "-api"
		}
	}

	t.Actions = auth0ListOf("auth0/actions_list.go-auth0.json", "actions")
	t.Actions = append(t.Actions, auth0ListOf("auth0/actions_list_node16.go-auth0.json", "actions")...)
	t.Actions = append(t.Actions, auth0DecodeObject(MustRead("auth0/action_runtime_2_node22_failed.terraform.json")))
	t.Rules = []map[string]any{auth0DecodeObject(MustRead("auth0/rule.go-auth0.json"))}
	t.Hooks = []map[string]any{auth0DecodeObject(MustRead("auth0/hook.go-auth0.json"))}
	t.addSections()
	return t
}

// auth0ResizeClients returns n clients (all recorded ones when n <= 0): the
// recorded ones first, then copies named "<name> #k" with their own
// client_id and an app URL of their own.
func auth0ResizeClients(recorded []map[string]any, n int) []map[string]any {
	if n <= 0 {
		n = len(recorded)
	}
	out := make([]map[string]any, 0, n)
	for i := 0; i < n; i++ {
		base := recorded[i%len(recorded)]
		if i < len(recorded) {
			out = append(out, base)
			continue
		}
		c := auth0DeepCopy(base)
		round := i/len(recorded) + 1
		c["name"] = fmt.Sprintf("%v #%d", base["name"], round)
		c["client_id"] = auth0SimulatedID(fmt.Sprint("client-", i))
		app := fmt.Sprintf("https://app%d.example.com", i)
		c["callbacks"] = append(auth0AnyList(c["callbacks"]), app+"/callback")
		c["web_origins"] = append(auth0AnyList(c["web_origins"]), app)
		out = append(out, c)
	}
	return out
}

// auth0ResizeList pads items to n with copies carrying fresh ids and names.
func auth0ResizeList(items []map[string]any, n int, idPrefix string) []map[string]any {
	recorded := len(items)
	for i := recorded; i < n; i++ {
		c := auth0DeepCopy(items[i%recorded])
		c["id"] = idPrefix + auth0SimulatedID(fmt.Sprint(idPrefix, i))[:16]
		c["name"] = fmt.Sprintf("%v-%d", c["name"], i/recorded+1)
		if _, ok := c["realms"]; ok {
			c["realms"] = []any{c["name"]}
		}
		items = append(items, c)
	}
	return items
}

const auth0Base62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"

// auth0SimulatedID is a stable 32-character id that looks like Auth0's.
func auth0SimulatedID(seed string) string {
	sum := sha256.Sum256([]byte(seed))
	b := make([]byte, 32)
	for i := range b {
		b[i] = auth0Base62[int(sum[i])%len(auth0Base62)]
	}
	return string(b)
}

func auth0DecodeObject(b []byte) map[string]any {
	d := json.NewDecoder(bytes.NewReader(b))
	d.UseNumber()
	var m map[string]any
	if err := d.Decode(&m); err != nil {
		panic(fmt.Sprintf("providertest: corpus: %v", err))
	}
	return m
}

// auth0ListOf returns the items of a recorded list envelope.
func auth0ListOf(file, key string) []map[string]any {
	env := auth0DecodeObject(MustRead(file))
	var out []map[string]any
	for _, it := range env[key].([]any) {
		out = append(out, it.(map[string]any))
	}
	return out
}

func auth0DeepCopy(m map[string]any) map[string]any {
	b, err := json.Marshal(m)
	if err != nil {
		panic(err)
	}
	return auth0DecodeObject(b)
}

func auth0AnyList(v any) []any {
	l, _ := v.([]any)
	return slices.Clone(l)
}

func auth0FindByKey(items []map[string]any, key, value string) map[string]any {
	for _, it := range items {
		if s, _ := it[key].(string); s == value {
			return it
		}
	}
	return nil
}

// Client returns the first client with this name, or nil.
func (t *Auth0Tenant) Client(name string) map[string]any {
	return auth0FindByKey(t.Clients, "name", name)
}

// Connection returns the connection with this name, or nil.
func (t *Auth0Tenant) Connection(name string) map[string]any {
	return auth0FindByKey(t.Connections, "name", name)
}

// ResourceServer returns the API with this identifier, or nil.
func (t *Auth0Tenant) ResourceServer(identifier string) map[string]any {
	return auth0FindByKey(t.ResourceServers, "identifier", identifier)
}

// Action returns the action with this name, or nil.
func (t *Auth0Tenant) Action(name string) map[string]any {
	return auth0FindByKey(t.Actions, "name", name)
}

// RemoveClient deletes the first client with this name; it reports whether
// there was one. Connections keep its id, as Auth0 briefly does.
func (t *Auth0Tenant) RemoveClient(name string) bool {
	for i, c := range t.Clients {
		if c["name"] == name {
			t.Clients = slices.Delete(t.Clients, i, i+1)
			return true
		}
	}
	return false
}

// RemoveString deletes value from the string list obj[key] (a client's
// callbacks, grant_types, ...); it reports whether it was there.
func (t *Auth0Tenant) RemoveString(obj map[string]any, key, value string) bool {
	l, _ := obj[key].([]any)
	for i, v := range l {
		if v == value {
			obj[key] = slices.Delete(slices.Clone(l), i, i+1)
			return true
		}
	}
	return false
}

// AddString appends value to the string list obj[key].
func (t *Auth0Tenant) AddString(obj map[string]any, key, value string) {
	obj[key] = append(auth0AnyList(obj[key]), value)
}

// Auth0Recorded decodes one recorded item of the corpus (a connection, a
// client), for a test to add to a tenant with Mutate.
func Auth0Recorded(name string) map[string]any {
	return auth0DecodeObject(MustRead(name))
}
