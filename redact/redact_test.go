package redact_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/driftwatch/driftwatch/redact"
)

func decode(t testing.TB, s string) any {
	t.Helper()
	d := json.NewDecoder(strings.NewReader(s))
	d.UseNumber()
	var v any
	if err := d.Decode(&v); err != nil {
		t.Fatal(err)
	}
	return v
}

const privatePEM = "-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7\n-----END PRIVATE KEY-----"
const jwt = "eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4ifQ.c2lnbmF0dXJlLWJ5dGVz"

func TestValue(t *testing.T) {
	in := `{
	  "client_secret": "s3cr3t-value", "name": "app", "secret_encoded": true, "empty_secret": "",
	  "signing_keys": [{"cert": "c"}], "encryption_key": {"pub": "p"},
	  "client_encryption": {"encryption_key": {"cert": "c", "pub": "p", "subject": "/CN=app"}},
	  "token_encryption": {"format": "compact-nested-jwe",
	    "encryption_key": {"name": "k1", "alg": "RSA-OAEP-256", "kid": "kid-1", "thumbprint_sha256": "Xq3RZbK5Yw2f1vT9hG7nM4pL8sD0aQ6uE1cB3xJ5kW0"}},
	  "refresh_token": {"rotation_type": "rotating", "leeway": 0},
	  "options": {"passwordPolicy": "good", "twilio_token": "t", "smtp_password": "p",
	    "password_history": {"size": 5}, "Client_Secret": null, "upstream": {"private_key": "k", "api_private_key": "k2"},
	    "authentication_methods": {"password": {"enabled": true}, "passkey": {"enabled": false}},
	    "disable_self_service_change_password": false, "password_complexity_options": {"min_length": 8},
	    "decryptionKey": {"cert": "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----", "key": "` + strings.ReplaceAll(privatePEM, "\n", `\n`) + `"},
	    "signingCert": "LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0t"},
	  "change_password": {"enabled": false, "html": "<html>change it</html>"},
	  "addons": {"azure_sb": {"namespace": "acme", "sasKeyName": "policy", "sasKey": "abc123"}, "wams": {"masterkey": "mk"},
	    "sap_api": {"servicePassword": "pw", "usernameAttribute": "email"}},
	  "secrets": [{"name": "API_KEY", "value": "v"}, {"name": "REGION", "value": "eu"}],
	  "headers": [{"header": "X-Api-Key", "value": "hv"}],
	  "list": [{"password": "p"}, "password"],
	  "note": "call with ` + jwt + ` please", "pem": "` + strings.ReplaceAll(privatePEM, "\n", `\n`) + `",
	  "webhook": "https://user:hunter22@hooks.example.com/x?sig=abcdef&v=1",
	  "api": {"key": "a8f5f167f44f4964e6c998dee827110c", "keyName": "feature-x"},
	  "count": 3, "flag": true
	}`
	want := `{
	  "client_secret": "[redacted]", "name": "app", "secret_encoded": true, "empty_secret": "",
	  "signing_keys": "[redacted]", "encryption_key": "[redacted]",
	  "client_encryption": {"encryption_key": {"cert": "[redacted]", "pub": "[redacted]", "subject": "/CN=app"}},
	  "token_encryption": {"format": "compact-nested-jwe",
	    "encryption_key": {"name": "k1", "alg": "RSA-OAEP-256", "kid": "kid-1", "thumbprint_sha256": "Xq3RZbK5Yw2f1vT9hG7nM4pL8sD0aQ6uE1cB3xJ5kW0"}},
	  "refresh_token": {"rotation_type": "rotating", "leeway": 0},
	  "options": {"passwordPolicy": "good", "twilio_token": "[redacted]", "smtp_password": "[redacted]",
	    "password_history": {"size": 5}, "Client_Secret": null, "upstream": {"private_key": "[redacted]", "api_private_key": "[redacted]"},
	    "authentication_methods": {"password": {"enabled": true}, "passkey": {"enabled": false}},
	    "disable_self_service_change_password": false, "password_complexity_options": {"min_length": 8},
	    "decryptionKey": "[redacted]",
	    "signingCert": "LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0t"},
	  "change_password": {"enabled": false, "html": "<html>change it</html>"},
	  "addons": {"azure_sb": {"namespace": "acme", "sasKeyName": "policy", "sasKey": "[redacted]"}, "wams": {"masterkey": "[redacted]"},
	    "sap_api": {"servicePassword": "[redacted]", "usernameAttribute": "email"}},
	  "secrets": [{"name": "API_KEY", "value": "[redacted]"}, {"name": "REGION", "value": "eu"}],
	  "headers": [{"header": "X-Api-Key", "value": "[redacted]"}],
	  "list": [{"password": "[redacted]"}, "password"],
	  "note": "call with [redacted] please", "pem": "[redacted]",
	  "webhook": "https://user:[redacted]@hooks.example.com/x?sig=[redacted]&v=1",
	  "api": {"key": "[redacted]", "keyName": "feature-x"},
	  "count": 3, "flag": true
	}`
	if d := cmp.Diff(decode(t, want), redact.Value(decode(t, in))); d != "" {
		t.Errorf("Value (-want +got):\n%s", d)
	}
}

func TestTextDetectors(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"Authorization: Bearer abc.DEF-123_xyz", "Authorization: Bearer [redacted]"},
		{"Basic authentication failed", "Basic authentication failed"},
		{"token ghp_" + strings.Repeat("a1", 18), "token [redacted]"},
		{"xoxb-1234-5678-abcdefghij", "[redacted]"},
		// A PEM block cut short, or closed by a mismatched END line.
		{"key: -----BEGIN RSA PRIVATE KEY-----\nMIIE", "key: [redacted]"},
		{"-----BEGIN PRIVATE KEY-----\nMIGf\n-----END PUBLIC KEY-----\n", "[redacted]\n"},
		{"-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----", "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----"},
		{"GET https://api.example.com/v1?access_token=tok123&page=2 failed", "GET https://api.example.com/v1?access_token=[redacted]&page=2 failed"},
		{"the token lifetime is 3600", "the token lifetime is 3600"},
	} {
		if got := redact.Text(c.in); got != c.want {
			t.Errorf("Text(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}
