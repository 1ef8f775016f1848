package auth0

import "github.com/driftwatch/driftwatch/redact"

// Redacted replaces a secret's value in the document: the key stays as a
// marker, so a rotated secret is no diff.
const Redacted = redact.Marker

// secure applies to a decoded response the places Auth0 is known to keep secrets under names the policy
// cannot know, and returns v:
//   - options.configuration of a connection: every value (Auth0 encrypts
//     them and re-encrypts on every update, so they would churn too);
//     member names stay, so a setting added or removed is still drift;
//   - options.customHeaders: every header value; names stay;
//   - options.customScripts: each script becomes its sha256, under
//     customScripts_sha256, like action code (scripts embed credentials);
//
// then the shared policy (redact.Value).
func secure(v any) any {
	walkOptions(v) // first: scripts are hashed as written
	return redact.Value(v)
}

// walkOptions finds every "options" object in v and secures its places.
func walkOptions(v any) {
	switch x := v.(type) {
	case map[string]any:
		for k, val := range x {
			if opts, ok := val.(map[string]any); ok && k == "options" {
				secureOptions(opts)
			}
			walkOptions(val)
		}
	case []any:
		for _, e := range x {
			walkOptions(e)
		}
	}
}

func secureOptions(opts map[string]any) {
	if conf, ok := opts["configuration"].(map[string]any); ok {
		for k, val := range conf {
			if val != nil {
				conf[k] = Redacted
			}
		}
	} else if _, ok := opts["configuration"].(string); ok {
		opts["configuration"] = Redacted
	}
	switch h := opts["customHeaders"].(type) {
	case map[string]any:
		for k, val := range h {
			if val != nil {
				h[k] = Redacted
			}
		}
	case []any: // [{header, value}]
		for _, e := range h {
			if m, ok := e.(map[string]any); ok {
				if _, has := m["value"]; has {
					m["value"] = Redacted
				}
			}
		}
	case string:
		opts["customHeaders"] = Redacted
	}
	if scripts, ok := opts["customScripts"].(map[string]any); ok {
		hashed := make(map[string]any, len(scripts))
		for name, s := range scripts {
			hashed[name] = s
			if text, ok := s.(string); ok {
				hashed[name] = sha(text)
			}
		}
		delete(opts, "customScripts")
		opts["customScripts_sha256"] = hashed
	}
}
