package auth0

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"slices"

	"github.com/driftwatch/driftwatch/diff"
)

// Sets are the arrays of the auth0 document whose order carries no
// meaning; diff.Canonical sorts them and diff.Diff compares them member by
// member, so a removed callback reads as one removed member.
var Sets = diff.MustPatterns(
	"/tenant/allowed_logout_urls",
	"/tenant/sandbox_versions_available",
	"/tenant/acr_values_supported",
	"/clients/*/callbacks",
	"/clients/*/allowed_logout_urls",
	"/clients/*/web_origins",
	"/clients/*/allowed_origins",
	"/clients/*/grant_types",
	"/clients/*/client_aliases",
	"/clients/*/allowed_clients",
	"/connections/*/enabled_clients",
	"/connections/*/realms",
	"/resource_servers/*/authorization_details",
	"/actions/*/supported_triggers",
	"/actions/*/dependencies",
	"/actions/*/secrets",
	"/actions/*/deployed_version/dependencies",
	"/missing_scopes",
	"/client_grants/*/scope",
	"/client_grants/*/authorization_details_types",
	"/log_streams/*/filters",
	"/attack_protection/*/shields",
	"/attack_protection/*/allowlist",
	"/attack_protection/*/admin_notification_frequency",
	"/custom_domains/*/verification/methods",
)

// ScopeConnectionOptions is the scope without which Auth0 returns
// connections without their options.
const ScopeConnectionOptions = "read:connections_options"

// rawTenant is what the endpoints returned, decoded and redacted. A nil
// optional list means the endpoint was unavailable.
type rawTenant struct {
	settings                              map[string]any
	clients, connections, resourceServers []any
	actions, rules, hooks                 []any
	// sections holds what each optional section read (by document key);
	// missing, the scopes of the sections a 403 left out.
	sections map[string]any
	missing  []string
}

// buildDocument shapes a tenant into the snapshot document of the
// contract, as the package documentation describes. It does not modify
// raw. last is the previous document (or nil): connections that came
// without options keep their options from it. It returns how many
// connections had their options carried.
func buildDocument(raw *rawTenant, last any) (map[string]any, int) {
	clients, keyOf := keyed(raw.clients, "name", "client_id", previousKeys(last, "clients", "client_id"), nil)
	doc := map[string]any{
		"tenant":  raw.settings,
		"clients": clients,
	}
	conns, carried, hidden := buildConnections(raw.connections, keyOf, last)
	doc["connections"] = conns
	missing := slices.Clone(raw.missing)
	if hidden {
		missing = append([]string{ScopeConnectionOptions}, missing...)
	}
	if len(missing) > 0 {
		slices.Sort(missing)
		list := []any{}
		for _, s := range slices.Compact(missing) {
			list = append(list, s)
		}
		doc["missing_scopes"] = list
	}
	doc["resource_servers"], _ = keyed(raw.resourceServers, "identifier", "id", previousKeys(last, "resource_servers", "id"), shapeResourceServer)
	var actionKey map[string]string
	if raw.actions != nil {
		doc["actions"], actionKey = keyed(raw.actions, "name", "id", previousKeys(last, "actions", "id"), shapeAction)
	}
	ctx := &shapeContext{last: last, clientKey: keyOf, actionKey: actionKey}
	for _, sec := range sections {
		if v, ok := raw.sections[sec.key]; ok {
			doc[sec.key] = sec.shape(v, ctx)
		}
	}
	if raw.rules != nil {
		doc["rules"], _ = keyed(raw.rules, "name", "id", previousKeys(last, "rules", "id"), shapeScript)
	}
	if raw.hooks != nil {
		doc["hooks"], _ = keyed(raw.hooks, "name", "id", previousKeys(last, "hooks", "id"), shapeScript)
	}
	return doc, carried
}

