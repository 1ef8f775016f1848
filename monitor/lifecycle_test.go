package monitor_test

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/driftwatch/driftwatch/monitor"
	"github.com/driftwatch/driftwatch/watcher"
)

func TestRemovedSourceLeavesHealthzAndMetrics(t *testing.T) {
	f := newFixture(t, nil) // orders open with a breaking finding, billing failing
	// The config drops billing: the engine now runs orders only.
	f.e.Sources = f.e.Sources[:1]
	names, err := f.e.RetireRemoved(context.Background())
	if err != nil || len(names) != 1 || names[0] != "billing" {
		t.Fatalf("RetireRemoved = %v, %v", names, err)
	}
	f.mon.Retain([]string{"orders"})

	_, h := health(t, f)
	if len(h.Sources) != 1 || h.Sources[0].Name != "orders" {
		t.Errorf("healthz sources = %+v, want orders only", h.Sources)
	}
	_, body := get(t, f.srv.URL+"/metrics")
	for _, line := range strings.Split(string(body), "\n") {
		if strings.Contains(line, `source="billing"`) {
			t.Errorf("metrics still report billing: %s", line)
		}
	}
	if !strings.Contains(string(body), `driftwatch_polls_total{outcome="baseline",source="orders"} 1`) {
		t.Errorf("metrics lost orders:\n%s", body)
	}
}

func TestRemovedSourceFindingsResolveWithTheReason(t *testing.T) {
	f := newFixture(t, nil)
	ctx := context.Background()
	all := f.e.Sources
	f.e.Sources = all[1:] // orders, with its open finding, is removed
	if _, err := f.e.RetireRemoved(ctx); err != nil {
		t.Fatal(err)
	}
	fs, err := f.db.Findings(ctx, watcher.FindingFilter{Sources: []string{"orders"}})
	if err != nil || len(fs) != 1 {
		t.Fatalf("findings = %v, %v", fs, err)
	}
	got := fs[0]
	if got.State != watcher.Resolved || got.ResolvedAt == nil || got.ResolvedReason != "source removed from the configuration" {
		t.Errorf("finding after removal = %+v", got)
	}
	// Kept in the history: the snapshot is still there.
	if _, err := f.db.LatestSnapshot(ctx, "orders"); err != nil {
		t.Errorf("snapshot gone: %v", err)
	}
	// Added back, the condition that still holds reopens the same finding
	// and the reason is gone.
	f.e.Sources = all
	f.poll(t)
	fs, err = f.db.Findings(ctx, watcher.FindingFilter{Sources: []string{"orders"}})
	if err != nil || len(fs) != 1 || fs[0].ID != got.ID || fs[0].State != watcher.Open || fs[0].ResolvedReason != "" {
		t.Errorf("finding after the source came back = %+v, %v", fs, err)
	}
	_, h := health(t, f)
	if len(h.Sources) != 2 {
		t.Errorf("healthz after the source came back = %+v", h.Sources)
	}
}

// serve runs the monitor's server with short timeouts on a loopback port.
func serve(t *testing.T, to monitor.ServerTimeouts) string {
	t.Helper()
	f := newFixture(t, nil)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := f.mon.Server(to)
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	return ln.Addr().String()
}

// closedByServer waits (at most limit) for the server to close conn.
func closedByServer(conn net.Conn, r *bufio.Reader, limit time.Duration) error {
	conn.SetReadDeadline(time.Now().Add(limit))
	_, err := r.ReadByte()
	switch {
	case errors.Is(err, io.EOF):
		return nil
	case errors.Is(err, os.ErrDeadlineExceeded):
		return fmt.Errorf("still open after %s", limit)
	case err == nil:
		return errors.New("the server sent more bytes")
	}
	return nil // reset: closed too
}

func TestIdleKeepAliveConnectionsAreClosed(t *testing.T) {
	addr := serve(t, monitor.ServerTimeouts{Idle: 50 * time.Millisecond, ReadHeader: 50 * time.Millisecond})
	const n = 40
	type idle struct {
		c net.Conn
		r *bufio.Reader
	}
	var conns []idle
	for i := range n {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { c.Close() })
		r := bufio.NewReader(c)
		if i%2 == 0 {
			// A scraper that made one request and keeps the connection.
			fmt.Fprintf(c, "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
			resp, err := http.ReadResponse(r, nil)
			if err != nil {
				t.Fatal(err)
			}
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.Close {
				t.Fatal("the server closed a keep-alive connection at once")
			}
		} // else: a client that connects and never sends a request
		conns = append(conns, idle{c, r})
	}
	for i, ic := range conns {
		if err := closedByServer(ic.c, ic.r, 10*time.Second); err != nil {
			t.Errorf("connection %d: %v", i, err)
		}
	}
}

func TestServerTimeoutsHaveDefaults(t *testing.T) {
	f := newFixture(t, nil)
	srv := f.mon.Server(monitor.ServerTimeouts{Idle: time.Second})
	if srv.IdleTimeout != time.Second || srv.ReadHeaderTimeout <= 0 || srv.ReadTimeout <= 0 || srv.WriteTimeout <= 0 {
		t.Errorf("server timeouts = header %s read %s write %s idle %s", srv.ReadHeaderTimeout, srv.ReadTimeout, srv.WriteTimeout, srv.IdleTimeout)
	}
}
