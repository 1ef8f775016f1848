package auth0

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"slices"

	"github.com/driftwatch/driftwatch/diff"
	"github.com/driftwatch/driftwatch/watcher"
)

// Trigger bindings say which actions actually run, and in which order, on
// each trigger (post-login, credentials-exchange, ...): an action that is
// deployed but bound to no trigger never runs.
//
// Document: "trigger_bindings": {"<trigger id>": ["<action key>", ...]},
// every trigger the tenant lists, each with its bound actions in
// execution order (not a set: the order is configuration). An action is
// named by its key in "actions", else by its name.

// RuleActionUnbound finds an action no longer bound to a trigger.
const RuleActionUnbound = "auth0.action_unbound"

var epTriggers = endpoint{name: "action triggers", path: "/api/v2/actions/triggers", key: "triggers", scope: "read:actions"}

var triggersSection = &section{
	key: "trigger_bindings", name: "trigger bindings", scope: epTriggers.scope,
	read: func(ctx context.Context, s *session) (any, error) {
		v, err := s.get(ctx, epTriggers.path, nil)
		if err != nil {
			return nil, s.fail(epTriggers, "", err)
		}
		_, triggers, err := envelope(v, epTriggers.key)
		if err != nil {
			return nil, fmt.Errorf("auth0: list %s: %w", epTriggers.name, err)
		}
		// A trigger is listed once per version; its bindings are one list.
		var ids []string
		for _, t := range triggers {
			if id, _ := t.(map[string]any)["id"].(string); id != "" && !slices.Contains(ids, id) {
				ids = append(ids, id)
			}
		}
		out := map[string]any{}
		for _, id := range ids {
			ep := endpoint{name: "bindings of trigger " + id, path: epTriggers.path + "/" + url.PathEscape(id) + "/bindings",
				key: "bindings", scope: epTriggers.scope}
			items, err := s.listOffset(ctx, ep)
			if statusCode(err) == http.StatusNotFound {
				continue // a trigger that takes no bindings
			}
			if err != nil {
				return nil, err
			}
			if items == nil {
				items = []any{}
			}
			out[id] = items
		}
		return out, nil
	},
	shape: func(raw any, c *shapeContext) any {
		m, _ := raw.(map[string]any)
		out := make(map[string]any, len(m))
		for trigger, v := range m {
			names := []any{}
			for _, b := range objects(v) {
				a, _ := b["action"].(map[string]any)
				id, _ := a["id"].(string)
				name := c.actionKey[id]
				if name == "" {
					name, _ = a["name"].(string)
				}
				if name == "" {
					name, _ = b["display_name"].(string)
				}
				names = append(names, name)
			}
			out[trigger] = names
		}
		return out
	},
}

// boundTriggers maps each action key to the triggers it is bound to;
// ok is false when the document has no trigger bindings (unread).
func boundTriggers(doc any) (map[string][]string, bool) {
	tb, ok := lookup(doc, "/trigger_bindings")
	m, _ := tb.(map[string]any)
	if !ok || m == nil {
		return nil, false
	}
	out := map[string][]string{}
	for _, trigger := range keys(m) {
		for _, a := range stringsAt(doc, diff.Pointer([]string{"trigger_bindings", trigger})) {
			out[a] = append(out[a], trigger)
		}
	}
	return out, true
}

func actionUnboundRule() watcher.Rule {
	return &setRule{
		ruleInfo: ruleInfo{RuleActionUnbound, watcher.Warning, watcher.Configuration},
		sets: func(doc any) []string {
			var out []string
			for _, k := range keys(object(doc, "trigger_bindings")) {
				out = append(out, diff.Pointer([]string{"trigger_bindings", k}))
			}
			return out
		},
		make: func(r ruleInfo, path, set, action string) watcher.Finding {
			trigger := lastSegment(set)
			title := fmt.Sprintf("Action %q no longer runs on %s", action, trigger)
			detail := fmt.Sprintf("The action %q was unbound from the %s trigger: whatever it did there (claims, MFA, redirects, checks) no longer happens.", action, trigger)
			return r.finding(path, action, title, detail, action, "")
		},
	}
}
