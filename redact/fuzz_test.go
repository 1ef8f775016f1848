package redact_test

import (
	"strings"
	"testing"

	"github.com/driftwatch/driftwatch/redact"
)

// FuzzText checks that scrubbing never panics, is idempotent, and leaves
// no known secret behind whatever surrounds it.
func FuzzText(f *testing.F) {
	for _, s := range []string{
		"Authorization: Bearer abc.DEF-123", privatePEM, "https://u:p4ssw0rd@h/x?token=t0ken&a=1", jwt,
		"-----BEGIN RSA PRIVATE KEY-----", "plain words only", "ghp_" + strings.Repeat("x1", 20),
	} {
		f.Add(s)
	}
	const known = "kn0wn-s3cret-value"
	s := redact.NewScrubber(known)
	f.Fuzz(func(t *testing.T, in string) {
		once := s.Scrub(in)
		if twice := s.Scrub(once); twice != once {
			t.Errorf("not idempotent:\n%q\n%q", once, twice)
		}
		if out := s.Scrub(in + known + in); strings.Contains(out, known) {
			t.Errorf("known secret left in %q", out)
		}
	})
}
