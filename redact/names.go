package redact

import (
	"strings"
	"sync"
	"sync/atomic"
	"unicode"
)

// Words splits a key into lower-case words across naming styles:
// camelCase, PascalCase, snake_case, kebab-case, dotted and header names
// ("X-Auth0-Client-Secret"). An upper-case run stays one word up to its
// last letter ("APIKey" is "api", "key").
func Words(key string) []string {
	var words []string
	var cur []rune
	flush := func() {
		if len(cur) > 0 {
			words = append(words, strings.ToLower(string(cur)))
			cur = cur[:0]
		}
	}
	rs := []rune(key)
	for i, r := range rs {
		switch {
		case !unicode.IsLetter(r) && !unicode.IsDigit(r):
			flush()
			continue
		case unicode.IsUpper(r) && len(cur) > 0:
			prev := rs[i-1]
			nextLower := i+1 < len(rs) && unicode.IsLower(rs[i+1])
			if unicode.IsLower(prev) || unicode.IsDigit(prev) || (unicode.IsUpper(prev) && nextLower) {
				flush()
			}
		}
		cur = append(cur, r)
	}
	flush()
	return words
}

// secretNouns are the words that make a name secret when they end it:
// "client_secret", "smtpPassword", "X-Api-Token".
var secretNouns = map[string]bool{
	"secret": true, "password": true, "passwd": true, "passphrase": true, "pass": true, "pwd": true,
	"token": true, "credential": true, "authorization": true, "cookie": true,
	"masterkey": true, "apikey": true, "privatekey": true, "accesskey": true, "secretkey": true,
	"saskey": true, "signingkey": true, "connectionstring": true,
}

// keyQualifiers make "key" secret: "private key", "sasKey", "storageAccessKey".
var keyQualifiers = map[string]bool{
	"private": true, "api": true, "access": true, "secret": true, "sas": true, "signing": true,
	"master": true, "encryption": true, "decryption": true, "account": true, "shared": true,
	"auth": true, "hmac": true, "client": true, "app": true, "application": true, "license": true,
	"subscription": true, "storage": true, "service": true, "session": true, "primary": true,
	"secondary": true, "webhook": true, "write": true, "ssh": true, "gpg": true, "pgp": true, "jwt": true,
}

// actions name what is done to a secret, not a secret: "change_password"
// (a page), "reset_password", "rotate_token".
var actions = map[string]bool{
	"change": true, "reset": true, "forgot": true, "forgotten": true, "rotate": true, "rotation": true,
	"expire": true, "expiry": true, "expiration": true, "require": true, "required": true, "verify": true,
	"confirm": true, "enable": true, "enabled": true, "disable": true, "disabled": true, "allow": true,
	"show": true, "hide": true, "use": true, "send": true, "public": true, "no": true, "min": true, "max": true,
}

// carriers are trailing words that name a secret's form, not another
// setting: "password_hash", "secretValue", "token_b64".
var carriers = map[string]bool{
	"value": true, "hash": true, "salt": true, "b64": true, "base64": true, "pem": true, "der": true,
	"plain": true, "plaintext": true, "raw": true, "encrypted": true, "ciphertext": true, "string": true,
	"str": true, "text": true, "data": true,
}

// IsSecretName reports whether a key names a secret. The secret word must
// end the name (after a carrier such as "value" or "hash"): a name that
// merely contains it names a setting about the secret
// ("passwordPolicy", "password_complexity_options", "secret_encoded",
// "token_lifetime"), and so does one where an action or "public" comes
// right before it ("change_password", "disable_self_service_change_password",
// "public_key").
func IsSecretName(key string) bool {
	return cached(&secretNames, key, isSecretName)
}

// Keys repeat across a document (every client has the same ones): the
// verdicts are cached, up to maxCached distinct keys, so an upstream
// inventing keys cannot grow the cache without bound.
var (
	secretNames, hintNames sync.Map
	cachedKeys             atomic.Int64
)

const maxCached = 1 << 14

func cached(m *sync.Map, key string, f func(string) bool) bool {
	if v, ok := m.Load(key); ok {
		return v.(bool)
	}
	r := f(key)
	if cachedKeys.Load() < maxCached {
		if _, loaded := m.LoadOrStore(key, r); !loaded {
			cachedKeys.Add(1)
		}
	}
	return r
}

