package polite_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/driftwatch/driftwatch/providers/polite"
	"github.com/driftwatch/driftwatch/watcher"
)

// serve answers every request with n bytes of body.
func serve(t *testing.T, n int) *http.Response {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Write(bytes.Repeat([]byte("x"), n))
	}))
	t.Cleanup(srv.Close)
	resp, err := polite.NewClient(nil, 0).Get(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	return resp
}

// closeCounter is a body that notes being closed.
type closeCounter struct {
	io.Reader
	closed int
}

func (c *closeCounter) Close() error { c.closed++; return nil }

func TestReadBody(t *testing.T) {
	for _, tc := range []struct {
		name     string
		size     int
		max      int64
		tooLarge bool
	}{
		{"ExactMax", 1000, 1000, false},
		{"UnderMax", 999, 1000, false},
		{"Empty", 0, 1000, false},
		{"ErrMaxPlusOne", 1001, 1000, true},
		{"ErrFarOver", 100_000, 1000, true},
		{"DefaultCap", polite.MaxBody, 0, false},
		{"ErrDefaultCapPlusOne", polite.MaxBody + 1, -1, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b, err := polite.ReadBody(serve(t, tc.size), tc.max)
			if tc.tooLarge {
				if !errors.Is(err, polite.ErrTooLarge) || b != nil {
					t.Fatalf("ReadBody(%d bytes, max %d) = %d bytes, %v; want ErrTooLarge", tc.size, tc.max, len(b), err)
				}
				return
			}
			if err != nil || len(b) != tc.size {
				t.Fatalf("ReadBody(%d bytes, max %d) = %d bytes, %v", tc.size, tc.max, len(b), err)
			}
		})
	}
	t.Run("Closes", func(t *testing.T) {
		body := &closeCounter{Reader: strings.NewReader("{}")}
		if _, err := polite.ReadBody(&http.Response{Body: body}, 10); err != nil || body.closed != 1 {
			t.Fatalf("err %v, closed %d times", err, body.closed)
		}
		body = &closeCounter{Reader: strings.NewReader(strings.Repeat("x", 11))}
		if _, err := polite.ReadBody(&http.Response{Body: body}, 10); err == nil || body.closed != 1 {
			t.Fatalf("over the cap: err %v, closed %d times", err, body.closed)
		}
	})
	t.Run("ErrRead", func(t *testing.T) {
		broken := &closeCounter{Reader: io.MultiReader(strings.NewReader("{"), errReader{})}
		_, err := polite.ReadBody(&http.Response{Body: broken}, 10)
		if err == nil || !strings.HasPrefix(err.Error(), "read body: ") || !errors.Is(err, io.ErrUnexpectedEOF) {
			t.Fatalf("err = %v", err)
		}
	})
}

type errReader struct{}

func (errReader) Read([]byte) (int, error) { return 0, io.ErrUnexpectedEOF }

func TestRetryAfter(t *testing.T) {
	now := time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)
	epoch := func(d time.Duration) string { return strconv.FormatInt(now.Add(d).Unix(), 10) }
	for _, tc := range []struct {
		name  string
		hdr   map[string]string
		min   time.Duration
		want  time.Duration
		atMin bool // want is a lower bound only
	}{
		{"Seconds", map[string]string{"Retry-After": "30"}, time.Second, 30 * time.Second, false},
		{"SecondsSpaced", map[string]string{"Retry-After": " 12 "}, 0, 12 * time.Second, false},
		{"HTTPDate", map[string]string{"Retry-After": now.Add(90 * time.Second).Format(http.TimeFormat)}, time.Second, 90 * time.Second, false},
		{"HTTPDatePast", map[string]string{"Retry-After": now.Add(-time.Hour).Format(http.TimeFormat)}, 2 * time.Second, 2 * time.Second, false},
		{"ResetEpoch", map[string]string{"X-RateLimit-Reset": epoch(45 * time.Second)}, time.Second, 45 * time.Second, false},
		{"ResetThisSecond", map[string]string{"X-RateLimit-Reset": epoch(0)}, 2 * time.Second, 2 * time.Second, false},
		{"RetryAfterWinsOverReset", map[string]string{"Retry-After": "5", "X-RateLimit-Reset": epoch(100 * time.Second)}, 0, 5 * time.Second, false},
		{"ZeroFloored", map[string]string{"Retry-After": "0"}, time.Second, time.Second, false},
		{"NegativeFloored", map[string]string{"Retry-After": "-5"}, time.Second, time.Second, false},
		{"GarbageFloored", map[string]string{"Retry-After": "soon"}, 3 * time.Second, 3 * time.Second, false},
		{"GarbageResetFloored", map[string]string{"X-RateLimit-Reset": "tomorrow"}, 3 * time.Second, 3 * time.Second, false},
		{"GarbageFallsBackToReset", map[string]string{"Retry-After": "soon", "X-RateLimit-Reset": epoch(20 * time.Second)}, time.Second, 20 * time.Second, false},
		{"Nothing", nil, 0, 0, false},
		{"NothingFloored", nil, 1500 * time.Millisecond, 1500 * time.Millisecond, false},
		{"HugeDoesNotWrap", map[string]string{"Retry-After": "10000000000"}, time.Second, 24 * time.Hour, true},
		{"HugeResetDoesNotWrap", map[string]string{"X-RateLimit-Reset": "9223372036854775807"}, time.Second, 24 * time.Hour, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := http.Header{}
			for k, v := range tc.hdr {
				h.Set(k, v)
			}
			got := polite.RetryAfter(h, now, tc.min)
			if tc.atMin && got < tc.want || !tc.atMin && got != tc.want {
				t.Errorf("RetryAfter(%v, min %s) = %s, want %s", tc.hdr, tc.min, got, tc.want)
			}
		})
	}
}

