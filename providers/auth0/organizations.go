package auth0

import (
	"context"
)

// Organizations (Auth0's B2B tenants-within-a-tenant), read by checkpoint
// paging as Auth0 requires beyond the first 1000.
//
// Document: "organizations": {"count": N, "items": {"<name>": {id,
// display_name, branding, metadata, token_quota}}}.

var epOrganizations = endpoint{name: "organizations", path: "/api/v2/organizations", key: "organizations", scope: "read:organizations"}

var organizationsSection = &section{
	key: "organizations", name: epOrganizations.name, scope: epOrganizations.scope,
	read: func(ctx context.Context, s *session) (any, error) {
		items, err := s.listCheckpoint(ctx, epOrganizations)
		if items == nil {
			items = []any{}
		}
		return items, err
	},
	shape: func(raw any, c *shapeContext) any {
		list, _ := raw.([]any)
		prev := map[string]string{}
		if items := object(c.last, "organizations", "items"); items != nil {
			prev = previousKeys(map[string]any{"o": items}, "o", "id")
		}
		items, _ := keyed(list, "name", "id", prev, nil)
		return map[string]any{"count": len(list), "items": items}
	},
}
