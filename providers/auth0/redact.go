package auth0

import (
	"strings"

	"github.com/driftwatch/driftwatch/redact"
)

// Redacted replaces a secret's value in the document: the key stays as a
// marker, so a rotated secret is no diff.
const Redacted = redact.Marker

// secure applies to a decoded response the places where Auth0 keeps
// secrets under names the shared policy cannot know, and returns v:
//   - options.configuration of a connection: every value (Auth0 encrypts
//     them and re-encrypts on every update, so they would churn too);
//     member names stay, so a setting added or removed is still drift;
//   - custom headers (a connection's options.customHeaders, a log stream
//     sink's httpCustomHeaders): every value; header names stay;
//   - options.customScripts: each script becomes its sha256, under
//     customScripts_sha256, like action code (scripts embed credentials);
//   - a log stream sink's sumoSourceAddress, a URL that embeds its token;
//
// then the shared policy (redact.Value).
func secure(v any) any {
	walkPlaces(v) // first: scripts are hashed as written
	return redact.Value(v)
}

// walkPlaces finds the places above at any depth.
func walkPlaces(v any) {
	switch x := v.(type) {
	case map[string]any:
		for k, val := range x {
			switch {
			case k == "options":
				if opts, ok := val.(map[string]any); ok {
					secureOptions(opts)
				}
			case k == "sumoSourceAddress":
				if s, ok := val.(string); ok && s != "" {
					x[k] = Redacted
				}
			case strings.HasSuffix(strings.ToLower(k), "customheaders"):
				x[k] = headerValues(val)
			}
			walkPlaces(x[k])
		}
	case []any:
		for _, e := range x {
			walkPlaces(e)
		}
	}
}

// headerValues redacts the values of custom headers, an object
// {name: value} or a list [{header, value}], keeping the names.
func headerValues(v any) any {
	switch h := v.(type) {
	case map[string]any:
		for k, val := range h {
			if val != nil {
				h[k] = Redacted
			}
		}
	case []any:
		for _, e := range h {
			if m, ok := e.(map[string]any); ok {
				if _, has := m["value"]; has {
					m["value"] = Redacted
				}
			}
		}
	case string:
		if h != "" {
			return Redacted
		}
	}
	return v
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