func isSecretName(key string) bool {
	w := Words(key)
	if n := len(w); n > 1 && secretNouns[w[n-2]+w[n-1]] && !actions[w[n-2]] {
		return true // "connection_string", "api_key" run together by style
	}
	for len(w) > 1 && carriers[w[len(w)-1]] {
		w = w[:len(w)-1]
	}
	if len(w) == 0 {
		return false
	}
	last := singular(w[len(w)-1])
	var prev string
	if len(w) > 1 {
		prev = w[len(w)-2]
	}
	if actions[prev] {
		return false
	}
	if secretNouns[last] {
		return true
	}
	if last == "key" {
		return keyQualifiers[prev]
	}
	// One word run together: "clientsecret", "masterkey", "apitoken".
	for _, n := range []string{"secret", "password", "passwd", "token", "apikey", "privatekey", "accesskey", "secretkey"} {
		if rest, ok := strings.CutSuffix(last, n); ok && rest != "" && !actions[rest] && !strings.HasSuffix(rest, "public") {
			return true
		}
	}
	return false
}

// singular drops the plural of the nouns that take one ("signing_keys",
// "credentials", "tokens"); "secrets" stays, as the name of a list of
// named secrets (an action's) whose names are not secret.
func singular(w string) string {
	switch w {
	case "keys", "credentials", "tokens", "passwords", "cookies", "passphrases":
		return strings.TrimSuffix(w, "s")
	}
	return w
}

// hints are weaker words: a name holding one is a secret position, where
// a long high-entropy value is taken for a secret ("key": "a8f5f1…",
// "signature", "sig", "salt").
var hints = map[string]bool{
	"key": true, "auth": true, "sig": true, "signature": true, "salt": true, "seed": true, "hmac": true,
	"session": true, "bearer": true, "private": true, "cred": true, "creds": true, "secret": true,
	"token": true, "password": true, "pass": true, "pwd": true, "apikey": true, "nonce": true,
}

// isHint reports whether a key is a secret position for a value that looks
// like a secret.
func isHint(key string) bool {
	return cached(&hintNames, key, hintName)
}

func hintName(key string) bool {
	for _, w := range Words(key) {
		if hints[singular(w)] {
			return true
		}
	}
	return false
}

// publicMeta are members that describe key material without being it: an
// object under a secret name keeps them ("token_encryption.encryption_key"
// is {name, alg, kid, thumbprint_sha256}).
var publicMeta = map[string]bool{
	"name": true, "id": true, "kid": true, "keyid": true, "alg": true, "algorithm": true, "kty": true,
	"use": true, "type": true, "format": true, "thumbprint": true, "x5t": true, "fingerprint": true,
	"subject": true, "issuer": true, "serial": true, "description": true, "status": true, "region": true,
	"current": true, "revoked": true, "enabled": true, "credentialtype": true, "keytype": true,
	"thumbprintsha256": true, "thumbprintsha1": true, "x5ts256": true, "provider": true, "version": true,
	"domain": true, "username": true, "user": true, "email": true, "from": true, "host": true, "port": true,
	"url": true, "audience": true, "scope": true,
}

// isPublicMeta reports whether a member of key material is public metadata:
// a listed name, or a time ("created_at", "expiresAt", "not_before").
func isPublicMeta(key string) bool {
	w := Words(key)
	if publicMeta[strings.Join(w, "")] {
		return true
	}
	if len(w) > 1 {
		switch w[len(w)-1] {
		case "at", "since", "date", "time", "before", "after", "id", "name":
			return true
		}
	}
	return false
}

// materialNames are members that hold key material themselves.
var materialNames = map[string]bool{
	"key": true, "cert": true, "certificate": true, "pem": true, "pub": true, "pkcs7": true, "pkcs12": true,
	"p12": true, "pfx": true, "x5c": true, "der": true, "crt": true, "jwk": true, "value": true,
	"d": true, "p": true, "q": true, "dp": true, "dq": true, "qi": true, "k": true,
}
