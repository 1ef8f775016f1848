package auth0

import (
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/driftwatch/driftwatch/diff"
	"github.com/driftwatch/driftwatch/watcher"
)

// logSlack allows for the clocks of Auth0's log and of the polls: an
// event first read by this poll and stamped a little before the previous
// fetch may be the change that fetch missed. An event read by an earlier
// poll gets no such slack: it was there to explain that poll's diffs.
const logSlack = 2 * time.Minute

// ruleMethods are the methods of the only admin changes that can explain
// a finding of these rules: an application is re-created by a DELETE and a
// POST, an object removed by a DELETE; a PATCH of its settings did neither.
var ruleMethods = map[string][]string{
	RuleClientRecreated:       {"POST", "DELETE"},
	RuleClientRemoved:         {"DELETE"},
	RuleConnectionRemoved:     {"DELETE"},
	RuleResourceServerRemoved: {"DELETE"},
}

// noAdminChange starts the detail line of a change no admin made.
const noAdminChange = "No admin change is recorded in the tenant logs"

// attributing runs the change rules and says who made each configuration
// change they find, from the tenant's admin log (sapi events) between the
// previous snapshot and this one: "Changed by alice@acme.com in the
// Dashboard", or by a Management API client. A change no admin made that
// Auth0 itself could have made (a default made explicit, a scope of its
// own API, a legacy grant or flag retired) is said to be Auth0's and
// categorised third-party. Without logs (no read:logs) findings are left
// as they are.
func attributing(rules []watcher.Rule) watcher.Rule {
	return watcher.RuleFunc(func(j *watcher.Judgement) []watcher.Finding {
		var out []watcher.Finding
		for _, r := range rules {
			out = append(out, r.Judge(j)...)
		}
		if j.Memo[memoLogs] != "ok" {
			return out
		}
		changes := loadLogState(j.Memo).changes
		open := map[string]watcher.Finding{}
		for _, f := range j.Open {
			open[f.Fingerprint()] = f
		}
		for i := range out {
			f := &out[i]
			if f.Category != watcher.Configuration || f.Rule == RuleScopeMissing || j.Baseline {
				continue
			}
			probe := *f
			probe.Source = j.Source.Name
			if prev, ok := open[probe.Fingerprint()]; ok {
				// Carried forward: it keeps who made the change, or that no
				// admin did, as said when it was found.
				f.Changed, f.Category = prev.Changed, prev.Category
				if prev.Changed != nil {
					f.Detail = joinLines(f.Detail, prev.Changed.Text())
				}
				for _, line := range strings.Split(prev.Detail, "\n") {
					if strings.HasPrefix(line, noAdminChange) {
						f.Detail = joinLines(f.Detail, line)
					}
				}
				continue
			}
			if c, ok := matchChange(changes, targets(f.Path, j.Old, j.New), ruleMethods[f.Rule], j.OldAt, j.Now); ok {
				f.Changed = &watcher.Attribution{By: c.By, Via: c.Via, At: c.Date, LogID: c.ID}
				f.Detail = joinLines(f.Detail, f.Changed.Text())
				continue
			}
			if j.Memo[memoLogsBehind] != "" || j.OldAt.IsZero() {
				continue // the log is not read up to now: silence is not evidence
			}
			window := " between " + j.OldAt.UTC().Format("2006-01-02 15:04") + " and " + j.Now.UTC().Format("2006-01-02 15:04 UTC")
			if auth0Could(f, j) {
				f.Category = watcher.ThirdParty
				f.Detail = joinLines(f.Detail, noAdminChange+window+
					": Auth0 itself likely made this change (a platform default, migration or deprecation), not your team.")
				continue
			}
			f.Detail = joinLines(f.Detail, noAdminChange+window+".")
		}
		return out
	})
}

// targets are the Management API paths whose changes touch what a
// finding's path points at: the client, connection, resource server,
// action, rule or hook by its id, or the tenant settings.
func targets(path string, old, new any) []string {
	segs, err := diff.ParsePointer(path)
	if err != nil || len(segs) == 0 {
		return nil
	}
	if segs[0] == "tenant" {
		return []string{"/api/v2/tenants/settings"}
	}
	if len(segs) < 2 {
		return nil
	}
	idKey, prefix := "id", ""
	switch segs[0] {
	case "clients":
		idKey, prefix = "client_id", "/api/v2/clients/"
	case "connections":
		prefix = "/api/v2/connections/"
	case "resource_servers":
		prefix = "/api/v2/resource-servers/"
	case "actions":
		prefix = "/api/v2/actions/actions/"
	case "rules":
		prefix = "/api/v2/rules/"
	case "hooks":
		prefix = "/api/v2/hooks/"
	default:
		return nil
	}
	var out []string
	for _, doc := range []any{new, old} {
		if id, _ := object(doc, segs[0], segs[1])[idKey].(string); id != "" {
			out = append(out, prefix+id, prefix+url.PathEscape(id))
		}
	}
	if segs[0] == "resource_servers" {
		out = append(out, prefix+url.PathEscape(segs[1])) // by identifier
	}
	return out
}

// matchChange finds the newest successful admin change to one of the
// targets between the previous fetch and now, made with one of methods
// (any that writes when none are given).
func matchChange(changes []logChange, targets, methods []string, since, now time.Time) (logChange, bool) {
	var best logChange
	found := false
	for _, c := range changes {
		if c.Method == "GET" || (c.Status != 0 && (c.Status < 200 || c.Status > 299)) {
			continue
		}
		if len(methods) > 0 && !slices.Contains(methods, c.Method) {
			continue
		}
		from := since.Add(-logSlack)
		if c.Earlier {
			from = since
		}
		if (!since.IsZero() && c.Date.Before(from)) || c.Date.After(now.Add(logSlack)) {
			continue
		}
		for _, t := range targets {
			if c.Path == t || strings.HasPrefix(c.Path, t+"/") || strings.HasPrefix(c.Path, t+"?") {
				if !found || !c.Date.Before(best.Date) {
					best, found = c, true
				}
				break
			}
		}
	}
	return best, found
}

// auth0Could reports whether Auth0 itself could have made the change: a
// setting that was not set before (a default made explicit), a change to
// a resource server Auth0 owns (its Management API's scopes), a legacy
// grant or flag retired by a deprecation.
func auth0Could(f *watcher.Finding, j *watcher.Judgement) bool {
	if f.Old == notSet || f.Old == "" {
		return true
	}
	segs, _ := diff.ParsePointer(f.Path)
	if len(segs) >= 2 && segs[0] == "resource_servers" {
		if sys, _ := object(j.Old, segs[0], segs[1])["is_system"].(bool); sys {
			return true
		}
	}
	if f.Rule == RuleGrantRemoved && strings.Contains(f.Old+" "+f.Subject, "auth0.com/oauth/legacy/") {
		return true
	}
	return f.Rule == RuleTenantFlagChanged && strings.Contains(f.Path, "legacy")
}

func joinLines(a, b string) string {
	if a == "" {
		return b
	}
	return a + "\n" + b
}
