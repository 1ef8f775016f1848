package auth0

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/driftwatch/driftwatch/diff"
	"github.com/driftwatch/driftwatch/watcher"
)

// deprecationsJSON holds the dated Auth0 platform deprecations the
// deprecation rules check, so their facts and dates can be updated
// without touching code.
//
//go:embed deprecations.json
var deprecationsJSON []byte

// deprecations are the rules loaded from deprecationsJSON.
var deprecations = mustLoadDeprecations(deprecationsJSON)

// deprecation is one dated platform change and the rule that finds where
// the tenant still depends on it. It is a state rule: it judges every
// snapshot, the baseline included, and makes one finding listing every
// place that depends on it, updated as the list changes.
type deprecation struct {
	ID         string   `json:"id"`
	Rule       string   `json:"rule"`
	Check      string   `json:"check"`
	Values     []string `json:"values"`
	Label      string   `json:"label"`
	Fact       string   `json:"fact"`
	Deprecated string   `json:"deprecated"`
	EndOfLife  string   `json:"end_of_life"`
	// EndOfLifeSeverity is the severity once past the end of life:
	// breaking unless the change leaves existing apps working.
	EndOfLifeSeverity string `json:"end_of_life_severity"`
	// Sources are the public pages that state the change; the first is
	// the finding's url and must be Auth0's own (auth0.com): a user reads
	// the vendor's word, not a third party's issue thread.
	Sources []docSource `json:"sources"`
	Fields  []string    `json:"fields"`

	eol    time.Time
	eolSev watcher.Severity
	path   string
}

// docSource is one public page about a deprecation.
type docSource struct {
	Title string `json:"title"`
	URL   string `json:"url"`
}

// hit is one place the tenant still depends on a deprecated thing.
type hit struct {
	path, subject string
	value         string // the deprecated value found (runtime, flag)
	what          string // "action \"x\" still runs on it"
	// idle marks a hit that cannot break a login at end of life: an
	// action never deployed, or bound to no trigger.
	idle bool
}

// checks find hits in a document, by the data file's check name.
var checks = map[string]func(d *deprecation, doc any) []hit{
	"action_runtime":          checkActionRuntime,
	"tenant_sandbox":          checkSandbox,
	"enabled_items":           checkEnabled,
	"client_grant_prefix":     checkGrantPrefix,
	"tenant_flag":             checkTenantFlag,
	"non_verifiable_callback": checkNonVerifiable,
	"third_party_permissive":  checkThirdParty,
}

// internalRef matches research notes' ids, which mean nothing to a user.
var internalRef = regexp.MustCompile(`AUTH0-FACTS|\bB-\d+[a-z]?\b`)

// isAuth0Page reports whether raw is a page on auth0.com (docs, support,
// community).
func isAuth0Page(raw string) bool {
	u, err := url.Parse(raw)
	return err == nil && u.Scheme == "https" && (u.Host == "auth0.com" || strings.HasSuffix(u.Host, ".auth0.com"))
}

func mustJSON(v any) []byte {
	b, _ := json.Marshal(v)
	return b
}

// rootOf is the pointer a deprecation's finding sits at: the field
// pattern up to its first wildcard, so one finding covers every client or
// action the pattern names.
func rootOf(pattern string) string {
	if i := strings.Index(pattern, "/*"); i >= 0 {
		return pattern[:i]
	}
	return pattern
}

// needsValues are the checks that are nothing without values.
var needsValues = map[string]bool{
	"action_runtime": true, "tenant_sandbox": true, "client_grant_prefix": true,
	"tenant_flag": true, "non_verifiable_callback": true, "third_party_permissive": true,
}

func mustLoadDeprecations(b []byte) []*deprecation {
	ds, err := loadDeprecations(b)
	if err != nil {
		panic("auth0: deprecations.json: " + err.Error())
	}
	return ds
}

