package notify_test

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/driftwatch/driftwatch/notify"
)

func TestTruncate(t *testing.T) {
	for _, tc := range []struct {
		in   string
		n    int
		want string
	}{
		{"hello", 5, "hello"},
		{"hello", 4, "hel…"},
		{"héllo wörld", 6, "héllo…"},
		{"日本語テキスト", 3, "日本…"},
		{"abc", 0, ""},
		{"abc", 1, "…"},
	} {
		if got := notify.Truncate(tc.in, tc.n); got != tc.want {
			t.Errorf("Truncate(%q, %d) = %q, want %q", tc.in, tc.n, got, tc.want)
		}
	}
}

func TestEscapeMrkdwn(t *testing.T) {
	got := notify.EscapeMrkdwn(`<!channel> & <https://evil|click> "quotes" 'stay'`)
	want := `&lt;!channel&gt; &amp; &lt;https://evil|click&gt; "quotes" 'stay'`
	if got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}

func TestEscapeCap(t *testing.T) {
	t.Run("Fits", func(t *testing.T) {
		if got, want := notify.EscapeCap("a<b", 6), "a&lt;b"; got != want {
			t.Errorf("got %q, want %q", got, want)
		}
	})
	t.Run("NeverSplitsAnEntity", func(t *testing.T) {
		// Every cap from 1 to the full width: the result stays within
		// the cap and ends either complete or with the ellipsis after a
		// whole entity.
		in := "&&<<>>ab&"
		for n := 1; n <= 30; n++ {
			got := notify.EscapeCap(in, n)
			if c := utf8.RuneCountInString(got); c > n {
				t.Fatalf("cap %d: %q has %d runes", n, got, c)
			}
			// The input has no ';': once whole entities are removed, no
			// '&' or ';' may remain.
			rest := strings.NewReplacer("&amp;", "", "&lt;", "", "&gt;", "").Replace(got)
			if strings.ContainsAny(rest, "&;") {
				t.Fatalf("cap %d: %q splits an entity", n, got)
			}
		}
	})
}

func TestClean(t *testing.T) {
	for _, tc := range []struct{ name, in, want string }{
		{"ANSI colour", "\x1b[31mred\x1b[0m text", "red text"},
		{"OSC title", "\x1b]0;pwned\x07after", "after"},
		{"OSC hyperlink", "\x1b]8;;https://evil\x1b\\click\x1b]8;;\x1b\\", "click"},
		{"controls", "a\x00b\x07c\x7fd\u0085e", "abcde"},
		{"CRLF", "one\r\ntwo\rthree", "one\ntwo\nthree"},
		{"bidi override", "abc\u202edcba", "abcdcba"},
		{"invalid UTF-8", "ok\xffok", "ok\uFFFDok"},
		{"clean kept", "line one\n\tline two — ✓", "line one\n\tline two — ✓"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := notify.Clean(tc.in); got != tc.want {
				t.Errorf("Clean(%q) = %q, want %q", tc.in, got, tc.want)
			}
		})
	}
}

func TestOneLine(t *testing.T) {
	if got, want := notify.OneLine("  a\n\nb\t c \x1b[1m"), "a b c"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}

func TestRedactURL(t *testing.T) {
	secret := "https://hooks.slack.com/services/T0/B0/s3cr3tPart"
	t.Run("URLError", func(t *testing.T) {
		err := fmt.Errorf("failed to post webhook: %w", &url.Error{Op: "Post", URL: secret, Err: context.DeadlineExceeded})
		got := notify.RedactURL(err, secret)
		if strings.Contains(got.Error(), "s3cr3tPart") {
			t.Fatalf("secret in %q", got)
		}
		if !errors.Is(got, context.DeadlineExceeded) {
			t.Errorf("lost context.DeadlineExceeded: %v", got)
		}
		var ue *url.Error
		if errors.As(got, &ue) {
			t.Errorf("still wraps the *url.Error holding the secret")
		}
		var to interface{ Timeout() bool }
		if !errors.As(got, &to) || !to.Timeout() {
			t.Errorf("lost Timeout()")
		}
	})
	t.Run("PathOnly", func(t *testing.T) {
		err := errors.New(`parse "/services/T0/B0/s3cr3tPart": bad`)
		if got := notify.RedactURL(err, secret).Error(); strings.Contains(got, "s3cr3tPart") {
			t.Fatalf("secret in %q", got)
		}
	})
	t.Run("NoSecretKeepsError", func(t *testing.T) {
		err := errors.New("slack: channel_not_found")
		if got := notify.RedactURL(err, secret); got != err { //nolint:errorlint // the very same value, not a wrapper
			t.Errorf("got %v, want the same error", got)
		}
	})
	t.Run("Nil", func(t *testing.T) {
		if notify.RedactURL(nil, secret) != nil {
			t.Error("nil error became non-nil")
		}
	})
}

func TestRedact(t *testing.T) {
	err := fmt.Errorf("post: token=%s: %w", "xoxb-1-2-abc", context.Canceled)
	got := notify.Redact(err, "xoxb-1-2-abc", "")
	if strings.Contains(got.Error(), "xoxb-1-2-abc") || !strings.Contains(got.Error(), "[redacted]") {
		t.Errorf("got %q", got)
	}
	if !errors.Is(got, context.Canceled) {
		t.Errorf("lost context.Canceled")
	}
}
