package auth0

import (
	"context"
	"fmt"

	"github.com/driftwatch/driftwatch/watcher"
)

// Prompts and branding shape the Universal Login pages.
//
// Document: "prompts": {universal_login_experience: "new"|"classic",
// identifier_first, webauthn_platform_first_factor}; "branding": {colors,
// favicon_url, logo_url, font{url}}.

// RuleLoginExperienceChanged finds Universal Login switched between the
// new and the classic experience.
const RuleLoginExperienceChanged = "auth0.login_experience_changed"

var promptsSection = &section{
	key: "prompts", name: "prompts", scope: "read:prompts",
	read: func(ctx context.Context, s *session) (any, error) {
		return s.getOne(ctx, "prompts", "/api/v2/prompts", "read:prompts")
	},
	shape: func(raw any, _ *shapeContext) any { return raw },
}

var brandingSection = &section{
	key: "branding", name: "branding", scope: "read:branding",
	read: func(ctx context.Context, s *session) (any, error) {
		return s.getOne(ctx, "branding", "/api/v2/branding", "read:branding")
	},
	shape: func(raw any, _ *shapeContext) any { return raw },
}

func loginExperienceRule() watcher.Rule {
	return &valueRule{
		ruleInfo: ruleInfo{RuleLoginExperienceChanged, watcher.Warning, watcher.Configuration},
		paths: func(doc any) []string {
			if !exists(doc, "/prompts") {
				return nil
			}
			return []string{"/prompts/universal_login_experience"}
		},
		counts: func(_ any, _, old, new string) bool { return old != notSet && new != notSet },
		make: func(r ruleInfo, path, old, new string) watcher.Finding {
			title := fmt.Sprintf("Universal Login experience switched from %s to %s", old, new)
			effect := "Every login page changes: custom page templates, CSS and scripts written for one experience do not apply to the other, and tests driving the pages break."
			return r.finding(path, "", title, changeDetail(effect, old, new), old, new)
		},
	}
}
