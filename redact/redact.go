// Package redact is driftwatch's one policy for secrets. It decides what of
// an upstream document is a secret — by the name that holds a value, by
// the value itself, and by the place a provider knows holds secrets — and
// replaces it with Marker before anything is stored, diffed, logged or
// printed. Its Scrubber removes known secret values (configured
// credentials, tokens obtained during a poll, the Slack webhook URL) from
// text at every boundary where text leaves the process.
//
// It is a leaf package: it imports only the standard library.
package redact

import (
	"encoding/json"
)

// Marker replaces a redacted value. It is kept in the document (never the
// key dropped), so a rotated secret makes no diff while a secret that
// appears or goes away still does.
const Marker = "[redacted]"

// Value applies the policy, in place, to a decoded JSON document (maps,
// slices, strings, json.Number, bools, nil) and returns it:
//   - a member whose name is a secret name (IsSecretName) loses its string
//     value; an object or array under such a name that holds key material
//     (a "key", "cert", "pem" member, a secret-named member, or a value that
//     looks generated) loses every member but its public metadata (name,
//     alg, kid, thumbprint, times), and becomes Marker whole when nothing
//     public is left; booleans, numbers and null are kept;
//   - the "value" of a name/value pair whose name is a secret name
//     ({"name": "DB_PASSWORD", "value": ...}) is treated the same way;
//   - any string loses what is a secret by its value (Text): a private
//     key's PEM block, a JWT, a well-known token format, a URL's password
//     or secret query parameter;
//   - in a secret position (a name holding "key", "auth", "sig", "salt",
//     ...), a string that looks generated (long, high-entropy) is redacted.
func Value(v any) any {
	return walk("", v)
}

func walk(key string, v any) any {
	switch x := v.(type) {
	case map[string]any:
		named := namedSecret(x)
		for k, val := range x {
			if IsSecretName(k) || (named && k == "value") {
				x[k] = secret(val)
				continue
			}
			x[k] = walk(k, val)
		}
		return x
	case []any:
		for i, e := range x {
			x[i] = walk(key, e)
		}
		return x
	case string:
		if key != "" && isHint(key) && looksSecret(x) {
			return Marker
		}
		return Text(x)
	}
	return v
}

// namedSecret reports whether an object is a name/value pair naming a
// secret: {"name": "DB_PASSWORD", "value": ...} (environment variables,
// action secrets), {"header": "X-Api-Key", "value": ...} (header lists).
func namedSecret(m map[string]any) bool {
	if _, ok := m["value"]; !ok {
		return false
	}
	for _, k := range []string{"name", "key", "header"} {
		if s, ok := m[k].(string); ok && IsSecretName(s) {
			return true
		}
	}
	return false
}

// secret redacts the value of a secret-named member.
func secret(v any) any {
	switch x := v.(type) {
	case string:
		if x == "" {
			return x // an unset secret: showing it is unset leaks nothing
		}
		return Marker
	case map[string]any:
		if !isMaterial(x) {
			return walk("", x)
		}
		kept := false
		for k, val := range x {
			switch val.(type) {
			case bool, json.Number, nil, float64:
				kept = true
				continue
			}
			if s, ok := val.(string); ok && isPublicMeta(k) && !IsSecretName(k) {
				x[k] = Text(s)
				kept = true
				continue
			}
			x[k] = secret(val)
			if r, ok := x[k].(string); !ok || r != Marker {
				kept = true
			}
		}
		if !kept {
			return Marker
		}
		return x
	case []any:
		all := len(x) > 0
		for i, e := range x {
			x[i] = secret(e)
			if s, ok := x[i].(string); !ok || s != Marker {
				all = false
			}
		}
		if all {
			return Marker
		}
		return x
	}
	return v
}

// isMaterial reports whether an object under a secret name holds key
// material, rather than settings about it: {cert, key}, {api_key,
// region}, {pub}. {enabled: true} (authentication_methods.password) or
// {rotation_type, leeway} (refresh_token) hold none and are walked as
// ordinary settings.
func isMaterial(m map[string]any) bool {
	for k, v := range m {
		if IsSecretName(k) {
			return true
		}
		s, ok := v.(string)
		if !ok {
			if sub, isObj := v.(map[string]any); isObj && isMaterial(sub) {
				return true
			}
			continue
		}
		w := Words(k)
		if len(w) > 0 && materialNames[w[len(w)-1]] && !isPublicMeta(k) {
			return true
		}
		if looksSecret(s) || Text(s) != s {
			return true
		}
	}
	return false
}
