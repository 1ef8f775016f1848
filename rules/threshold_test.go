package rules_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/driftwatch/driftwatch/rules"
	"github.com/driftwatch/driftwatch/watcher"
)

const dbDoc = `{
  "metrics": {"cpu_percent": 95, "connections": 100, "memory_percent": "87.5", "disk": "full", "healthy": true, "iops": null},
  "storage": {"free_gb": 1.5, "used_bytes": 1.2e10},
  "plan": "hobby"
}`

func limit(v float64) *float64 { return &v }

func TestThresholds(t *testing.T) {
	d := doc(t, dbDoc)
	type want struct{ rule, title, new string }
	tests := []struct {
		name string
		th   rules.Threshold
		want *want // nil: within the limit
	}{
		{"above the limit", rules.Threshold{Path: "/metrics/cpu_percent", Above: limit(90)},
			&want{"threshold.above", "/metrics/cpu_percent is 95, above the limit of 90", "95"}},
		{"at the upper limit", rules.Threshold{Path: "/metrics/connections", Above: limit(100)}, nil},
		{"under the upper limit", rules.Threshold{Path: "/metrics/cpu_percent", Above: limit(99.5)}, nil},
		{"below the limit", rules.Threshold{Path: "/storage/free_gb", Below: limit(2)},
			&want{"threshold.below", "/storage/free_gb is 1.5, below the limit of 2", "1.5"}},
		{"at the lower limit", rules.Threshold{Path: "/storage/free_gb", Below: limit(1.5)}, nil},
		{"string number above", rules.Threshold{Path: "/metrics/memory_percent", Above: limit(80)},
			&want{"threshold.above", "/metrics/memory_percent is 87.5, above the limit of 80", "87.5"}},
		{"exponent number", rules.Threshold{Path: "/storage/used_bytes", Above: limit(1e10)},
			&want{"threshold.above", "/storage/used_bytes is 1.2e10, above the limit of 10000000000", "1.2e10"}},
		{"fractional limit", rules.Threshold{Path: "/metrics/connections", Below: limit(100.25)},
			&want{"threshold.below", "/metrics/connections is 100, below the limit of 100.25", "100"}},
		{"non-numeric string", rules.Threshold{Path: "/metrics/disk", Above: limit(90)}, nil},
		{"boolean", rules.Threshold{Path: "/metrics/healthy", Below: limit(1)}, nil},
		{"null", rules.Threshold{Path: "/metrics/iops", Above: limit(0)}, nil},
		{"object", rules.Threshold{Path: "/metrics", Above: limit(0)}, nil},
		{"missing path", rules.Threshold{Path: "/metrics/replication_lag", Above: limit(5)}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.th.Severity, tt.th.Category = watcher.Breaking, watcher.UsageGrowth
			got := rules.Thresholds([]rules.Threshold{tt.th}).Judge(&watcher.Judgement{New: d, Peers: watcher.NoPeers{}})
			if tt.want == nil {
				if len(got) != 0 {
					t.Fatalf("within the limit, but got %+v", got)
				}
				return
			}
			if len(got) != 1 {
				t.Fatalf("got %d findings, want 1: %+v", len(got), got)
			}
			f := got[0]
			w := watcher.Finding{Rule: tt.want.rule, Severity: watcher.Breaking, Category: watcher.UsageGrowth,
				Path: tt.th.Path, Title: tt.want.title, New: tt.want.new}
			if diff := cmp.Diff(w, f, cmpopts.IgnoreFields(watcher.Finding{}, "Subject", "Detail")); diff != "" {
				t.Errorf("finding (-want +got):\n%s", diff)
			}
			if !strings.Contains(f.Detail, tt.want.new) || !strings.Contains(f.Detail, watcher.UsageGrowth.Plain()) {
				t.Errorf("Detail %q lacks the value or the category in words", f.Detail)
			}
		})
	}
}

// TestThresholdNumberForms: the engine decodes numbers as json.Number; a
// hand-built document may carry float64 or int. All judge alike.
func TestThresholdNumberForms(t *testing.T) {
	th := []rules.Threshold{{Path: "/cpu", Above: limit(90), Severity: watcher.Warning, Category: watcher.Infrastructure}}
	for _, v := range []any{json.Number("95"), json.Number("95.0"), float64(95), 95, int64(95), "95", " 95 "} {
		fs := rules.Thresholds(th).Judge(&watcher.Judgement{New: map[string]any{"cpu": v}, Peers: watcher.NoPeers{}})
		if len(fs) != 1 || fs[0].Rule != "threshold.above" {
			t.Errorf("value %#v: got %+v, want one threshold.above", v, fs)
		}
	}
	for _, v := range []any{json.Number("90"), float64(90), "90", "ninety", json.Number("bogus")} {
		if fs := rules.Thresholds(th).Judge(&watcher.Judgement{New: map[string]any{"cpu": v}, Peers: watcher.NoPeers{}}); len(fs) != 0 {
			t.Errorf("value %#v: got %+v, want none", v, fs)
		}
	}
}