// keyed turns a list into an object keyed by each item's name, an unnamed
// item by its id. Keys stay stable from one document to the next: an item
// keeps the key it had in prev (id → key of the previous document) while
// that key still fits its name; a newcomer takes its name when no other
// item has it, else "name (id)" — so a second client taking an existing
// client's name leaves the existing one's key alone. It also returns each
// id's key. shape, when set, transforms each item.
func keyed(items []any, nameKey, idKey string, prev map[string]string, shape func(map[string]any) map[string]any) (map[string]any, map[string]string) {
	return keyedBy(items, func(m map[string]any) string { s, _ := m[nameKey].(string); return s }, idKey, prev, shape)
}

// keyedBy is keyed with each item's name given by nameOf, for items whose
// readable key is made of several fields (a client grant's client and
// audience).
func keyedBy(items []any, nameOf func(map[string]any) string, idKey string, prev map[string]string, shape func(map[string]any) map[string]any) (map[string]any, map[string]string) {
	type entry struct {
		m        map[string]any
		name, id string
	}
	entries := make([]entry, len(items))
	for i, it := range items {
		m := it.(map[string]any)
		name := nameOf(m)
		id, _ := m[idKey].(string)
		entries[i] = entry{m, name, id}
	}
	keys := make([]string, len(items))
	taken := make(map[string]bool, len(items))
	// Items that were there before keep their key.
	for i, e := range entries {
		k, ok := prev[e.id]
		if e.id == "" || !ok || taken[k] {
			continue
		}
		if k == e.name || k == dupKey(e.name, e.id) || (e.name == "" && k == e.id) {
			keys[i] = k
			taken[k] = true
		}
	}
	// Newcomers take their name when it is free and theirs alone.
	count := make(map[string]int, len(items))
	for i, e := range entries {
		if keys[i] == "" {
			count[e.name]++
		}
	}
	out := make(map[string]any, len(items))
	keyOf := make(map[string]string, len(items))
	for i, e := range entries {
		key := keys[i]
		if key == "" {
			key = e.name
			switch {
			case e.name == "" && e.id != "":
				key = e.id
			case (count[e.name] > 1 || taken[e.name]) && e.id != "":
				key = dupKey(e.name, e.id)
			}
			if taken[key] || key == "" {
				key = fmt.Sprintf("%s [%d]", key, i) // never drop an item
			}
			taken[key] = true
		}
		m := e.m
		if shape != nil {
			m = shape(m)
		}
		out[key] = m
		if e.id != "" {
			keyOf[e.id] = key
		}
	}
	return out, keyOf
}

func dupKey(name, id string) string { return fmt.Sprintf("%s (%s)", name, id) }

// previousKeys maps the ids of a collection of the previous document to
// their keys.
func previousKeys(last any, collection, idKey string) map[string]string {
	v, _ := diff.GetSegments(last, []string{collection})
	m, _ := v.(map[string]any)
	out := make(map[string]string, len(m))
	for k, item := range m {
		if it, ok := item.(map[string]any); ok {
			if id, ok := it[idKey].(string); ok && id != "" {
				out[id] = k
			}
		}
	}
	return out
}

// buildConnections keys connections by name and maps enabled_clients to
// client keys. When every connection came without options (the token lacks
// read:connections_options), each keeps its options from last.
func buildConnections(items []any, clientKey map[string]string, last any) (map[string]any, int, bool) {
	hidden := len(items) > 0
	for _, it := range items {
		if _, ok := it.(map[string]any)["options"]; ok {
			hidden = false
			break
		}
	}
	var lastConns map[string]any
	if hidden {
		v, _ := diff.GetSegments(last, []string{"connections"})
		lastConns, _ = v.(map[string]any)
	}
	carried := 0
	conns, _ := keyed(items, "name", "id", previousKeys(last, "connections", "id"), func(c map[string]any) map[string]any {
		out := make(map[string]any, len(c)+1)
		for k, v := range c {
			out[k] = v
		}
		if ids, ok := c["enabled_clients"].([]any); ok {
			names := make([]any, len(ids))
			for i, id := range ids {
				names[i] = id
				if s, ok := id.(string); ok && clientKey[s] != "" {
					names[i] = clientKey[s]
				}
			}
			out["enabled_clients"] = names
		}
		return out
	})
	if hidden {
		for key, c := range conns {
			prev, _ := lastConns[key].(map[string]any)
			if opts, ok := prev["options"]; ok {
				c.(map[string]any)["options"] = opts
				carried++
			}
		}
	}
	return conns, carried, hidden
}

