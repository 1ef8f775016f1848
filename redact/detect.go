package redact

import (
	"math"
	"net/url"
	"regexp"
	"strings"
)

// Patterns of secrets recognised by their value wherever they stand: a
// private key's PEM block (also one cut short, or closed by a mismatched
// END line), a JWT, tokens with a well-known prefix, and the credential
// after an HTTP auth scheme.
var valuePatterns = []*regexp.Regexp{
	regexp.MustCompile(`-----BEGIN [A-Z0-9 ]*PRIVATE KEY( BLOCK)?-----(?s:.*?)(-----END [A-Z0-9 ]*-----|$)`),
	regexp.MustCompile(`\b(eyJ|ewo)[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]*`),
	regexp.MustCompile(`\b(gh[pousr]_[A-Za-z0-9]{20,}|github_pat_[A-Za-z0-9_]{20,}|xox[abposre]-[A-Za-z0-9-]{10,}|sk_(live|test)_[A-Za-z0-9]{10,}|rk_live_[A-Za-z0-9]{10,}|glpat-[A-Za-z0-9_-]{16,}|AKIA[0-9A-Z]{16}|AIza[0-9A-Za-z_-]{35}|SG\.[A-Za-z0-9_-]{16,}\.[A-Za-z0-9_-]{16,})`),
	regexp.MustCompile(`(?i)\b(bearer|basic)\s+[A-Za-z0-9._~+/=-]{8,}`),
}

// cues are cheap tests that a pattern may match, so that the regular
// expressions run only on the rare strings that could hold a secret (a
// tenant has hundreds of thousands of strings).
var cues = []func(string) bool{
	func(s string) bool { return strings.Contains(s, "PRIVATE KEY") },
	func(s string) bool { return strings.Contains(s, "eyJ") || strings.Contains(s, "ewo") },
	func(s string) bool {
		for _, p := range tokenPrefixes {
			if strings.Contains(s, p) {
				return true
			}
		}
		return false
	},
	func(s string) bool {
		return strings.Contains(s, "earer") || strings.Contains(s, "EARER") || strings.Contains(s, "asic") || strings.Contains(s, "ASIC")
	},
}

var tokenPrefixes = []string{"ghp_", "gho_", "ghu_", "ghs_", "ghr_", "github_pat_", "xox", "sk_live_", "sk_test_", "rk_live_", "glpat-", "AKIA", "AIza", "SG."}

// Text replaces every secret recognised by its value in free text:
// private-key PEM blocks, JWTs, well-known token formats, the credential
// after "Bearer"/"Basic", passwords in URLs, secret query parameters and
// webhook URLs whose path is the credential.
func Text(s string) string {
	if len(s) < 8 {
		return s
	}
	for i, re := range valuePatterns {
		if !cues[i](s) || !re.MatchString(s) {
			continue
		}
		if i == 3 { // keep the scheme: "Bearer [redacted]"; "Basic authentication" is prose
			s = re.ReplaceAllStringFunc(s, func(m string) string {
				f := strings.Fields(m)
				if !strings.ContainsAny(f[1], "0123456789+/=._-") {
					return m
				}
				return f[0] + " " + Marker
			})
			continue
		}
		s = re.ReplaceAllString(s, Marker)
	}
	return urlsInText(s)
}

var urlRE = regexp.MustCompile(`[a-zA-Z][a-zA-Z0-9+.-]*://[^\s"'<>]+`)

// urlsInText redacts the password and the secret query parameters of
// every URL in s.
func urlsInText(s string) string {
	if !strings.Contains(s, "://") || !(strings.ContainsAny(s, "?@") || hasHookCue(s)) {
		return s // no password, no query, no webhook path: nothing to redact
	}
	return urlRE.ReplaceAllStringFunc(s, URL)
}

// URL returns raw with its password, the values of its secret query
// parameters ("access_token", "api_key", "sig", "password") and the part
// of a webhook URL's path that is its credential (webhookPath) replaced.
// Text that does not parse as a URL is returned unchanged.
func URL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return raw
	}
	changed := false
	if _, ok := u.User.Password(); ok {
		u.User = url.UserPassword(u.User.Username(), Marker)
		changed = true
	}
	if p, ok := webhookPath(u.Host, u.Path); ok {
		u.Path, u.RawPath = p, ""
		changed = true
	}
	if u.RawQuery != "" {
		q, err := url.ParseQuery(u.RawQuery)
		secretQuery := false
		if err == nil {
			for k, vs := range q {
				if IsSecretName(k) || isQuerySecret(k) {
					for i := range vs {
						vs[i] = Marker
					}
					secretQuery, changed = true, true
				}
			}
			if secretQuery {
				u.RawQuery = q.Encode()
			}
		}
	}
	if !changed {
		return raw
	}
	return strings.ReplaceAll(strings.ReplaceAll(u.String(), "%5Bredacted%5D", Marker), "%5bredacted%5d", Marker)
}

// isQuerySecret names query parameters that carry credentials though their
// names are not secret nouns: signed URLs (Azure SAS "sig", AWS
// "X-Amz-Signature"), "key", "code".
func isQuerySecret(k string) bool {
	switch strings.ToLower(k) {
	case "sig", "signature", "x-amz-signature", "x-amz-credential", "x-amz-security-token", "key", "apikey", "code", "auth":
		return true
	}
	return false
}

// looksSecret reports whether a whole value looks like generated secret
// material: long, one token without spaces, of a key alphabet (base64,
// hex, url-safe), mixing letters and digits with high entropy. It is only
// asked about values in secret positions.
func looksSecret(s string) bool {
	if len(s) < 20 || len(s) > 8192 {
		return false
	}
	letters, digits := 0, 0
	for _, r := range s {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z':
			letters++
		case r >= '0' && r <= '9':
			digits++
		case strings.ContainsRune("+/=_-.~", r):
		default:
			return false
		}
	}
	return letters > 0 && digits > 0 && entropy(s) >= 3.5
}

// entropy is the Shannon entropy of s in bits per byte.
func entropy(s string) float64 {
	var counts [256]int
	for i := 0; i < len(s); i++ {
		counts[s[i]]++
	}
	h := 0.0
	n := float64(len(s))
	for _, c := range counts {
		if c > 0 {
			p := float64(c) / n
			h -= p * math.Log2(p)
		}
	}
	return h
}