// TestThresholdIdentity: two limits on one path are two findings; the same
// breach at a new value is still the same finding.
func TestThresholdIdentity(t *testing.T) {
	ths := []rules.Threshold{
		{Path: "/metrics/cpu_percent", Above: limit(80), Severity: watcher.Warning, Category: watcher.Infrastructure},
		{Path: "/metrics/cpu_percent", Above: limit(90), Severity: watcher.Breaking, Category: watcher.Infrastructure},
	}
	fps := func(cpu string) []string {
		d := doc(t, `{"metrics":{"cpu_percent":`+cpu+`}}`)
		fs := rules.Thresholds(ths).Judge(&watcher.Judgement{New: d, Peers: watcher.NoPeers{}})
		out := make([]string, len(fs))
		for i := range fs {
			fs[i].Source = "orders-db"
			out[i] = fs[i].Fingerprint()
		}
		return out
	}
	at95 := fps("95")
	if len(at95) != 2 || at95[0] == at95[1] {
		t.Fatalf("fingerprints at 95 = %v, want two distinct", at95)
	}
	if diff := cmp.Diff(at95, fps("97")); diff != "" {
		t.Errorf("fingerprints moved with the value (-95 +97):\n%s", diff)
	}
	if got := fps("85"); len(got) != 1 || got[0] != at95[0] {
		t.Errorf("at 85: %v, want only the 80 limit's finding %s", got, at95[0])
	}
	// The value reads old documents never: only New is judged.
	fs := rules.Thresholds(ths).Judge(&watcher.Judgement{Old: doc(t, `{"metrics":{"cpu_percent":99}}`), New: doc(t, `{"metrics":{"cpu_percent":10}}`), Peers: watcher.NoPeers{}})
	if len(fs) != 0 {
		t.Errorf("judged the old document: %+v", fs)
	}
}

func TestThresholdTitleOneLine(t *testing.T) {
	d := map[string]any{"load": " 97\n"}
	fs := rules.Thresholds([]rules.Threshold{{Path: "/load", Above: limit(90), Severity: watcher.Warning}}).
		Judge(&watcher.Judgement{New: d, Peers: watcher.NoPeers{}})
	if len(fs) != 1 {
		t.Fatalf("got %d findings, want 1", len(fs))
	}
	if strings.ContainsAny(fs[0].Title, "\r\n") {
		t.Errorf("Title spans lines: %q", fs[0].Title)
	}
}

func TestThresholdsCompareNumbersExactly(t *testing.T) {
	d := doc(t, `{"huge": 1e400, "neg_huge": -1e400, "beyond": 1e99999999999999999999, "tiny": 1e-500,
		"big_int": 9007199254740993, "big_str": "9007199254740993", "tenth": 0.1, "padded": 0.000e999999,
		"shifted": 1`+strings.Repeat("0", 200)+`e-450}`)
	tests := []struct {
		name  string
		th    rules.Threshold
		fires bool
	}{
		{"1e400 is above any float limit", rules.Threshold{Path: "/huge", Above: limit(1e308)}, true},
		{"-1e400 is below any float limit", rules.Threshold{Path: "/neg_huge", Below: limit(-1e308)}, true},
		{"an exponent past int64 is still huge", rules.Threshold{Path: "/beyond", Above: limit(90)}, true},
		{"1e-500 is above zero", rules.Threshold{Path: "/tiny", Above: limit(0)}, true},
		{"1e-500 is below the smallest float", rules.Threshold{Path: "/tiny", Below: limit(5e-324)}, true},
		{"2^53+1 is above 2^53", rules.Threshold{Path: "/big_int", Above: limit(9007199254740992)}, true},
		{"2^53+1 in a string is above 2^53", rules.Threshold{Path: "/big_str", Above: limit(9007199254740992)}, true},
		{"0.1 is not above the limit 0.1", rules.Threshold{Path: "/tenth", Above: limit(0.1)}, false},
		{"0.1 is not below the limit 0.1", rules.Threshold{Path: "/tenth", Below: limit(0.1)}, false},
		{"zero with a huge exponent is zero", rules.Threshold{Path: "/padded", Above: limit(0)}, false},
		{"leading digits move the magnitude", rules.Threshold{Path: "/shifted", Above: limit(1e-251)}, true},
		{"leading digits move the magnitude, exactly", rules.Threshold{Path: "/shifted", Above: limit(1e-250)}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.th.Severity, tt.th.Category = watcher.Warning, watcher.Infrastructure
			got := rules.Thresholds([]rules.Threshold{tt.th}).Judge(&watcher.Judgement{New: d, Peers: watcher.NoPeers{}})
			if (len(got) == 1) != tt.fires {
				t.Errorf("fired = %v (%+v), want %v", len(got) == 1, got, tt.fires)
			}
		})
	}
}
