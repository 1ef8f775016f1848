package auth0

import (
	"context"
	"fmt"

	"github.com/driftwatch/driftwatch/diff"
	"github.com/driftwatch/driftwatch/watcher"
)

// Client grants say which API (audience) each application may call by
// client credentials, and with which scopes.
//
// Document: "client_grants": {"<client key> → <audience>": {id,
// client_id, audience, scope: [set], ...}}. A grant for user access
// (subject_type "user") is keyed "<client key> → <audience> (user)".
// A client whose id no client has is named by its id.

// RuleClientGrantRemoved and RuleClientGrantScopeRemoved judge grants.
const (
	RuleClientGrantRemoved      = "auth0.client_grant_removed"
	RuleClientGrantScopeRemoved = "auth0.client_grant_scope_removed"
)

var epClientGrants = endpoint{name: "client grants", path: "/api/v2/client-grants", key: "client_grants", scope: "read:client_grants"}

var grantsSection = &section{
	key: "client_grants", name: epClientGrants.name, scope: epClientGrants.scope,
	read: func(ctx context.Context, s *session) (any, error) {
		items, err := s.listOffset(ctx, epClientGrants)
		if items == nil {
			items = []any{}
		}
		return items, err
	},
	shape: func(raw any, c *shapeContext) any {
		list, _ := raw.([]any)
		name := func(m map[string]any) string {
			id, _ := m["client_id"].(string)
			client := c.clientKey[id]
			if client == "" {
				client = id
			}
			aud, _ := m["audience"].(string)
			key := client + " → " + aud
			if st, _ := m["subject_type"].(string); st == "user" {
				key += " (user)"
			}
			return key
		}
		out, _ := keyedBy(list, name, "id", previousKeys(c.last, "client_grants", "id"), nil)
		return out
	},
}

// grantExpected makes a grant finding breaking when an [[expect]] names
// its path (the grant, or a scope of it).
func grantExpected(opt RuleOptions, f *watcher.Finding, path, value string) {
	if opt.Expected != nil && opt.Expected(path, value) {
		f.Severity = watcher.Breaking
		f.Detail += " A configured expectation says the deployed app relies on it."
	}
}

func clientGrantRemovedRule(opt RuleOptions) watcher.Rule {
	return &keyRule{
		ruleInfo:   ruleInfo{RuleClientGrantRemoved, watcher.Warning, watcher.Configuration},
		collection: "client_grants",
		// A grant whose client was renamed is keyed anew: it is not gone.
		skip: func(newDoc any, old map[string]any) bool {
			id, _ := old["id"].(string)
			_, ok := previousKeys(newDoc, "client_grants", "id")[id]
			return id != "" && ok
		},
		make: func(r ruleInfo, path, key string, old map[string]any, _ any) watcher.Finding {
			aud, _ := old["audience"].(string)
			title := fmt.Sprintf("Client grant %q removed", key)
			detail := fmt.Sprintf("The application may no longer get tokens for %s by client credentials: its back-end calls to that API now fail with access_denied.", aud)
			f := r.finding(path, "", title, detail, key, "")
			grantExpected(opt, &f, path, "")
			return f
		},
	}
}

func clientGrantScopeRemovedRule(opt RuleOptions) watcher.Rule {
	return &setRule{
		ruleInfo: ruleInfo{RuleClientGrantScopeRemoved, watcher.Warning, watcher.Configuration},
		sets: func(doc any) []string {
			var out []string
			for _, k := range keys(object(doc, "client_grants")) {
				out = append(out, diff.Pointer([]string{"client_grants", k, "scope"}))
			}
			return out
		},
		make: func(r ruleInfo, path, set, scope string) watcher.Finding {
			grant := segments(set)[1]
			title := fmt.Sprintf("Scope %s removed from client grant %q", scope, grant)
			detail := fmt.Sprintf("Tokens the application gets for this API no longer carry %s: calls needing it now fail with 403 insufficient_scope.", scope)
			f := r.finding(path, scope, title, detail, scope, "")
			grantExpected(opt, &f, set, scope)
			return f
		},
	}
}
