package redact_test

import (
	"testing"

	"github.com/driftwatch/driftwatch/redact"
)

func TestIsSecretName(t *testing.T) {
	secret := []string{
		"client_secret", "clientSecret", "Client-Secret", "X-Auth0-Client-Secret", "signing_secret",
		"password", "smtp_password", "servicePassword", "passwd", "smtp_pass", "passphrase",
		"privateKey", "private_key", "PRIVATE_KEY", "api_private_key", "sasKey", "storageAccessKey",
		"SharedAccessKey", "storageAccountKey", "segmentWriteKey", "datadogApiKey", "splunkToken", "httpAuthorization", "mixpanelServiceAccountPassword", "masterkey", "masterKey", "apiKey", "APIKey", "x-api-key",
		"access_key", "secretAccessKey", "signing_key", "signing_keys", "decryptionKey", "encryption_key",
		"twilio_token", "access_token", "api_token", "refresh_token", "credentials", "credential",
		"Authorization", "Cookie", "connectionString", "password_hash", "secretValue", "clientsecret",
		"apitoken",
	}
	for _, k := range secret {
		if !redact.IsSecretName(k) {
			t.Errorf("IsSecretName(%q) = false, want true", k)
		}
	}
	setting := []string{
		"passwordPolicy", "password_complexity_options", "password_history", "password_dictionary",
		"password_no_personal_info", "disable_self_service_change_password", "change_password",
		"reset_password", "secret_encoded", "secrets", "token_lifetime", "token_endpoint_auth_method",
		"token_dialect", "token_encryption", "tokenURL", "public_key", "publicKey", "key", "keys",
		"sasKeyName", "api_key_id", "passkey", "passkey_options", "authentication_methods",
		"signing_alg", "name", "sso_disabled", "session_cookie_mode", "bypass", "compass",
		"cross_origin_authentication",
	}
	for _, k := range setting {
		if redact.IsSecretName(k) {
			t.Errorf("IsSecretName(%q) = true, want false", k)
		}
	}
}

func TestWords(t *testing.T) {
	for in, want := range map[string]string{
		"X-Auth0-Client-Secret":                "x auth0 client secret",
		"APIKey":                               "api key",
		"storageAccessKey":                     "storage access key",
		"disable_self_service_change_password": "disable self service change password",
		"thumbprint_sha256":                    "thumbprint sha256",
	} {
		got := ""
		for i, w := range redact.Words(in) {
			if i > 0 {
				got += " "
			}
			got += w
		}
		if got != want {
			t.Errorf("Words(%q) = %q, want %q", in, got, want)
		}
	}
}
