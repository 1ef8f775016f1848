package auth0

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"github.com/driftwatch/driftwatch/watcher"
)

// urlFields are the URL lists of a client whose members an app redirects
// to or calls from, with what losing one breaks.
var urlFields = []struct{ field, label, effect string }{
	{"callbacks", "Callback URL", "Logins that redirect to it now fail with a callback URL mismatch."},
	{"allowed_logout_urls", "Allowed logout URL", "Logouts that return to it now stop on an Auth0 error page instead of redirecting."},
	{"web_origins", "Allowed web origin", "Silent authentication and token renewal from this origin now fail."},
	{"allowed_origins", "Allowed origin (CORS)", "Cross-origin requests from this origin (embedded login) are now refused."},
}

// owner names the thing a pointer belongs to, for a title.
func owner(path string) string {
	segs := segments(path)
	switch {
	case len(segs) == 0:
		return "the tenant"
	case segs[0] == "tenant":
		return "tenant settings"
	case len(segs) < 2:
		return segs[0]
	case segs[0] == "clients":
		return fmt.Sprintf("client %q", segs[1])
	case segs[0] == "connections":
		return fmt.Sprintf("connection %q", segs[1])
	case segs[0] == "resource_servers":
		return fmt.Sprintf("API %q", segs[1])
	}
	return fmt.Sprintf("%s %q", strings.TrimSuffix(segs[0], "s"), segs[1])
}

// lastSegment is a pointer's last segment.
func lastSegment(path string) string {
	segs := segments(path)
	if len(segs) == 0 {
		return ""
	}
	return segs[len(segs)-1]
}

func urlRemovedRule(opt RuleOptions) watcher.Rule {
	var fields [][]string
	for _, f := range urlFields {
		fields = append(fields, []string{f.field})
	}
	clientSets := clientFields(fields...)
	return &setRule{
		ruleInfo: ruleInfo{RuleURLRemoved, watcher.Warning, watcher.Configuration},
		sets: func(doc any) []string {
			out := clientSets(doc)
			if exists(doc, "/tenant") {
				out = append(out, "/tenant/allowed_logout_urls")
			}
			return out
		},
		make: func(r ruleInfo, path, set, url string) watcher.Finding {
			label, effect := "URL", ""
			for _, f := range urlFields {
				if f.field == lastSegment(set) {
					label, effect = f.label, f.effect
				}
			}
			detail := fmt.Sprintf("%s no longer lists %s in %s. %s", owner(set), url, lastSegment(set), effect)
			if opt.Expected != nil && opt.Expected(set, url) {
				r.severity = watcher.Breaking
				detail += " A configured expectation says the deployed app relies on it."
			}
			title := fmt.Sprintf("%s %s removed from %s", label, url, owner(set))
			return r.finding(path, url, title, detail, url, "")
		},
	}
}

func grantRemovedRule() watcher.Rule {
	return &setRule{
		ruleInfo: ruleInfo{RuleGrantRemoved, watcher.Breaking, watcher.Configuration},
		sets:     clientFields([]string{"grant_types"}),
		make: func(r ruleInfo, path, set, grant string) watcher.Finding {
			title := fmt.Sprintf("Grant type %s removed from %s", grant, owner(set))
			detail := fmt.Sprintf("%s may no longer use the %s grant: token requests with it now fail with unauthorized_client.", owner(set), grant)
			return r.finding(path, grant, title, detail, grant, "")
		},
	}
}

func connectionClientRemovedRule() watcher.Rule {
	return &setRule{
		ruleInfo: ruleInfo{RuleConnectionClientRemoved, watcher.Warning, watcher.Configuration},
		sets: func(doc any) []string {
			var out []string
			for _, k := range keys(object(doc, "connections")) {
				out = append(out, "/connections/"+escape(k)+"/enabled_clients")
			}
			return out
		},
		// A client that is gone (removed, renamed) has its own finding.
		skip: func(doc any, _, client string) bool {
			_, ok := object(doc, "clients")[client]
			return !ok
		},
		make: func(r ruleInfo, path, set, client string) watcher.Finding {
			title := fmt.Sprintf("Client %q no longer enabled on %s", client, owner(set))
			detail := fmt.Sprintf("Users of %s can no longer log in to client %q.", owner(set), client)
			return r.finding(path, client, title, detail, client, "")
		},
	}
}

