package auth0

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
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
// snapshot, the baseline included.
type deprecation struct {
	ID         string   `json:"id"`
	Rule       string   `json:"rule"`
	Check      string   `json:"check"`
	Values     []string `json:"values"`
	Label      string   `json:"label"`
	Fact       string   `json:"fact"`
	Deprecated string   `json:"deprecated"`
	EndOfLife  string   `json:"end_of_life"`
	Source     string   `json:"source"`
	Fields     []string `json:"fields"`

	eol time.Time
}

// hit is one place the tenant still depends on a deprecated thing.
type hit struct {
	path, subject string
	value         string // the deprecated value found (runtime, flag)
	what          string // "action \"x\" still runs on it"
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
		if strings.TrimSpace(d.Fact) == "" || strings.TrimSpace(d.Source) == "" {
			bad("fact and source are required")
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

// Judge implements watcher.Rule: warning, breaking once j.Now is past the
// end of life.
func (d *deprecation) Judge(j *watcher.Judgement) []watcher.Finding {
	hits := checks[d.Check](d, j.New)
	if len(hits) == 0 {
		return nil
	}
	r := ruleInfo{d.Rule, watcher.Warning, watcher.ThirdParty}
	if !d.eol.IsZero() && !j.Now.Before(d.eol) {
		r.severity = watcher.Breaking
	}
	out := make([]watcher.Finding, 0, len(hits))
	for _, h := range hits {
		out = append(out, r.finding(h.path, h.subject, d.title(h), d.detail(h), "", h.value))
	}
	return sorted(out)
}

// title names the deadline: "node16 end of life 2025-08-15: action "x"
// still runs on it".
func (d *deprecation) title(h hit) string {
	label := d.Label
	switch {
	case label == "":
		label = h.value
	case strings.Contains(label, "%s"):
		label = fmt.Sprintf(label, h.value)
	}
	switch {
	case d.EndOfLife != "":
		return fmt.Sprintf("%s end of life %s: %s", label, d.EndOfLife, h.what)
	case d.Deprecated != "":
		return fmt.Sprintf("%s deprecated since %s: %s", label, d.Deprecated, h.what)
	}
	return fmt.Sprintf("%s deprecated: %s", label, h.what)
}

func (d *deprecation) detail(h hit) string {
	eol := d.EndOfLife
	if eol == "" {
		eol = "not announced"
	}
	dep := d.Deprecated
	if dep == "" {
		dep = "unknown"
	}
	return fmt.Sprintf("%s\nDeprecated: %s. End of life: %s.\nSource: %s", d.Fact, dep, eol, d.Source)
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

func checkActionRuntime(d *deprecation, doc any) []hit {
	var out []hit
	actions := object(doc, "actions")
	for _, k := range keys(actions) {
		base := "/actions/" + escape(k)
		if rt := show(doc, base+"/runtime"); contains(d.Values, rt) {
			out = append(out, hit{base + "/runtime", rt, rt, fmt.Sprintf("action %q still runs on it", k)})
		} else if rt := show(doc, base+"/deployed_version/runtime"); contains(d.Values, rt) {
			out = append(out, hit{base + "/deployed_version/runtime", rt, rt, fmt.Sprintf("action %q still has its deployed version on it", k)})
		}
	}
	return out
}

func checkSandbox(d *deprecation, doc any) []hit {
	var out []hit
	for _, f := range []string{"sandbox_version", "legacy_sandbox_version"} {
		if v := show(doc, "/tenant/"+f); contains(d.Values, v) {
			out = append(out, hit{"/tenant/" + f, v, v, fmt.Sprintf("tenant %s is still %q (Rules, Hooks and custom database scripts run on it)", f, v)})
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
				out = append(out, hit{p, "", "", fmt.Sprintf("%s %q is still enabled", strings.TrimSuffix(coll, "s"), k)})
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
				out = append(out, hit{p, g, g, fmt.Sprintf("client %q still allows %s", k, g)})
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
			out = append(out, hit{p, "", flag, fmt.Sprintf("tenant flag %s is still on", flag)})
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
			u, err := url.Parse(cb)
			if err != nil || u.Scheme == "" {
				continue
			}
			if (u.Scheme != "http" && u.Scheme != "https") || contains(d.Values, u.Hostname()) {
				bad = append(bad, cb)
			}
		}
		if len(bad) > 0 {
			out = append(out, hit{base + "/callbacks", "", "", fmt.Sprintf("client %q has %d non-verifiable callback URL(s): %s",
				k, len(bad), strings.Join(bad, ", "))})
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
			what = fmt.Sprintf("third-party client %q is not in strict mode and uses %s", k, strings.Join(forbidden, ", "))
		}
		out = append(out, hit{base + "/third_party_security_mode", "", show(doc, base+"/third_party_security_mode"), what})
	}
	return out
}
