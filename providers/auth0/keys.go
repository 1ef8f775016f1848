package auth0

import (
	"context"
	"fmt"

	"github.com/driftwatch/driftwatch/diff"
	"github.com/driftwatch/driftwatch/watcher"
)

// Signing keys sign the tenant's ID and access tokens. Only their public
// metadata is kept; the certificate and its PKCS#7 form are dropped.
//
// Document: "signing_keys": {"<kid>": {kid, thumbprint, fingerprint,
// current, next, previous, revoked, revoked_at, current_since,
// current_until}}.

// The signing key rules.
const (
	RuleSigningKeyRotated = "auth0.signing_key_rotated"
	RuleSigningKeyRevoked = "auth0.signing_key_revoked"
)

var epSigningKeys = endpoint{name: "signing keys", path: "/api/v2/keys/signing", key: "keys", scope: "read:signing_keys"}

// signingKeyFields are the public metadata kept of a key.
var signingKeyFields = []string{"kid", "thumbprint", "fingerprint", "current", "next", "previous",
	"revoked", "revoked_at", "current_since", "current_until"}

var keysSection = &section{
	key: "signing_keys", name: epSigningKeys.name, scope: epSigningKeys.scope,
	read: func(ctx context.Context, s *session) (any, error) {
		return s.listPlain(ctx, epSigningKeys)
	},
	shape: func(raw any, _ *shapeContext) any {
		out := map[string]any{}
		for i, k := range objects(raw) {
			kept := map[string]any{}
			for _, f := range signingKeyFields {
				if v, ok := k[f]; ok {
					kept[f] = v
				}
			}
			kid, _ := k["kid"].(string)
			if kid == "" {
				kid = fmt.Sprintf("(no kid) [%d]", i)
			}
			out[kid] = kept
		}
		return out
	},
}

// currentKey is the kid of the key flagged current, or "".
func currentKey(doc any) string {
	for _, kid := range keys(object(doc, "signing_keys")) {
		if show(doc, diff.Pointer([]string{"signing_keys", kid, "current"})) == "true" {
			return kid
		}
	}
	return ""
}

// signingKeyRotated finds the current signing key changing: tokens are now
// signed with another kid, and verifiers that pinned the old key, or
// cache the JWKS for too long, reject them. It holds while the new key
// stays current.
func signingKeyRotated(j *watcher.Judgement) []watcher.Finding {
	r := ruleInfo{RuleSigningKeyRotated, watcher.Info, watcher.Configuration}
	if out, ok := carryUnread(j, r.name, "/signing_keys"); ok {
		return out
	}
	cur := currentKey(j.New)
	var out []watcher.Finding
	for _, f := range j.OpenOf(r.name) {
		if f.New == cur {
			out = append(out, carry(f))
		}
	}
	if j.Baseline || j.Old == nil || len(out) > 0 {
		return out
	}
	old := currentKey(j.Old)
	if old == "" || cur == "" || old == cur {
		return nil
	}
	title := fmt.Sprintf("Signing key rotated: tokens are now signed with kid %s (was %s)", cur, old)
	detail := fmt.Sprintf("The tenant's current signing key changed from %s to %s. Apps and APIs that fetch the JWKS pick it up; "+
		"those that pinned the old key or certificate reject new tokens.\nBefore: %s\nNow: %s", old, cur, old, cur)
	return []watcher.Finding{r.finding("/signing_keys", cur, title, detail, old, cur)}
}

func signingKeyRevokedRule() watcher.Rule {
	return &valueRule{
		ruleInfo: ruleInfo{RuleSigningKeyRevoked, watcher.Warning, watcher.Configuration},
		paths: func(doc any) []string {
			var out []string
			for _, kid := range keys(object(doc, "signing_keys")) {
				out = append(out, diff.Pointer([]string{"signing_keys", kid, "revoked"}))
			}
			return out
		},
		counts: func(_ any, _, _, new string) bool { return new == "true" },
		make: func(r ruleInfo, path, old, new string) watcher.Finding {
			kid := segments(path)[1]
			title := fmt.Sprintf("Signing key %s revoked", kid)
			detail := "Tokens signed with this key no longer verify against the tenant's JWKS: sessions and access tokens issued with it are rejected."
			return r.finding(path, kid, title, changeDetail(detail, old, new), old, new)
		},
	}
}