func scopeRemovedRule() watcher.Rule {
	return &setRule{
		ruleInfo: ruleInfo{RuleScopeRemoved, watcher.Warning, watcher.Configuration},
		sets: func(doc any) []string {
			var out []string
			for _, k := range keys(object(doc, "resource_servers")) {
				out = append(out, "/resource_servers/"+escape(k)+"/scopes")
			}
			return out
		},
		memberPath: true,
		make: func(r ruleInfo, path, set, scope string) watcher.Finding {
			title := fmt.Sprintf("Scope %s removed from %s", scope, owner(set))
			detail := fmt.Sprintf("%s no longer defines the scope %s: token requests asking for it are refused or get tokens without it, and refresh tokens carrying it stop refreshing.", owner(set), scope)
			return r.finding(path, scope, title, detail, scope, "")
		},
		// Auth0 owns its Management API: a scope it retires there is a
		// platform change, not the tenant's configuration drifting.
		adjust: func(newDoc any, set string, f *watcher.Finding) {
			if !isManagementAPI(newDoc, parent(set)) {
				return
			}
			f.Category = watcher.ThirdParty
			f.Title = fmt.Sprintf("Auth0 removed the scope %s from its Management API", f.Subject)
			f.Detail = fmt.Sprintf("Auth0's own Management API (%s) no longer defines the scope %s. This is a platform change, not tenant drift: "+
				"machine-to-machine apps granted it can no longer request it; check what replaces it in Auth0's changelog.", lastSegment(parent(set)), f.Subject)
		},
	}
}

// managementAPI matches the identifier of Auth0's Management API:
// https://{tenant domain}/api/v2/.
var managementAPI = regexp.MustCompile(`^https://[^/]+/api/v2/?$`)

// isManagementAPI reports whether the resource server at path is Auth0's
// own Management API: flagged is_system, or named by its identifier form.
func isManagementAPI(doc any, path string) bool {
	return show(doc, path+"/is_system") == "true" || managementAPI.MatchString(lastSegment(path))
}

func clientRemovedRule() watcher.Rule {
	return &keyRule{
		ruleInfo:   ruleInfo{RuleClientRemoved, watcher.Warning, watcher.Configuration},
		collection: "clients",
		make: func(r ruleInfo, path, key string, old map[string]any, newDoc any) watcher.Finding {
			id, _ := old["client_id"].(string)
			for nk, v := range object(newDoc, "clients") {
				if m, _ := v.(map[string]any); id != "" && m["client_id"] == id {
					title := fmt.Sprintf("Client %q renamed to %q", key, nk)
					detail := fmt.Sprintf("Client %s is now named %q: paths and expectations naming %q no longer match it.", id, nk, key)
					return r.finding(path, "", title, detail, key, nk)
				}
			}
			title := fmt.Sprintf("Client %q removed", key)
			detail := fmt.Sprintf("The application %q (client_id %s) no longer exists: apps using it can no longer log in or get tokens.", key, id)
			return r.finding(path, "", title, detail, key, "")
		},
	}
}

// clientRecreatedRule finds an application deleted and created again under
// its name: the key is the same, the client_id is new, and every deployed
// app configured with the old id fails to log in.
func clientRecreatedRule() watcher.Rule {
	return &valueRule{
		ruleInfo: ruleInfo{RuleClientRecreated, watcher.Breaking, watcher.Configuration},
		paths:    clientFields([]string{"client_id"}),
		counts: func(_ any, _, old, new string) bool {
			return old != notSet && new != notSet && old != "" && new != ""
		},
		make: func(r ruleInfo, path, old, new string) watcher.Finding {
			name := segments(path)[1]
			title := fmt.Sprintf("Client %q was deleted and re-created: new client_id %s (was %s)", name, new, old)
			detail := fmt.Sprintf("The application %q now has client_id %s. Every deployed app configured with the old client_id %s "+
				"now fails to log in or get tokens (unknown client): update their configuration, and check the new application's "+
				"callbacks, grants, connections and API grants.\nBefore: %s\nNow: %s", name, new, old, old, new)
			return r.finding(path, "", title, detail, old, new)
		},
	}
}

