package auth0

import "strings"

// Redacted replaces a secret's value in the document: the key stays as a
// marker, so a rotated secret is no diff.
const Redacted = "[redacted]"

// secretKeys are keys whose values are secrets, whatever their depth.
var secretKeys = map[string]bool{
	"client_secret":  true,
	"signing_secret": true,
	"signing_keys":   true,
	"encryption_key": true,
	"twilio_token":   true,
	"secret":         true,
	"password":       true,
	"private_key":    true,
	// The email provider's credentials object, and log stream sink
	// credentials (the Sumo Logic source address embeds its token).
	"credentials":                    true,
	"api_key":                        true,
	"apikey":                         true,
	"authorization":                  true,
	"httpauthorization":              true,
	"datadogapikey":                  true,
	"splunktoken":                    true,
	"segmentwritekey":                true,
	"mixpanelserviceaccountpassword": true,
	"sumosourceaddress":              true,
}

// secretSuffixes end keys whose values are secrets ("smtp_password").
var secretSuffixes = []string{"_secret", "_password", "_private_key"}

// IsSecretKey reports whether a key's value is redacted. Keys that merely
// mention a word (passwordPolicy, secret_encoded, secrets) are kept.
func IsSecretKey(key string) bool {
	k := strings.ToLower(key)
	if secretKeys[k] {
		return true
	}
	for _, s := range secretSuffixes {
		if strings.HasSuffix(k, s) {
			return true
		}
	}
	return false
}

// redact replaces, in place, the value of every secret key at any depth
// and returns v.
func redact(v any) any {
	switch x := v.(type) {
	case map[string]any:
		for k, val := range x {
			if IsSecretKey(k) {
				x[k] = Redacted
				continue
			}
			redact(val)
		}
	case []any:
		for _, e := range x {
			redact(e)
		}
	}
	return v
}
