package polite_test

import (
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"

	"github.com/driftwatch/driftwatch/providers/polite"
)

func TestCapBodiesFailsPastTheCapSuccessOrError(t *testing.T) {
	const max = 1000
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n, _ := strconv.Atoi(r.URL.Query().Get("n"))
		if r.URL.Query().Get("length") == "" {
			w.Header().Set("Transfer-Encoding", "chunked") // no Content-Length
		} else {
			w.Header().Set("Content-Length", strconv.Itoa(n))
		}
		code, _ := strconv.Atoi(r.URL.Query().Get("code"))
		w.WriteHeader(code)
		io.WriteString(w, strings.Repeat("x", n))
	}))
	t.Cleanup(srv.Close)
	hc := &http.Client{Transport: polite.CapBodies(nil, max)}
	read := func(q string) (int, error) {
		resp, err := hc.Get(srv.URL + "?" + q)
		if err != nil {
			return 0, err
		}
		defer resp.Body.Close()
		b, err := io.ReadAll(resp.Body)
		return len(b), err
	}
	for _, q := range []string{"code=200&n=1000", "code=500&n=1000", "code=200&n=1000&length=1"} {
		if n, err := read(q); err != nil || n != max {
			t.Errorf("%s: read %d, %v; want the whole body at the cap", q, n, err)
		}
	}
	for _, q := range []string{"code=200&n=1001", "code=502&n=50000", "code=200&n=50000&length=1", "code=404&n=1001&length=1"} {
		if _, err := read(q); !errors.Is(err, polite.ErrTooLarge) {
			t.Errorf("%s: err = %v, want ErrTooLarge", q, err)
		}
	}
}

func TestNewClientCapsBodies(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusInternalServerError)
		chunk := []byte(strings.Repeat("e", 1<<20))
		for range polite.MaxBody>>20 + 2 {
			if _, err := w.Write(chunk); err != nil {
				return
			}
		}
	}))
	t.Cleanup(srv.Close)
	resp, err := polite.NewClient(nil, 0).Get(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	n, err := io.Copy(io.Discard, resp.Body)
	if !errors.Is(err, polite.ErrTooLarge) || n != polite.MaxBody {
		t.Errorf("read %d bytes, %v; want %d then ErrTooLarge", n, err, polite.MaxBody)
	}
}