func connectionRemovedRule() watcher.Rule {
	return &keyRule{
		ruleInfo:   ruleInfo{RuleConnectionRemoved, watcher.Warning, watcher.Configuration},
		collection: "connections",
		make: func(r ruleInfo, path, key string, old map[string]any, _ any) watcher.Finding {
			strategy, _ := old["strategy"].(string)
			title := fmt.Sprintf("Connection %q removed", key)
			detail := fmt.Sprintf("The connection %q (strategy %s) no longer exists: its users can no longer log in.", key, strategy)
			return r.finding(path, "", title, detail, key, "")
		},
	}
}

func resourceServerRemovedRule() watcher.Rule {
	return &keyRule{
		ruleInfo:   ruleInfo{RuleResourceServerRemoved, watcher.Warning, watcher.Configuration},
		collection: "resource_servers",
		make: func(r ruleInfo, path, key string, old map[string]any, _ any) watcher.Finding {
			name, _ := old["name"].(string)
			title := fmt.Sprintf("API %q (%s) removed", name, key)
			detail := fmt.Sprintf("The API with identifier %s no longer exists: tokens can no longer be issued for this audience.", key)
			return r.finding(path, "", title, detail, key, "")
		},
	}
}

// defaultAuthMethod is the token endpoint auth method Auth0 applies to a
// client that sets none: public clients (SPAs, native apps) authenticate
// with none, confidential ones post their secret.
func defaultAuthMethod(appType string) string {
	switch appType {
	case "spa", "native":
		return "none"
	}
	return "client_secret_post"
}

// changeTitle is the common title of a value change of a client.
func changeTitle(path, what, old, new string) string {
	return fmt.Sprintf("%s %s changed from %s to %s", capitalise(owner(path)), what, old, new)
}