func TestSleep(t *testing.T) {
	t.Run("OK", func(t *testing.T) {
		if err := polite.Sleep(context.Background(), time.Millisecond); err != nil {
			t.Fatal(err)
		}
		if err := polite.Sleep(context.Background(), 0); err != nil {
			t.Fatal(err)
		}
	})
	t.Run("ErrCanceled", func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		time.AfterFunc(10*time.Millisecond, cancel)
		if err := polite.Sleep(ctx, time.Hour); !errors.Is(err, context.Canceled) {
			t.Fatalf("Sleep = %v, want context.Canceled", err)
		}
		if err := polite.Sleep(ctx, 0); !errors.Is(err, context.Canceled) {
			t.Fatalf("Sleep(0) on a done context = %v", err)
		}
	})
	t.Run("ErrDeadline", func(t *testing.T) {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Millisecond)
		defer cancel()
		if err := polite.Sleep(ctx, time.Hour); !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("Sleep = %v", err)
		}
	})
}

func TestSnippet(t *testing.T) {
	for _, tc := range []struct {
		in   string
		n    int
		want string
	}{
		{"plain", 10, "plain"},
		{"  <html>\n\t<body>Bad   Gateway</body>\r\n</html> ", 100, "<html> <body>Bad Gateway</body> </html>"},
		{"0123456789abc", 10, "0123456789…"},
		{"ünïcödé wörds", 6, "ünïcöd…"},
		{"bad \xff\xfe bytes", 20, "bad ? bytes"},
		{"red \x1b[31malert\x1b[0m\x00 done\x07", 40, "red [31malert[0m done"},
		{"", 5, ""},
		{" \n\t", 5, ""},
		{"\x1b\x07\x00", 40, polite.NotShown},
	} {
		if got := polite.Snippet([]byte(tc.in), tc.n); got != tc.want {
			t.Errorf("Snippet(%q, %d) = %q, want %q", tc.in, tc.n, got, tc.want)
		}
	}
}

func TestClientSendsUserAgent(t *testing.T) {
	var got []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got = append(got, r.Header.Get("User-Agent"))
	}))
	defer srv.Close()
	c := polite.NewClient(nil, 0)
	if c.Timeout != polite.Timeout {
		t.Errorf("default timeout = %s", c.Timeout)
	}
	if c := polite.NewClient(nil, time.Second); c.Timeout != time.Second {
		t.Errorf("timeout = %s", c.Timeout)
	}
	resp, err := c.Get(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	polite.Drain(resp)
	req, _ := http.NewRequest(http.MethodGet, srv.URL, nil)
	req.Header.Set("User-Agent", "go-github/v60")
	resp, err = c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	polite.Drain(resp)
	if len(got) != 2 || got[0] != polite.UserAgent || !strings.HasPrefix(got[0], "driftwatch") || got[1] != "go-github/v60" {
		t.Errorf("User-Agents sent = %q", got)
	}
	if req.Header.Get("User-Agent") != "go-github/v60" {
		t.Errorf("caller's request was modified")
	}
}

func TestValidators(t *testing.T) {
	req := httptest.NewRequest(http.MethodGet, "/", nil)
	polite.SetValidators(req, watcher.Validator{})
	if req.Header.Get("If-None-Match") != "" || req.Header.Get("If-Modified-Since") != "" {
		t.Errorf("empty validators sent: %v", req.Header)
	}
	v := watcher.Validator{ETag: `W/"abc"`, LastModified: "Mon, 02 Nov 2026 09:00:00 GMT"}
	polite.SetValidators(req, v)
	if req.Header.Get("If-None-Match") != v.ETag || req.Header.Get("If-Modified-Since") != v.LastModified {
		t.Errorf("headers = %v", req.Header)
	}
	resp := &http.Response{Header: http.Header{"Etag": {v.ETag}, "Last-Modified": {v.LastModified}}}
	if got := polite.Validators(resp); got != v {
		t.Errorf("Validators = %+v", got)
	}
}

func TestStatusError(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "upstream\nfailed: "+strings.Repeat("z", 1000), http.StatusServiceUnavailable)
	}))
	defer srv.Close()
	resp, err := http.Get(srv.URL + "/api?token=s3cret")
	if err != nil {
		t.Fatal(err)
	}
	se := polite.NewStatusError(resp, "https://api.example.com/api")
	if se.Code != 503 || se.Method != "GET" || len([]rune(se.Snippet)) != 161 || !strings.HasPrefix(se.Snippet, "upstream failed: zzz") {
		t.Fatalf("StatusError = %+v", se)
	}
	msg := se.Error()
	if !strings.HasPrefix(msg, "GET https://api.example.com/api: HTTP 503: upstream failed") || strings.Contains(msg, "s3cret") {
		t.Errorf("Error() = %q", msg)
	}
	if (&polite.StatusError{Method: "GET", URL: "u", Code: 500}).Error() != "GET u: HTTP 500" {
		t.Errorf("without snippet: %q", (&polite.StatusError{Method: "GET", URL: "u", Code: 500}).Error())
	}
}