// loadDeprecations parses and validates the deprecations data.
func loadDeprecations(b []byte) ([]*deprecation, error) {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	var ds []*deprecation
	if err := dec.Decode(&ds); err != nil {
		return nil, err
	}
	var errs []error
	ids := map[string]bool{}
	for i, d := range ds {
		bad := func(format string, a ...any) {
			errs = append(errs, fmt.Errorf("entry %d (%s): %s", i, d.ID, fmt.Sprintf(format, a...)))
		}
		if d.ID == "" || ids[d.ID] {
			bad("id is empty or repeated")
		}
		ids[d.ID] = true
		if !strings.HasPrefix(d.Rule, "auth0.deprecated_") {
			bad("rule %q must start with auth0.deprecated_", d.Rule)
		}
		if checks[d.Check] == nil {
			bad("unknown check %q", d.Check)
		}
		if needsValues[d.Check] && len(d.Values) == 0 {
			bad("check %s needs values", d.Check)
		}
		if strings.TrimSpace(d.Fact) == "" || len(d.Sources) == 0 {
			bad("fact and sources are required")
		}
		for _, src := range d.Sources {
			u, err := url.Parse(src.URL)
			if err != nil || u.Scheme != "https" || u.Host == "" || strings.TrimSpace(src.Title) == "" {
				bad("source %q needs a title and a public https URL", src.URL)
			}
		}
		if len(d.Sources) > 0 && !isAuth0Page(d.Sources[0].URL) {
			bad("the first source %q is the finding's link: cite Auth0's own page first", d.Sources[0].URL)
		}
		if id := internalRef.FindString(string(mustJSON(d))); id != "" {
			bad("cites the internal reference %q; cite public sources only", id)
		}
		switch d.EndOfLifeSeverity {
		case "", "breaking":
			d.eolSev = watcher.Breaking
		case "warning":
			d.eolSev = watcher.Warning
		default:
			bad("end_of_life_severity %q: want breaking or warning", d.EndOfLifeSeverity)
		}
		if len(d.Fields) > 0 {
			d.path = rootOf(d.Fields[0])
		}
		if len(d.Fields) == 0 {
			bad("fields are required")
		}
		for _, f := range d.Fields {
			if _, err := diff.ParsePattern(f); err != nil || f == "" {
				bad("field %q is not a JSON Pointer", f)
			}
		}
		var dep time.Time
		var err error
		if d.Deprecated != "" {
			if dep, err = time.Parse(time.DateOnly, d.Deprecated); err != nil {
				bad("deprecated %q is not YYYY-MM-DD", d.Deprecated)
			}
		}
		if d.EndOfLife != "" {
			if d.eol, err = time.Parse(time.DateOnly, d.EndOfLife); err != nil {
				bad("end_of_life %q is not YYYY-MM-DD", d.EndOfLife)
			} else if !dep.IsZero() && d.eol.Before(dep) {
				bad("end_of_life %s is before deprecated %s", d.EndOfLife, d.Deprecated)
			}
		}
	}
	if len(ds) == 0 {
		errs = append(errs, errors.New("no entries"))
	}
	return ds, errors.Join(errs...)
}

// Judge implements watcher.Rule: one finding for every place the tenant
// depends on the deprecated thing; a warning, and once j.Now is past the
// end of life the entry's end-of-life severity (breaking by default) if a
// place is live (an action deployed and bound, an enabled rule).
func (d *deprecation) Judge(j *watcher.Judgement) []watcher.Finding {
	hits := checks[d.Check](d, j.New)
	if len(hits) == 0 {
		return nil
	}
	r := ruleInfo{d.Rule, watcher.Warning, watcher.ThirdParty}
	live := false
	var values []string
	for _, h := range hits {
		live = live || !h.idle
		if h.value != "" && !slices.Contains(values, h.value) {
			values = append(values, h.value)
		}
	}
	if !d.eol.IsZero() && !j.Now.Before(d.eol) && live {
		r.severity = d.eolSev
	}
	f := r.finding(d.path, d.ID, d.title(hits), d.detail(hits, !live && !d.eol.IsZero()), "", strings.Join(values, ", "))
	for _, src := range d.Sources {
		f.AddLink(src.Title, src.URL)
	}
	return []watcher.Finding{f}
}

