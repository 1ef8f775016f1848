package auth0

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/driftwatch/driftwatch/watcher"
)

// section is one optional part of the tenant beyond the contract's core
// (client grants, trigger bindings, custom domains, log streams, attack
// protection, signing keys, organizations, prompts, branding, the email
// provider, Guardian factors), read after the required endpoints. Each
// lives in its own file. A 403 leaves the section out and names its scope
// in missing_scopes (one auth0.scope_missing finding per scope); a 404
// (nothing configured, or no such endpoint on the tenant) leaves it out
// silently. Any other failure fails the fetch: no partial document.
type section struct {
	key   string // the document's key
	name  string // for messages
	scope string // the read scope a 403 names
	// read returns the raw data, decoded and redacted.
	read func(ctx context.Context, s *session) (any, error)
	// shape turns the raw data into the document's canonical section.
	shape func(raw any, c *shapeContext) any
}

// shapeContext is what shaping a section may need from the rest of the
// document.
type shapeContext struct {
	last      any               // the previous document, or nil
	clientKey map[string]string // client_id → the client's key
	actionKey map[string]string // action id → the action's key (nil without actions)
}

// sections are the optional sections, in reading order.
var sections = []*section{
	grantsSection,
	triggersSection,
	domainsSection,
	logStreamsSection,
	attackSection,
	keysSection,
	organizationsSection,
	promptsSection,
	brandingSection,
	emailSection,
	guardianSection,
}

// SectionScopes returns the read scope of each optional section, by its
// document key, for the documentation and tests.
func SectionScopes() map[string]string {
	out := make(map[string]string, len(sections))
	for _, s := range sections {
		out[s.key] = s.scope
	}
	return out
}

// unread reports that path lies in an optional section the document does
// not hold: its endpoint was refused or missing this time (a scope
// withdrawn), so nothing about it is known. Open findings about it are
// carried as they were, and none of its members is reported gone.
func unread(doc any, path string) bool {
	segs := segments(path)
	if len(segs) == 0 {
		return false
	}
	for _, sec := range sections {
		if sec.key == segs[0] {
			_, ok := lookup(doc, "/"+escape(segs[0]))
			return !ok
		}
	}
	return false
}

// carryUnread returns the open findings of rule when the section at root
// is unread in doc; ok is false when the section was read.
func carryUnread(j *watcher.Judgement, rule, root string) (out []watcher.Finding, ok bool) {
	if !unread(j.New, root) {
		return nil, false
	}
	for _, f := range j.OpenOf(rule) {
		out = append(out, carry(f))
	}
	return out, true
}

// unseenWithout names what a missing scope leaves out: "the client
// grants are", "the trigger bindings and actions are".
func unseenWithout(scope string) string {
	var names []string
	if scope == epActions.scope {
		names = append(names, epActions.name)
	}
	for _, s := range sections {
		if s.scope == scope {
			names = append(names, s.name)
		}
	}
	if len(names) == 0 {
		return "part of the tenant is"
	}
	return "the " + strings.Join(names, " and ") + " are"
}

// readSections reads every optional section into raw.
func (s *session) readSections(ctx context.Context, raw *rawTenant) error {
	raw.sections = map[string]any{}
	for _, sec := range sections {
		v, err := sec.read(ctx, s)
		switch code := statusCode(err); {
		case code == http.StatusForbidden:
			s.p.log.Warn("auth0: the token may not read an optional endpoint; leaving it out of the snapshot",
				"section", sec.name, "scope", sec.scope)
			raw.missing = append(raw.missing, sec.scope)
			continue
		case code == http.StatusNotFound:
			s.p.log.Info("auth0: optional endpoint not found; leaving it out of the snapshot", "section", sec.name)
			continue
		case err != nil:
			return err
		}
		raw.sections[sec.key] = v
	}
	return nil
}

// getOne reads one object (a settings endpoint).
func (s *session) getOne(ctx context.Context, name, path, scope string) (map[string]any, error) {
	ep := endpoint{name: name, path: path, scope: scope}
	v, err := s.get(ctx, path, nil)
	if err != nil {
		return nil, s.fail(ep, "", err)
	}
	m, ok := v.(map[string]any)
	if !ok || isErrorObject(m) {
		return nil, fmt.Errorf("auth0: read %s: unexpected response: %s", name, describe(v, ""))
	}
	return m, nil
}

// listPlain reads a list Auth0 returns whole as a bare JSON array (log
// streams, signing keys, Guardian factors, custom domains). An envelope
// holding ep.key is accepted too, and followed by checkpoint when it
// carries a next token (custom domains page that way when asked).
func (s *session) listPlain(ctx context.Context, ep endpoint) ([]any, error) {
	v, err := s.get(ctx, ep.path, nil)
	if err != nil {
		return nil, s.fail(ep, "", err)
	}
	if list, ok := v.([]any); ok {
		for i, it := range list {
			if _, ok := it.(map[string]any); !ok {
				return nil, fmt.Errorf("auth0: list %s: unexpected response: item %d is a JSON %s, not an object", ep.name, i, kindOf(it))
			}
		}
		return list, nil
	}
	env, items, err := envelope(v, ep.key)
	if err != nil {
		return nil, fmt.Errorf("auth0: list %s: %w", ep.name, err)
	}
	if next, _ := env["next"].(string); next != "" {
		rest, err := s.listCheckpointFrom(ctx, ep, next)
		if err != nil {
			return nil, err
		}
		items = append(items, rest...)
	}
	return items, nil
}

// listCheckpointFrom reads the rest of a checkpoint-paged list from a
// next token.
func (s *session) listCheckpointFrom(ctx context.Context, ep endpoint, from string) ([]any, error) {
	var all []any
	seen := map[string]bool{from: true}
	for page := 1; ; page++ {
		where := fmt.Sprintf(" checkpoint page %d", page+1)
		if page >= s.p.MaxPages {
			return nil, fmt.Errorf("auth0: list %s: still not done after %d pages; giving up", ep.name, page)
		}
		v, err := s.get(ctx, ep.path, url.Values{"take": {strconv.Itoa(perPage)}, "from": {from}})
		if err != nil {
			return nil, s.fail(ep, where, err)
		}
		env, items, err := envelope(v, ep.key)
		if err != nil {
			return nil, fmt.Errorf("auth0: list %s%s: %w", ep.name, where, err)
		}
		all = append(all, items...)
		next, _ := env["next"].(string)
		if next == "" {
			return all, nil
		}
		if seen[next] {
			return nil, fmt.Errorf("auth0: list %s%s: the checkpoint repeats; the upstream never ends the listing", ep.name, where)
		}
		seen[next] = true
		from = next
	}
}

// copyExcept returns a shallow copy of m without the dropped keys.
func copyExcept(m map[string]any, dropped ...string) map[string]any {
	out := make(map[string]any, len(m))
	for k, v := range m {
		out[k] = v
	}
	for _, k := range dropped {
		delete(out, k)
	}
	return out
}

// objects returns the items of a raw list as objects.
func objects(raw any) []map[string]any {
	list, _ := raw.([]any)
	out := make([]map[string]any, 0, len(list))
	for _, it := range list {
		if m, ok := it.(map[string]any); ok {
			out = append(out, m)
		}
	}
	return out
}
