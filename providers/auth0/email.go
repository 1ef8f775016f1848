package auth0

import (
	"context"
)

// The email provider sends verification, password-reset and MFA emails.
// Its credentials are redacted when the response is decoded.
//
// Document: "email_provider": {name, enabled, default_from_address,
// credentials: "[redacted]", settings}. No provider configured (404):
// no key.

var emailSection = &section{
	key: "email_provider", name: "email provider", scope: "read:email_provider",
	read: func(ctx context.Context, s *session) (any, error) {
		return s.getOne(ctx, "email provider", "/api/v2/emails/provider", "read:email_provider")
	},
	shape: func(raw any, _ *shapeContext) any { return raw },
}
