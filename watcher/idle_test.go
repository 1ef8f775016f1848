package watcher_test

import (
	"bufio"
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"runtime"
	"strings"
	"testing"

	"github.com/driftwatch/driftwatch/notify/console"
	"github.com/driftwatch/driftwatch/rules"
	"github.com/driftwatch/driftwatch/watcher"
)

var idleCycles = flag.Int("cycles", 0, "poll cycles of TestIdleMemory (0 skips it; the issue asks for 1000)")

// memSample is the process's memory after a forced GC.
type memSample struct {
	cycle      int
	heapInuse  uint64
	heapAlloc  uint64
	rss        uint64 // VmRSS, bytes; 0 when /proc is not there
	goroutines int
}

func sampleMemory(cycle int) memSample {
	runtime.GC()
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return memSample{cycle: cycle, heapInuse: ms.HeapInuse, heapAlloc: ms.HeapAlloc, rss: vmRSS(), goroutines: runtime.NumGoroutine()}
}

// vmRSS reads the resident set size from /proc/self/status (Linux).
func vmRSS() uint64 {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		return 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(sc.Text(), "VmRSS:"); ok {
			var kb uint64
			fmt.Sscanf(strings.TrimSpace(rest), "%d kB", &kb)
			return kb << 10
		}
	}
	return 0
}

// statusPage is an http_json document of about 2 KiB, like a cloud
// resource API answer.
func statusPage(i int) string {
	var b strings.Builder
	fmt.Fprintf(&b, `{"id": "db-%03d", "plan": "standard-2", "region": "eu-west-1", "status": "available",`, i)
	fmt.Fprintf(&b, ` "metrics": {"cpu_percent": %d, "memory_percent": 41.5, "connections": 37, "storage_gb": 12.25},`, 20+i%50)
	b.WriteString(` "replicas": [`)
	for r := range 12 {
		if r > 0 {
			b.WriteString(", ")
		}
		fmt.Fprintf(&b, `{"name": "replica-%02d", "zone": "eu-west-1%c", "lag_ms": %d, "healthy": true}`, r, 'a'+r%3, r*7)
	}
	b.WriteString(`], "tags": {"team": "orders", "env": "production", "cost_center": "4711"}}`)
	return b.String()
}

// TestIdleMemory runs the daemon's cycle — poll every source, deliver —
// over 50 http_json sources whose documents do not change (half answer
// 304 to their ETag, half send the same body again), sampling the heap
// after GC and the RSS every 100 cycles. The heap must stay flat. It is
// slow, so it runs only when asked:
//
//	go test ./watcher -run TestIdleMemory -count=1 -v -args -cycles=1000
func TestIdleMemory(t *testing.T) {
	if testing.Short() || *idleCycles <= 0 {
		t.Skip("run with -args -cycles=1000 to measure idle memory")
	}
	db, plain, cached := openStore(t), newUpstream(t), newUpstream(t)
	cached.useETags()
	limit := 90.0
	threshold := rules.Thresholds([]rules.Threshold{{Path: "/metrics/cpu_percent", Above: &limit,
		Severity: watcher.Warning, Category: watcher.Infrastructure}})
	e := &watcher.Engine{Store: db, Notifier: console.New(io.Discard), Policy: everyone, Concurrency: 4}
	for i := range 50 {
		up := plain
		if i%2 == 1 {
			up = cached
		}
		name := fmt.Sprintf("db-%03d", i)
		up.set(name, statusPage(i))
		e.Sources = append(e.Sources, jsonSource(t, up, name, threshold))
	}
	ctx := context.Background()
	cycle := func() {
		rep, err := e.Poll(ctx)
		if err != nil || rep.Failed() > 0 {
			t.Fatalf("poll: %v, %d failed", err, rep.Failed())
		}
		e.Deliver(ctx)
	}
	cycle() // baselines
	samples := []memSample{sampleMemory(0)}
	for i := 1; i <= *idleCycles; i++ {
		cycle()
		if i%100 == 0 || i == *idleCycles {
			samples = append(samples, sampleMemory(i))
		}
	}

	var b strings.Builder
	fmt.Fprintf(&b, "\n%7s %12s %12s %10s %10s\n", "cycle", "HeapInuse", "HeapAlloc", "VmRSS", "goroutines")
	for _, s := range samples {
		fmt.Fprintf(&b, "%7d %9.2f MiB %9.2f MiB %6.1f MiB %10d\n", s.cycle,
			mib(s.heapInuse), mib(s.heapAlloc), mib(s.rss), s.goroutines)
	}
	t.Log(b.String())
	if n := len(snapshots(t, db, "db-000")); n != 1 {
		t.Errorf("idle source stored %d snapshots, want 1", n)
	}

	// Flat: after the first 100 cycles (caches, pools, SQLite's page cache
	// warmed up) the live heap may wobble, not grow with the cycles.
	if len(samples) < 3 {
		return
	}
	warm, end := samples[1], samples[len(samples)-1]
	if end.heapAlloc > warm.heapAlloc+warm.heapAlloc/4+1<<20 {
		t.Errorf("live heap grew from %.2f MiB (cycle %d) to %.2f MiB (cycle %d)", mib(warm.heapAlloc), warm.cycle, mib(end.heapAlloc), end.cycle)
	}
	if end.goroutines > warm.goroutines+5 {
		t.Errorf("goroutines grew from %d to %d", warm.goroutines, end.goroutines)
	}
}

func mib(n uint64) float64 { return float64(n) / (1 << 20) }
