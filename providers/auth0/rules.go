package auth0

import (
	"encoding/json"
	"slices"
	"strconv"
	"strings"

	"github.com/driftwatch/driftwatch/diff"
	"github.com/driftwatch/driftwatch/watcher"
)

// The names of the auth0 rules (the deprecation rules are named in
// deprecations.json, all starting with "auth0.deprecated_").
const (
	RuleURLRemoved               = "auth0.url_removed"
	RuleGrantRemoved             = "auth0.grant_removed"
	RuleAuthMethodChanged        = "auth0.auth_method_changed"
	RuleSigningAlgChanged        = "auth0.signing_alg_changed"
	RuleClientSettingChanged     = "auth0.client_setting_changed"
	RuleClientRemoved            = "auth0.client_removed"
	RuleClientRecreated          = "auth0.client_recreated"
	RuleConnectionRemoved        = "auth0.connection_removed"
	RuleConnectionClientRemoved  = "auth0.connection_client_removed"
	RuleResourceServerRemoved    = "auth0.resource_server_removed"
	RuleScopeRemoved             = "auth0.scope_removed"
	RuleSessionLifetimeShortened = "auth0.session_lifetime_shortened"
	RuleTenantFlagChanged        = "auth0.tenant_flag_changed"
	RuleScopeMissing             = "auth0.scope_missing"
)

// RuleOptions carry what the auth0 rules need from the configuration.
type RuleOptions struct {
	// Expected reports whether a configured [[expect]] of this source names this pointer
	// (or a value at it); url_removed is then breaking instead of warning.
	Expected func(path string, value string) bool
}

// Rules returns the auth0 rules: rules about a change (silent on the
// baseline, carried forward until the change is undone) and rules about a
// state (the missing scope, platform deprecations), judged on every
// snapshot.
func Rules(opt RuleOptions) []watcher.Rule {
	rules := []watcher.Rule{
		urlRemovedRule(opt),
		grantRemovedRule(),
		connectionClientRemovedRule(),
		scopeRemovedRule(),
		clientRemovedRule(),
		clientRecreatedRule(),
		connectionRemovedRule(),
		resourceServerRemovedRule(),
		authMethodRule(),
		signingAlgRule(),
		clientSettingRule(),
		sessionLifetimeRule(),
		tenantFlagRule(),
		watcher.RuleFunc(scopeMissing),
		clientGrantRemovedRule(opt),
		clientGrantScopeRemovedRule(opt),
		actionUnboundRule(),
		watcher.RuleFunc(customDomainNotReady),
		watcher.RuleFunc(customDomainCertExpiring),
		watcher.RuleFunc(logStreamStopped),
		attackProtectionOffRule(),
		watcher.RuleFunc(signingKeyRotated),
		signingKeyRevokedRule(),
		loginExperienceRule(),
		mfaFactorDisabledRule(),
	}
	for _, d := range deprecations {
		rules = append(rules, d)
	}
	return []watcher.Rule{attributing(rules), watcher.RuleFunc(deprecationInUse)}
}

// ruleInfo is what every finding of one rule shares.
type ruleInfo struct {
	name     string
	severity watcher.Severity
	category watcher.Category
}

func (r ruleInfo) finding(path, subject, title, detail, old, new string) watcher.Finding {
	return watcher.Finding{Rule: r.name, Severity: r.severity, Category: r.category,
		Path: path, Subject: subject, Title: title, Detail: detail, Old: old, New: new}
}

// carry returns an open finding to be returned again, without the fields
// the engine fills.
func carry(f watcher.Finding) watcher.Finding {
	return watcher.Finding{Rule: f.Rule, Severity: f.Severity, Category: f.Category,
		Path: f.Path, Subject: f.Subject, Title: f.Title, Detail: f.Detail,
		Old: f.Old, New: f.New, Excerpt: f.Excerpt, Note: f.Note}
}

// sorted orders findings by path and subject, so a rule's output is stable.
func sorted(fs []watcher.Finding) []watcher.Finding {
	slices.SortFunc(fs, func(a, b watcher.Finding) int {
		if c := strings.Compare(a.Path, b.Path); c != 0 {
			return c
		}
		return strings.Compare(a.Subject, b.Subject)
	})
	return fs
}

// notSet shows a value that is absent.
const notSet = "(not set)"

// show renders the value at path as short text: a string as is, anything
// else as canonical JSON, an absent value as notSet.
func show(doc any, path string) string {
	v, ok := lookup(doc, path)
	if !ok {
		return notSet
	}
	return showValue(v)
}