func capitalise(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

func changeDetail(effect, old, new string) string {
	return fmt.Sprintf("%s\nBefore: %s\nNow: %s", effect, old, new)
}

func authMethodRule() watcher.Rule {
	return &valueRule{
		ruleInfo: ruleInfo{RuleAuthMethodChanged, watcher.Breaking, watcher.Configuration},
		paths:    clientFields([]string{"token_endpoint_auth_method"}),
		// An unset method is Auth0's default for the app type: it
		// becoming explicit (or the reverse) changes nothing.
		counts: func(doc any, path, old, new string) bool {
			if old != notSet && new != notSet {
				return true
			}
			client := parent(path)
			if exists(doc, client+"/client_authentication_methods") {
				return true // the method moved to client_authentication_methods
			}
			set := new
			if set == notSet {
				set = old
			}
			return set != defaultAuthMethod(show(doc, client+"/app_type"))
		},
		make: func(r ruleInfo, path, old, new string) watcher.Finding {
			return r.finding(path, "", changeTitle(path, "token endpoint auth method", old, new),
				changeDetail("Back ends authenticating to /oauth/token the old way now fail with invalid_client.", old, new), old, new)
		},
	}
}

func signingAlgRule() watcher.Rule {
	return &valueRule{
		ruleInfo: ruleInfo{RuleSigningAlgChanged, watcher.Breaking, watcher.Configuration},
		paths:    clientFields([]string{"jwt_configuration", "alg"}),
		make: func(r ruleInfo, path, old, new string) watcher.Finding {
			return r.finding(path, "", changeTitle(path, "signing algorithm", old, new),
				changeDetail("ID tokens are now signed with "+new+": apps that verify "+old+" signatures reject them.", old, new), old, new)
		},
	}
}

// clientSettings are client settings whose change alters how apps log in.
var clientSettings = map[string]string{
	"oidc_conformant":             "OIDC conformance changes token contents and stops legacy flows.",
	"app_type":                    "The application type decides which grants and settings apply.",
	"cross_origin_authentication": "Embedded (cross-origin) login from the allowed web origins is switched.",
	"refresh_token/rotation_type": "Refresh-token rotation changes how SDKs renew tokens; browsers blocking third-party cookies need rotation for silent renewal.",
}

func clientSettingRule() watcher.Rule {
	var fields [][]string
	for _, f := range keys(anyMap(clientSettings)) {
		fields = append(fields, strings.Split(f, "/"))
	}
	return &valueRule{
		ruleInfo: ruleInfo{RuleClientSettingChanged, watcher.Warning, watcher.Configuration},
		paths:    clientFields(fields...),
		make: func(r ruleInfo, path, old, new string) watcher.Finding {
			segs := segments(path)
			setting := strings.Join(segs[min(2, len(segs)):], "/")
			return r.finding(path, "", changeTitle(path, "setting "+strings.ReplaceAll(setting, "/", "."), old, new),
				changeDetail(clientSettings[setting], old, new), old, new)
		},
	}
}

func anyMap(m map[string]string) map[string]any {
	out := make(map[string]any, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}

// sessionLifetimes are the tenant's session lifetimes, in hours.
var sessionLifetimes = []string{"session_lifetime", "idle_session_lifetime", "ephemeral_session_lifetime", "idle_ephemeral_session_lifetime"}

func sessionLifetimeRule() watcher.Rule {
	return &valueRule{
		ruleInfo: ruleInfo{RuleSessionLifetimeShortened, watcher.Warning, watcher.Configuration},
		paths: func(doc any) []string {
			var out []string
			for _, f := range sessionLifetimes {
				out = append(out, "/tenant/"+f)
			}
			return out
		},
		counts: func(_ any, _, old, new string) bool {
			o, err1 := strconv.ParseFloat(old, 64)
			n, err2 := strconv.ParseFloat(new, 64)
			return err1 == nil && err2 == nil && n < o
		},
		make: func(r ruleInfo, path, old, new string) watcher.Finding {
			title := fmt.Sprintf("Tenant %s shortened from %s to %s hours", lastSegment(path), old, new)
			return r.finding(path, "", title,
				changeDetail("Users are asked to log in again sooner; long-running sessions and remember-me flows end earlier.", old+" h", new+" h"), old, new)
		},
	}
}

// legacyFlags are tenant flags that keep a legacy behaviour alive: turning
// one off breaks the apps still relying on it.
var legacyFlags = map[string]string{
	"allow_legacy_ro_grant_types":         "legacy Resource Owner grant, /oauth/ro",
	"allow_legacy_delegation_grant_types": "legacy delegation grant, /delegation",
	"allow_legacy_tokeninfo_endpoint":     "legacy /tokeninfo endpoint",
	"enable_legacy_profile":               "legacy user profile in ID tokens and /userinfo",
	"enable_idtoken_api2":                 "ID tokens as Management API credentials",
	"change_pwd_flow_v1":                  "legacy change-password flow v1",
	"enable_legacy_logs_search_v2":        "legacy logs search v2",
}

func tenantFlagRule() watcher.Rule {
	return &valueRule{
		ruleInfo: ruleInfo{RuleTenantFlagChanged, watcher.Warning, watcher.Configuration},
		paths: func(doc any) []string {
			var out []string
			for _, k := range keys(object(doc, "tenant", "flags")) {
				out = append(out, "/tenant/flags/"+escape(k))
			}
			return out
		},
		// Auth0 adds and retires flags itself: only a change of a flag
		// that stays, or a legacy flag that was on going away, counts.
		counts: func(_ any, path, old, new string) bool {
			if old == notSet {
				return false
			}
			_, legacy := legacyFlags[lastSegment(path)]
			return new != notSet || (legacy && old == "true")
		},
		make: func(r ruleInfo, path, old, new string) watcher.Finding {
			flag := lastSegment(path)
			title := fmt.Sprintf("Tenant flag %s changed from %s to %s", flag, old, new)
			effect := "A tenant-wide behaviour switch changed."
			if what, legacy := legacyFlags[flag]; legacy {
				title += " (" + what + ")"
				effect = "This flag keeps the " + what + " working."
				if old == "true" && new != "true" {
					r.severity = watcher.Breaking
					effect += " With it off, apps still relying on it fail."
				}
			}
			return r.finding(path, "", title, changeDetail(effect, old, new), old, new)
		},
	}
}

var pointerEscaper = strings.NewReplacer("~", "~0", "/", "~1")

// escape escapes one pointer segment.
func escape(s string) string {
	if !strings.ContainsAny(s, "~/") {
		return s
	}
	return pointerEscaper.Replace(s)
}