// shapeResourceServer turns scopes into an object keyed by scope value.
func shapeResourceServer(rs map[string]any) map[string]any {
	list, ok := rs["scopes"].([]any)
	if !ok {
		return rs
	}
	out := make(map[string]any, len(rs))
	for k, v := range rs {
		out[k] = v
	}
	scopes := make(map[string]any, len(list))
	for _, s := range list {
		m, _ := s.(map[string]any)
		value, _ := m["value"].(string)
		if value == "" {
			continue
		}
		rest := make(map[string]any, len(m))
		for k, v := range m {
			if k != "value" {
				rest[k] = v
			}
		}
		scopes[value] = rest
	}
	out["scopes"] = scopes
	return out
}

// actionDropped are action fields that churn without a configuration
// change: timestamps, the draft build and its status.
var actionDropped = map[string]bool{
	"created_at": true, "updated_at": true, "built_at": true,
	"current_version": true, "status": true, "code": true,
	"deployed_version": true, "secrets": true,
}

// shapeAction hashes an action's code and drops its churning fields.
func shapeAction(a map[string]any) map[string]any {
	out := make(map[string]any, len(a))
	for k, v := range a {
		if !actionDropped[k] {
			out[k] = v
		}
	}
	if code, ok := a["code"].(string); ok {
		out["code_sha256"] = sha(code)
	}
	if st, _ := a["status"].(string); st == "failed" {
		out["status"] = st // a failed build is a state worth seeing
	}
	if secrets, ok := a["secrets"].([]any); ok {
		names := make([]any, 0, len(secrets))
		for _, s := range secrets {
			m, _ := s.(map[string]any)
			names = append(names, map[string]any{"name": m["name"]})
		}
		out["secrets"] = names
	}
	if deps, ok := a["dependencies"].([]any); ok {
		out["dependencies"] = shapeDependencies(deps)
	}
	if dv, ok := a["deployed_version"].(map[string]any); ok {
		kept := map[string]any{}
		for _, k := range []string{"runtime", "number", "deployed", "dependencies"} {
			if v, ok := dv[k]; ok {
				kept[k] = v
			}
		}
		if deps, ok := dv["dependencies"].([]any); ok {
			kept["dependencies"] = shapeDependencies(deps)
		}
		if code, ok := dv["code"].(string); ok {
			kept["code_sha256"] = sha(code)
		}
		out["deployed_version"] = kept
	}
	return out
}

// shapeDependencies keeps a dependency's name and version: Auth0 fills
// registry_url in while it builds and may leave it out later, which is
// build churn, not a configuration change.
func shapeDependencies(deps []any) []any {
	out := make([]any, 0, len(deps))
	for _, d := range deps {
		m, ok := d.(map[string]any)
		if !ok {
			out = append(out, d)
			continue
		}
		kept := make(map[string]any, len(m))
		for k, v := range m {
			if k != "registry_url" {
				kept[k] = v
			}
		}
		out = append(out, kept)
	}
	return out
}

// shapeScript replaces a rule's or hook's script by its sha256.
func shapeScript(r map[string]any) map[string]any {
	out := make(map[string]any, len(r))
	for k, v := range r {
		if k != "script" {
			out[k] = v
		}
	}
	if s, ok := r["script"].(string); ok {
		out["script_sha256"] = sha(s)
	}
	return out
}

func sha(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])
}
