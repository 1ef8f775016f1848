package auth0

import (
	"context"
	"fmt"

	"github.com/driftwatch/driftwatch/watcher"
)

// Attack protection: brute-force protection, breached password detection
// and suspicious IP throttling, each one settings object.
//
// Document: "attack_protection": {"brute_force_protection": {enabled,
// shields: [set], mode, allowlist: [set], max_attempts},
// "breached_password_detection": {enabled, shields, method,
// admin_notification_frequency: [set], stage}, "suspicious_ip_throttling":
// {enabled, shields, allowlist, stage}}.

// RuleAttackProtectionOff finds a protection turned off.
const RuleAttackProtectionOff = "auth0.attack_protection_off"

// attackProtections are the three settings, by document key, with their
// endpoint and what turning one off exposes.
var attackProtections = []struct{ key, path, label, effect string }{
	{"brute_force_protection", "/api/v2/attack-protection/brute-force-protection", "Brute-force protection",
		"Repeated failed logins against one account are no longer blocked."},
	{"breached_password_detection", "/api/v2/attack-protection/breached-password-detection", "Breached password detection",
		"Logins and sign-ups with passwords known from breaches are no longer caught."},
	{"suspicious_ip_throttling", "/api/v2/attack-protection/suspicious-ip-throttling", "Suspicious IP throttling",
		"Credential stuffing from one IP address across many accounts is no longer throttled."},
}

const scopeAttackProtection = "read:attack_protection"

var attackSection = &section{
	key: "attack_protection", name: "attack protection", scope: scopeAttackProtection,
	read: func(ctx context.Context, s *session) (any, error) {
		out := map[string]any{}
		for _, ap := range attackProtections {
			m, err := s.getOne(ctx, ap.label, ap.path, scopeAttackProtection)
			if err != nil {
				return nil, err
			}
			out[ap.key] = m
		}
		return out, nil
	},
	shape: func(raw any, _ *shapeContext) any { return raw },
}

func attackProtectionOffRule() watcher.Rule {
	return &valueRule{
		ruleInfo: ruleInfo{RuleAttackProtectionOff, watcher.Warning, watcher.Configuration},
		paths: func(doc any) []string {
			var out []string
			for _, ap := range attackProtections {
				if exists(doc, "/attack_protection/"+ap.key) {
					out = append(out, "/attack_protection/"+ap.key+"/enabled")
				}
			}
			return out
		},
		// Only switching off counts; switching on is no risk.
		counts: func(_ any, _, old, new string) bool { return old == "true" && new != "true" },
		make: func(r ruleInfo, path, old, new string) watcher.Finding {
			key := segments(path)[1]
			label, effect := key, ""
			for _, ap := range attackProtections {
				if ap.key == key {
					label, effect = ap.label, ap.effect
				}
			}
			return r.finding(path, "", fmt.Sprintf("%s turned off", label), changeDetail(effect, old, new), old, new)
		},
	}
}
