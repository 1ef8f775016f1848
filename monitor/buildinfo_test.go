package monitor_test

import "testing"

func TestBuildInfoMetric(t *testing.T) {
	f := newFixture(t, nil)
	f.mon.SetBuildInfo("v1.2.3", "abcdef123456", "go1.26.8")
	got := value(t, scrape(t, f), "driftwatch_build_info",
		map[string]string{"commit": "abcdef123456", "goversion": "go1.26.8", "version": "v1.2.3"})
	if got != 1 {
		t.Errorf("driftwatch_build_info = %v, want 1", got)
	}
}
