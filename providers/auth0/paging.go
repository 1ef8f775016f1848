package auth0

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"strconv"
)

// perPage is the largest page Auth0 serves.
const perPage = 100

// listOffset reads a list paged by page/per_page/include_totals to its
// end. With a total in the envelope (length is not trusted: Auth0 sends
// 0), the items read must come to exactly that total: a page that comes
// back empty, short or repeated before it is a failed fetch, never a
// shorter list (which would read as every missing item removed). Without
// a total, a short or empty page ends the list. Ids must be unique.
func (s *session) listOffset(ctx context.Context, ep endpoint) ([]any, error) {
	var all []any
	ids := idSet{}
	total := -1 // the total the first page announced
	var prevFirst string
	for page := 0; ; page++ {
		where := fmt.Sprintf(" page=%d", page)
		if page >= s.p.MaxPages {
			return nil, fmt.Errorf("auth0: list %s: still not done after %d pages; giving up", ep.name, page)
		}
		q := url.Values{"page": {strconv.Itoa(page)}, "per_page": {strconv.Itoa(perPage)}, "include_totals": {"true"}}
		v, err := s.get(ctx, ep.path, q)
		if err != nil {
			return nil, s.fail(ep, where, err)
		}
		env, items, err := envelope(v, ep.key)
		if err != nil {
			return nil, fmt.Errorf("auth0: list %s%s: %w", ep.name, where, err)
		}
		// An upstream that ignores page would serve page 0 forever.
		if len(items) > 0 {
			first := itemID(items[0])
			if page > 0 && first != "" && first == prevFirst {
				return nil, fmt.Errorf("auth0: list %s%s: the page repeats the previous one; the upstream ignores paging", ep.name, where)
			}
			prevFirst = first
		}
		if err := ids.add(items); err != nil {
			return nil, fmt.Errorf("auth0: list %s%s: %w; the listing is inconsistent (a list changing while read?)", ep.name, where, err)
		}
		all = append(all, items...)
		if t, ok := number(env["total"]); ok {
			if total >= 0 && t != total {
				return nil, fmt.Errorf("auth0: list %s%s: the total changed from %d to %d while the list was read; nothing stored, the next poll reads it again", ep.name, where, total, t)
			}
			total = t
			switch {
			case len(all) == total:
				return all, nil
			case len(all) > total:
				return nil, fmt.Errorf("auth0: list %s%s: %d items read, more than the total of %d", ep.name, where, len(all), total)
			case len(items) == 0:
				return nil, fmt.Errorf("auth0: list %s%s: an empty page after %d of %d items; nothing stored, the next poll reads it again", ep.name, where, len(all), total)
			}
			continue
		}
		if total >= 0 {
			return nil, fmt.Errorf("auth0: list %s%s: the page has no total, the first one did", ep.name, where)
		}
		size := perPage
		if n, ok := number(env["limit"]); ok && n > 0 {
			size = n
		} else if n, ok := number(env["per_page"]); ok && n > 0 {
			size = n
		}
		if len(items) < size {
			return all, nil
		}
	}
}

// idSet checks that a listing names each item once.
type idSet map[string]bool

// add records the items' ids; an id seen before is an error.
func (s idSet) add(items []any) error {
	for _, it := range items {
		id := itemID(it)
		if id == "" {
			continue
		}
		if s[id] {
			return fmt.Errorf("item %q listed twice", id)
		}
		s[id] = true
	}
	return nil
}

// listCheckpoint reads a list paged by checkpoint: take, then
// from=<next> until a page carries no next.
func (s *session) listCheckpoint(ctx context.Context, ep endpoint) ([]any, error) {
	var all []any
	seen := map[string]bool{}
	ids := idSet{}
	from := ""
	for page := 0; ; page++ {
		where := fmt.Sprintf(" checkpoint page %d", page+1)
		if page >= s.p.MaxPages {
			return nil, fmt.Errorf("auth0: list %s: still not done after %d pages; giving up", ep.name, page)
		}
		q := url.Values{"take": {strconv.Itoa(perPage)}}
		if from != "" {
			q.Set("from", from)
		}
		v, err := s.get(ctx, ep.path, q)
		if err != nil {
			return nil, s.fail(ep, where, err)
		}
		env, items, err := envelope(v, ep.key)
		if err != nil {
			return nil, fmt.Errorf("auth0: list %s%s: %w", ep.name, where, err)
		}
		next, _ := env["next"].(string)
		if next != "" && seen[next] {
			return nil, fmt.Errorf("auth0: list %s%s: the checkpoint repeats; the upstream never ends the listing", ep.name, where)
		}
		if err := ids.add(items); err != nil {
			return nil, fmt.Errorf("auth0: list %s%s: %w; the listing is inconsistent", ep.name, where, err)
		}
		all = append(all, items...)
		if next == "" {
			break
		}
		seen[next] = true
		from = next
	}
	return all, nil
}

// envelope checks a list page's shape: an object holding key, a list of
// objects. An error object or anything else is an error.
func envelope(v any, key string) (map[string]any, []any, error) {
	env, ok := v.(map[string]any)
	if !ok {
		return nil, nil, fmt.Errorf("unexpected response: %s", describe(v, key))
	}
	items, ok := env[key].([]any)
	if !ok {
		return nil, nil, fmt.Errorf("unexpected response: %s", describe(v, key))
	}
	for i, it := range items {
		if _, ok := it.(map[string]any); !ok {
			return nil, nil, fmt.Errorf("unexpected response: %s item %d is a JSON %s, not an object", key, i, kindOf(it))
		}
	}
	return env, items, nil
}

// itemID is an item's id (client_id for clients), or "".
func itemID(v any) string {
	m, _ := v.(map[string]any)
	for _, k := range []string{"id", "client_id", "identifier"} {
		if s, ok := m[k].(string); ok && s != "" {
			return s
		}
	}
	return ""
}

// number reads a non-negative JSON integer.
func number(v any) (int, bool) {
	n, ok := v.(json.Number)
	if !ok {
		return 0, false
	}
	i, err := strconv.Atoi(n.String())
	return i, err == nil && i >= 0
}