// title names the deadline and what depends on it: "node16 end of life
// 2025-08-15: action "x" still runs on it", or for several places "...: 3
// actions still depend on it (a, b, c)".
func (d *deprecation) title(hits []hit) string {
	label := d.Label
	switch {
	case label == "":
		label = hits[0].value
		if len(hits) > 1 {
			label = strings.Join(d.Values, "/")
		}
	case strings.Contains(label, "%s"):
		label = fmt.Sprintf(label, hits[0].value)
	}
	var when string
	switch {
	case d.EndOfLife != "":
		when = " end of life " + d.EndOfLife
	case d.Deprecated != "":
		when = " deprecated since " + d.Deprecated
	default:
		when = " deprecated"
	}
	what := hits[0].what
	if len(hits) > 1 {
		var names []string
		for _, h := range hits {
			names = append(names, ownerName(h.path))
		}
		names = slices.Compact(names)
		const shown = 3
		list := strings.Join(names[:min(shown, len(names))], ", ")
		if len(names) > shown {
			list += fmt.Sprintf(" and %d more", len(names)-shown)
		}
		what = fmt.Sprintf("%d places still depend on it (%s)", len(hits), list)
		if kind := ownerKind(hits); kind != "" {
			what = fmt.Sprintf("%d %s still depend on it (%s)", len(names), kind, list)
		}
	}
	return label + when + ": " + what
}

// ownerName is the client, action, rule or hook a hit belongs to, or its
// setting for tenant hits.
func ownerName(path string) string {
	segs := segments(path)
	switch {
	case len(segs) >= 2 && segs[0] != "tenant":
		return strconv.Quote(segs[1])
	case len(segs) > 0:
		return segs[len(segs)-1]
	}
	return path
}

// ownerKind is "clients", "actions"... when every hit is of one kind.
func ownerKind(hits []hit) string {
	kind := ""
	for _, h := range hits {
		segs := segments(h.path)
		if len(segs) < 2 {
			return ""
		}
		k := segs[0]
		switch k {
		case "tenant":
			k = "tenant settings"
		case "resource_servers":
			k = "APIs"
		}
		if kind != "" && kind != k {
			return ""
		}
		kind = k
	}
	return kind
}

