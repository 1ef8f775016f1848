package auth0

import (
	"context"
	"fmt"

	"github.com/driftwatch/driftwatch/diff"
	"github.com/driftwatch/driftwatch/watcher"
)

// Guardian factors are the MFA methods users may enrol and log in with.
//
// Document: "guardian_factors": {"<name>": {enabled, trial_expired}}
// (sms, push-notification, otp, email, duo, webauthn-roaming, ...).

// RuleMFAFactorDisabled finds an MFA factor switched off.
const RuleMFAFactorDisabled = "auth0.mfa_factor_disabled"

var epGuardianFactors = endpoint{name: "Guardian factors", path: "/api/v2/guardian/factors", key: "factors", scope: "read:guardian_factors"}

var guardianSection = &section{
	key: "guardian_factors", name: epGuardianFactors.name, scope: epGuardianFactors.scope,
	read: func(ctx context.Context, s *session) (any, error) {
		return s.listPlain(ctx, epGuardianFactors)
	},
	shape: func(raw any, _ *shapeContext) any {
		out := map[string]any{}
		for i, f := range objects(raw) {
			name, _ := f["name"].(string)
			if name == "" {
				name = fmt.Sprintf("(unnamed) [%d]", i)
			}
			out[name] = copyExcept(f, "name")
		}
		return out
	},
}

func mfaFactorDisabledRule() watcher.Rule {
	return &valueRule{
		ruleInfo: ruleInfo{RuleMFAFactorDisabled, watcher.Warning, watcher.Configuration},
		paths: func(doc any) []string {
			var out []string
			for _, k := range keys(object(doc, "guardian_factors")) {
				out = append(out, diff.Pointer([]string{"guardian_factors", k, "enabled"}))
			}
			return out
		},
		counts: func(_ any, _, old, new string) bool { return old == "true" && new != "true" },
		make: func(r ruleInfo, path, old, new string) watcher.Finding {
			factor := segments(path)[1]
			title := fmt.Sprintf("MFA factor %s disabled", factor)
			effect := fmt.Sprintf("Users enrolled with %s can no longer use it as a second factor: they must enrol another one, or cannot log in where MFA is required.", factor)
			return r.finding(path, factor, title, changeDetail(effect, old, new), old, new)
		},
	}
}
