package redact

import (
	"encoding/base64"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"sync"
)

// minSecret is the shortest value a Scrubber replaces: shorter ones would
// rewrite ordinary words and numbers everywhere.
const minSecret = 6

// maxObtained bounds the tokens obtained during polls that a long-running
// daemon remembers; the oldest are forgotten first (they expired long ago).
const maxObtained = 256

// Scrubber replaces known secret values in text bound for a log line, an
// error message, the store or an HTTP answer. It knows each value in the
// forms it travels in: as is, URL-encoded, JSON-quoted, and for a URL its
// path, path segments and query. It is safe for concurrent use; the zero
// value and a nil *Scrubber scrub only by value detectors.
type Scrubber struct {
	mu       sync.RWMutex
	static   map[string]bool
	obtained []string
	rep      *strings.Replacer
}

// NewScrubber returns a Scrubber that knows secrets.
func NewScrubber(secrets ...string) *Scrubber {
	s := &Scrubber{}
	s.Add(secrets...)
	return s
}

// Add registers configured secrets for the life of the process.
func (s *Scrubber) Add(secrets ...string) {
	if s == nil {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.static == nil {
		s.static = map[string]bool{}
	}
	for _, v := range secrets {
		for _, f := range forms(v) {
			s.static[f] = true
		}
	}
	s.rep = nil
}

// AddURL registers a secret URL (a Slack webhook): the whole URL and its
// parts that identify it (path, path segments that are not plain words,
// query values, password).
func (s *Scrubber) AddURL(raw string) {
	if s == nil || strings.TrimSpace(raw) == "" {
		return
	}
	parts := []string{raw, strings.TrimSpace(raw)}
	if u, err := url.Parse(strings.TrimSpace(raw)); err == nil {
		parts = append(parts, u.Path, u.EscapedPath(), u.RawQuery, u.Host+u.Path, u.Host+u.EscapedPath())
		for _, seg := range strings.Split(u.Path, "/") {
			if !plainWord(seg) {
				parts = append(parts, seg)
			}
		}
		for _, vs := range u.Query() {
			parts = append(parts, vs...)
		}
		if p, ok := u.User.Password(); ok {
			parts = append(parts, p)
		}
	}
	s.Add(parts...)
}

// AddURLCredentials registers the credentials a configured URL carries:
// its password (also as the Basic credential it is sent as) and the values of its secret query parameters
// ("?token=", "?api_key=", "?sig="). The rest of the URL is no secret.
func (s *Scrubber) AddURLCredentials(raw string) {
	u, err := url.Parse(strings.TrimSpace(raw))
	if s == nil || err != nil {
		return
	}
	if p, ok := u.User.Password(); ok {
		// Go's client sends it as Basic auth: an echo quotes that form.
		s.Add(p, base64.StdEncoding.EncodeToString([]byte(u.User.Username()+":"+p)))
	}
	for k, vs := range u.Query() {
		if IsSecretName(k) || isQuerySecret(k) {
			s.Add(vs...)
		}
	}
}

// AddObtained registers a token obtained during a poll (an access token);
// the newest maxObtained are remembered.
func (s *Scrubber) AddObtained(token string) {
	if s == nil || len(token) < minSecret {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, t := range s.obtained {
		if t == token {
			return
		}
	}
	s.obtained = append(s.obtained, token)
	if len(s.obtained) > maxObtained {
		s.obtained = s.obtained[len(s.obtained)-maxObtained:]
	}
	s.rep = nil
}

// Scrub returns text with every known secret, and every secret recognised
// by its value (Text), replaced by Marker.
func (s *Scrubber) Scrub(text string) string {
	if text == "" {
		return text
	}
	if r := s.replacer(); r != nil {
		text = r.Replace(text)
	}
	return Text(text)
}

// Error returns err's message scrubbed.
func (s *Scrubber) Error(err error) string {
	if err == nil {
		return ""
	}
	return s.Scrub(err.Error())
}

func (s *Scrubber) replacer() *strings.Replacer {
	if s == nil {
		return nil
	}
	s.mu.RLock()
	r := s.rep
	s.mu.RUnlock()
	if r != nil {
		return r
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.rep != nil {
		return s.rep
	}
	all := make([]string, 0, len(s.static)+len(s.obtained)*3)
	for v := range s.static {
		all = append(all, v)
	}
	for _, t := range s.obtained {
		all = append(all, forms(t)...)
	}
	if len(all) == 0 {
		return nil
	}
	// Longest first: at one position the Replacer takes the first match.
	sort.Slice(all, func(i, j int) bool {
		if len(all[i]) != len(all[j]) {
			return len(all[i]) > len(all[j])
		}
		return all[i] < all[j]
	})
	pairs := make([]string, 0, 2*len(all))
	for _, v := range all {
		pairs = append(pairs, v, Marker)
	}
	s.rep = strings.NewReplacer(pairs...)
	return s.rep
}

// forms are the ways a secret appears in text: as is, trimmed, URL-query
// and path escaped, JSON-quoted, and the credential of an HTTP auth value
// ("Bearer abc" also as "abc").
func forms(v string) []string {
	var out []string
	add := func(f string) {
		if len(f) >= minSecret {
			out = append(out, f)
		}
	}
	t := strings.TrimSpace(v)
	add(v)
	add(t)
	add(url.QueryEscape(t))
	add(url.PathEscape(t))
	add(strings.Trim(strconv.Quote(t), `"`))
	if scheme, cred, ok := strings.Cut(t, " "); ok && len(scheme) < 16 && !strings.Contains(strings.TrimSpace(cred), " ") {
		add(strings.TrimSpace(cred))
	}
	return out
}

// plainWord reports whether a URL path segment is an ordinary word
// ("services", "api") rather than an identifier worth hiding.
func plainWord(seg string) bool {
	if len(seg) < minSecret {
		return true
	}
	for _, r := range seg {
		if !(r >= 'a' && r <= 'z') && r != '-' && r != '_' && r != '.' {
			return false
		}
	}
	return true
}