func (d *deprecation) detail(hits []hit, idle bool) string {
	eol := d.EndOfLife
	if eol == "" {
		eol = "not announced"
	}
	dep := d.Deprecated
	if dep == "" {
		dep = "unknown"
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%s\nDeprecated: %s. End of life: %s.", d.Fact, dep, eol)
	if d.eolSev == watcher.Warning && d.EndOfLife != "" {
		b.WriteString(" Existing apps keep working after it, so it stays a warning.")
	} else if idle {
		b.WriteString(" Nothing live depends on it (never deployed or bound to no trigger), so it stays a warning.")
	}
	fmt.Fprintf(&b, "\nAffected (%d):", len(hits))
	for _, h := range hits {
		fmt.Fprintf(&b, "\n- %s (%s)", h.what, h.path)
		if h.idle {
			b.WriteString(" — not live")
		}
	}
	b.WriteString("\nSources:")
	for _, src := range d.Sources {
		fmt.Fprintf(&b, "\n- %s: %s", src.Title, src.URL)
	}
	return b.String()
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// matchesGrant reports whether grant is one of values; a value ending in
// "/" matches every grant it prefixes.
func matchesGrant(values []string, grant string) bool {
	for _, v := range values {
		if v == grant || (strings.HasSuffix(v, "/") && strings.HasPrefix(grant, v)) {
			return true
		}
	}
	return false
}

// checkActionRuntime finds actions on a deprecated runtime. An action
// whose deployed version runs on it, bound to a trigger, is live; one only
// drafted on it, never deployed, or supporting no trigger is idle: it
// cannot break a login when the runtime goes.
//
// Where the document holds the trigger bindings, they decide: an action
// bound to a trigger runs on every login (or token exchange...), one bound
// to none never runs. Without them, an action supporting no trigger is
// taken as unbound.
func checkActionRuntime(d *deprecation, doc any) []hit {
	var out []hit
	actions := object(doc, "actions")
	bindings, known := boundTriggers(doc)
	for _, k := range keys(actions) {
		base := "/actions/" + escape(k)
		deployed := show(doc, base+"/deployed_version/deployed") == "true" ||
			(exists(doc, base+"/deployed_version") && !exists(doc, base+"/deployed_version/deployed"))
		// Without a trigger the action cannot run; not recorded, assume it does.
		triggers, recorded := lookup(doc, base+"/supported_triggers")
		list, _ := triggers.([]any)
		bound := !recorded || len(list) > 0
		if known {
			bound = len(bindings[k]) > 0
		}
		// Why it is idle, as clauses of one sentence: "is on it but was
		// never deployed and is bound to no trigger".
		var but []string
		if !deployed {
			but = append(but, "was never deployed")
		}
		if known && !bound {
			but = append(but, "is bound to no trigger")
		}
		tail := ""
		if len(but) > 0 {
			tail = " but " + strings.Join(but, " and ")
		} else if known {
			tail = " (bound to " + strings.Join(bindings[k], ", ") + ")"
		}
		drt := show(doc, base+"/deployed_version/runtime")
		if rt := show(doc, base+"/runtime"); contains(d.Values, rt) {
			what := fmt.Sprintf("action %q still runs on it", k)
			if len(but) > 0 {
				what = fmt.Sprintf("action %q is on it", k)
			}
			idle := !deployed || !bound || (drt != notSet && !contains(d.Values, drt))
			out = append(out, hit{base + "/runtime", rt, rt, what + tail, idle})
		} else if contains(d.Values, drt) {
			out = append(out, hit{base + "/deployed_version/runtime", drt, drt,
				fmt.Sprintf("action %q still has its deployed version on it", k) + tail, !deployed || !bound})
		}
	}
	return out
}

func checkSandbox(d *deprecation, doc any) []hit {
	var out []hit
	for _, f := range []string{"sandbox_version", "legacy_sandbox_version"} {
		if v := show(doc, "/tenant/"+f); contains(d.Values, v) {
			out = append(out, hit{"/tenant/" + f, v, v, fmt.Sprintf("tenant %s is still %q (Rules, Hooks and custom database scripts run on it)", f, v), false})
		}
	}
	return out
}

func checkEnabled(d *deprecation, doc any) []hit {
	var out []hit
	for _, f := range d.Fields {
		segs := segments(f)
		if len(segs) < 3 {
			continue
		}
		coll := segs[0]
		for _, k := range keys(object(doc, coll)) {
			p := diff.Pointer([]string{coll, k, segs[2]})
			if show(doc, p) == "true" {
				out = append(out, hit{p, "", "", fmt.Sprintf("%s %q is still enabled", strings.TrimSuffix(coll, "s"), k), false})
			}
		}
	}
	return out
}

func checkGrantPrefix(d *deprecation, doc any) []hit {
	var out []hit
	for _, k := range keys(object(doc, "clients")) {
		p := "/clients/" + escape(k) + "/grant_types"
		for _, g := range stringsAt(doc, p) {
			if matchesGrant(d.Values, g) {
				out = append(out, hit{p, g, g, fmt.Sprintf("client %q still allows %s", k, grantPhrase([]string{g})), false})
			}
		}
	}
	return out
}

func checkTenantFlag(d *deprecation, doc any) []hit {
	var out []hit
	for _, flag := range d.Values {
		p := "/tenant/flags/" + escape(flag)
		if show(doc, p) == "true" {
			out = append(out, hit{p, "", flag, fmt.Sprintf("tenant flag %s is still on", flag), false})
		}
	}
	return out
}

// checkNonVerifiable finds clients with callbacks on a custom scheme or a
// loopback host (the values), unless the client or tenant opted out.
func checkNonVerifiable(d *deprecation, doc any) []hit {
	const skip = "skip_non_verifiable_callback_uri_confirmation_prompt"
	if show(doc, "/tenant/"+skip) == "true" {
		return nil
	}
	var out []hit
	for _, k := range keys(object(doc, "clients")) {
		base := "/clients/" + escape(k)
		if show(doc, base+"/"+skip) == "true" {
			continue
		}
		var bad []string
		for _, cb := range stringsAt(doc, base+"/callbacks") {
			scheme, host, ok := callbackTarget(cb)
			if ok && ((scheme != "http" && scheme != "https") || contains(d.Values, host)) {
				bad = append(bad, cb)
			}
		}
		if len(bad) > 0 {
			out = append(out, hit{base + "/callbacks", "", "", fmt.Sprintf("client %q has %d non-verifiable callback URL(s): %s",
				k, len(bad), strings.Join(bad, ", ")), false})
		}
	}
	return out
}

// checkThirdParty finds third-party clients not in strict mode, naming the
// grants strict mode forbids that they use.
func checkThirdParty(d *deprecation, doc any) []hit {
	var out []hit
	for _, k := range keys(object(doc, "clients")) {
		base := "/clients/" + escape(k)
		if show(doc, base+"/is_first_party") != "false" || show(doc, base+"/third_party_security_mode") == "strict" {
			continue
		}
		var forbidden []string
		for _, g := range stringsAt(doc, base+"/grant_types") {
			if matchesGrant(d.Values, g) {
				forbidden = append(forbidden, g)
			}
		}
		what := fmt.Sprintf("third-party client %q is not in strict mode (strict requires PKCE)", k)
		if len(forbidden) > 0 {
			what = fmt.Sprintf("third-party client %q is not in strict mode and uses %s", k, grantPhrase(forbidden))
		}
		out = append(out, hit{base + "/third_party_security_mode", "", show(doc, base+"/third_party_security_mode"), what, false})
	}
	return out
}

// grantPhrase names grant types as a sentence does: "the implicit grant",
// "the implicit and password grants".
func grantPhrase(grants []string) string {
	switch n := len(grants); n {
	case 0:
		return "no grant"
	case 1:
		return "the " + grants[0] + " grant"
	default:
		return "the " + strings.Join(grants[:n-1], ", ") + " and " + grants[n-1] + " grants"
	}
}

// callbackTarget reads a callback's scheme and host. A callback written
// without a scheme ("localhost:3000/cb", "app.acme.com/cb") is judged by
// its host, as https: url.Parse would take "localhost" for a custom
// scheme. A private-use scheme ("com.acme.app:/cb") stays a scheme.
func callbackTarget(cb string) (scheme, host string, ok bool) {
	cb = strings.TrimSpace(cb)
	if cb == "" {
		return "", "", false
	}
	if !strings.Contains(cb, "://") {
		before, after, colon := strings.Cut(cb, ":")
		isPort := colon && after != "" && after[0] >= '0' && after[0] <= '9'
		if colon && !isPort && !strings.ContainsAny(before, "/?#") {
			return strings.ToLower(before), "", true // a custom scheme: com.acme.app:/callback
		}
		cb = "https://" + cb
	}
	u, err := url.Parse(cb)
	if err != nil {
		return "", "", false
	}
	return strings.ToLower(u.Scheme), strings.ToLower(u.Hostname()), true
}
