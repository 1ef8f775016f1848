package config

import (
	"fmt"
	"reflect"
	"sort"
	"strconv"
	"strings"
)

// The keys each table accepts. A source accepts the common keys plus those
// of its type.
var (
	topKeys    = keySet("store", "notify", "digest", "server", "source", "expect", "receiver", "route")
	storeKeys  = keySet("path", "keep_snapshots")
	notifyKeys = keySet("slack")
	slackKeys  = keySet("webhook_url_env", "webhook_url_file", "token_env", "token_file", "channel", "api_url", "min_severity", "send_resolved")
	digestKeys = keySet("schedule", "channel")
	serverKeys = keySet("listen", "api_token_env", "api_token_file", "api_write_token_env", "api_write_token_file", "public_url")
	commonKeys = keySet("name", "type", "schedule", "ignore", "timeout", "labels")
	expectKeys = keySet("source", "path", "contains", "equals", "present", "absent", "semver", "severity", "note")
)

func keySet(keys ...string) map[string]bool {
	m := make(map[string]bool, len(keys))
	for _, k := range keys {
		m[k] = true
	}
	return m
}

// checkKeys reports every key the schema does not know, with its line.
func (l *loader) checkKeys(raw map[string]any) {
	l.unknown("", raw, topKeys, "at the top level")
	if t, ok := table(raw["store"]); ok {
		l.unknown("store", t, storeKeys, "in [store]")
	}
	if t, ok := table(raw["notify"]); ok {
		l.unknown("notify", t, notifyKeys, "in [notify]")
		if s, ok := table(t["slack"]); ok {
			l.unknown("notify.slack", s, slackKeys, "in [notify.slack]")
		}
	}
	if t, ok := table(raw["digest"]); ok {
		l.unknown("digest", t, digestKeys, "in [digest]")
	}
	if t, ok := table(raw["server"]); ok {
		l.unknown("server", t, serverKeys, "in [server]")
	}
	for i, src := range tables(raw["source"]) {
		at := "source[" + strconv.Itoa(i) + "]"
		typ, _ := src["type"].(string)
		st, known := typeKeys(typ)
		var allowed map[string]reflect.Type
		if known {
			allowed = tomlFields(st)
		}
		for _, k := range sortedKeys(src) {
			if commonKeys[k] {
				continue
			}
			if ft, ok := allowed[k]; ok {
				l.nested(at+"."+k, k, src[k], ft, sourceLabel(src, i))
				continue
			}
			if !known {
				if _, other := anyTypeKey(k); other {
					continue // reported as an unknown type instead
				}
			}
			if owner, other := anyTypeKey(k); other && known {
				l.errorAt(at+"."+k, fmt.Sprintf("source %s: key %q is for %s sources, not %s", sourceLabel(src, i), k, owner, typ))
				continue
			}
			l.errorAt(at+"."+k, fmt.Sprintf("source %s: unknown key %q", sourceLabel(src, i), k))
		}
	}
	for i, e := range tables(raw["expect"]) {
		l.unknown("expect["+strconv.Itoa(i)+"]", e, expectKeys, "in an [[expect]]")
	}
	for i, r := range tables(raw["receiver"]) {
		at := "receiver[" + strconv.Itoa(i) + "]"
		typ, _ := r["type"].(string)
		allowed, known := receiverTypeKeys[typ]
		for _, k := range sortedKeys(r) {
			if receiverCommonKeys[k] || allowed[k] || !known {
				continue // an unknown type is reported as such
			}
			l.errorAt(at+"."+k, fmt.Sprintf("receiver %s: key %q does not apply to %s receivers", sourceLabel(r, i), k, typ))
		}
	}
	for i, r := range tables(raw["route"]) {
		l.unknown("route["+strconv.Itoa(i)+"]", r, routeKeys, "in a [[route]]")
	}
}

// nested checks the keys of a source key whose value is a table or an
// array of tables.
func (l *loader) nested(at, key string, v any, ft reflect.Type, label string) {
	st, ok := tableType(ft)
	if !ok {
		return
	}
	if m, ok := table(v); ok {
		l.unknownIn(at, m, st, "in [source."+key+"] of source "+label)
		return
	}
	for j, m := range tables(v) {
		l.unknownIn(at+"["+strconv.Itoa(j)+"]", m, st, "in a [[source."+key+"]] of source "+label)
	}
}

func (l *loader) unknown(at string, t map[string]any, allowed map[string]bool, where string) {
	for _, k := range sortedKeys(t) {
		if !allowed[k] {
			path := k
			if at != "" {
				path = at + "." + k
			}
			l.errorAt(path, fmt.Sprintf("unknown key %q %s", k, where))
		}
	}
}

// anyTypeKey names the source types that accept key k ("a or b").
func anyTypeKey(k string) (string, bool) {
	var owners []string
	for _, t := range Types() {
		st, _ := typeKeys(t)
		if _, ok := tomlFields(st)[k]; ok {
			owners = append(owners, t)
		}
	}
	if len(owners) > 1 {
		return strings.Join(owners[:len(owners)-1], ", ") + " or " + owners[len(owners)-1], true
	}
	return strings.Join(owners, ""), len(owners) > 0
}

func sourceLabel(src map[string]any, i int) string {
	if n, ok := src["name"].(string); ok && n != "" {
		return strconv.Quote(n)
	}
	return "#" + strconv.Itoa(i+1)
}

func table(v any) (map[string]any, bool) {
	m, ok := v.(map[string]any)
	return m, ok
}

func tables(v any) []map[string]any {
	switch x := v.(type) {
	case []map[string]any:
		return x
	case []any:
		out := make([]map[string]any, 0, len(x))
		for _, e := range x {
			if m, ok := e.(map[string]any); ok {
				out = append(out, m)
			}
		}
		return out
	}
	return nil
}

func sortedKeys(m map[string]any) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