func showValue(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case json.Number:
		return x.String()
	case bool:
		return strconv.FormatBool(x)
	case nil:
		return "null"
	}
	b, err := diff.Canonical(v, diff.Options{})
	if err != nil {
		return "?"
	}
	return string(b)
}

// object returns the object at the first segments of a document.
func object(doc any, segs ...string) map[string]any {
	v, _ := diff.GetSegments(doc, segs)
	m, _ := v.(map[string]any)
	return m
}

// keys returns an object's keys, sorted.
func keys(m map[string]any) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// exists reports whether a pointer names a value in doc.
func exists(doc any, path string) bool {
	_, ok := lookup(doc, path)
	return ok
}

var pointerUnescaper = strings.NewReplacer("~1", "/", "~0", "~")

// lookup is diff.Get without allocating for segments that need no
// unescaping: rules look up thousands of pointers per judgement.
func lookup(doc any, path string) (any, bool) {
	if path == "" {
		return doc, true
	}
	if path[0] != '/' {
		return nil, false
	}
	cur := doc
	for rest := path[1:]; ; {
		seg, tail, more := strings.Cut(rest, "/")
		if strings.Contains(seg, "~") {
			seg = pointerUnescaper.Replace(seg)
		}
		switch c := cur.(type) {
		case map[string]any:
			v, ok := c[seg]
			if !ok {
				return nil, false
			}
			cur = v
		case []any:
			i, err := strconv.Atoi(seg)
			if err != nil || i < 0 || i >= len(c) || strconv.Itoa(i) != seg {
				return nil, false
			}
			cur = c[i]
		default:
			return nil, false
		}
		if !more {
			return cur, true
		}
		rest = tail
	}
}

// ownerPath is the pointer of the thing a path belongs to: /tenant, or a
// member of a collection (/clients/<name>). It cuts the string, so it
// costs nothing per client.
func ownerPath(path string) string {
	first := strings.IndexByte(path[min(1, len(path)):], '/') + 1
	if first <= 0 {
		return path // a top-level key is its own owner
	}
	if path[:first] == "/tenant" {
		return path[:first]
	}
	second := strings.IndexByte(path[first+1:], '/')
	if second < 0 {
		return path
	}
	return path[:first+1+second]
}

// segments splits a pointer; a malformed one yields nil.
func segments(path string) []string {
	segs, _ := diff.ParsePointer(path)
	return segs
}

// parent drops a pointer's last segment.
func parent(path string) string {
	segs := segments(path)
	if len(segs) == 0 {
		return ""
	}
	return diff.Pointer(segs[:len(segs)-1])
}

// stringsAt returns the strings of the list (or the keys of the object) at
// path, in document order.
func stringsAt(doc any, path string) []string {
	v, _ := lookup(doc, path)
	switch x := v.(type) {
	case []any:
		out := make([]string, 0, len(x))
		for _, e := range x {
			if s, ok := e.(string); ok {
				out = append(out, s)
			}
		}
		return out
	case map[string]any:
		return keys(x)
	}
	return nil
}

// scopeMissing raises one finding per scope the document says the token
// lacks — not one per connection whose options it hid.
func scopeMissing(j *watcher.Judgement) []watcher.Finding {
	r := ruleInfo{RuleScopeMissing, watcher.Warning, watcher.Configuration}
	n := len(object(j.New, "connections"))
	var out []watcher.Finding
	for _, scope := range stringsAt(j.New, "/missing_scopes") {
		title := "Auth0 token lacks " + scope + ": changes to connection options go unseen"
		detail := "The Management API application's token lacks " + scope + ", so Auth0 returned the " +
			itoa(n) + " connections without their options (enforced since 2025-07-08). Their last known options are kept, " +
			"so no false drift appears, but changes to them (password policy, MFA, social app settings) go unnoticed. " +
			"Grant " + scope + " to the application of client_id_env."
		if scope != ScopeConnectionOptions {
			title = "Auth0 token lacks " + scope
			detail = "The Management API application's token lacks " + scope + " (Auth0 answered 403), so " +
				unseenWithout(scope) + " left out of the snapshot and not watched. Grant " + scope +
				" to the application of client_id_env (or, if the tenant's plan lacks the feature, ignore this finding)."
		}
		out = append(out, r.finding("/missing_scopes", scope, title, detail, "", ""))
	}
	return out
}
