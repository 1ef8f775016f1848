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
// end: until the collected items reach the envelope's total (length is not
// trusted: Auth0 sends 0), or a page comes back empty.
func (s *session) listOffset(ctx context.Context, ep endpoint) ([]any, error) {
	var all []any
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
		if len(items) == 0 {
			break
		}
		// An upstream that ignores page would serve page 0 forever.
		first := itemID(items[0])
		if page > 0 && first != "" && first == prevFirst {
			return nil, fmt.Errorf("auth0: list %s%s: the page repeats the previous one; the upstream ignores paging", ep.name, where)
		}
		prevFirst = first
		all = append(all, items...)
		if total, ok := number(env["total"]); ok {
			if len(all) >= total {
				break
			}
			continue
		}
		size := perPage
		if n, ok := number(env["limit"]); ok && n > 0 {
			size = n
		} else if n, ok := number(env["per_page"]); ok && n > 0 {
			size = n
		}
		if len(items) < size {
			break
		}
	}
	return all, nil
}

// listCheckpoint reads a list paged by checkpoint: take, then
// from=<next> until a page carries no next.
func (s *session) listCheckpoint(ctx context.Context, ep endpoint) ([]any, error) {
	var all []any
	seen := map[string]bool{}
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
		all = append(all, items...)
		next, _ := env["next"].(string)
		if next == "" {
			break
		}
		if seen[next] {
			return nil, fmt.Errorf("auth0: list %s%s: the checkpoint repeats; the upstream never ends the listing", ep.name, where)
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
