package monitor_test

import (
	"encoding/json"
	"net/http"
	"testing"
	"time"

	"github.com/driftwatch/driftwatch/watcher"
)

// A receiver down makes /healthz "degraded" (still 200) naming it and
// why, and sets its driftwatch_receiver_up to 0; the others stay 1.
func TestHealthDegradedByAReceiver(t *testing.T) {
	f := newFixture(t, nil)
	since := time.Date(2026, 11, 2, 9, 5, 0, 0, time.UTC)
	f.mon.Receivers = func() []watcher.ReceiverStatus {
		return []watcher.ReceiverStatus{{Name: "team-slack", Reason: "invalid_auth", Since: since}, {Name: "oncall", Up: true}}
	}
	resp, body := get(t, f.srv.URL+"/healthz")
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("/healthz = %d", resp.StatusCode)
	}
	var h struct {
		Status    string `json:"status"`
		Receivers []struct {
			Name, Status, Reason string
			Since                *string
		} `json:"receivers"`
	}
	if err := json.Unmarshal(body, &h); err != nil {
		t.Fatal(err)
	}
	if h.Status != "degraded" || len(h.Receivers) != 2 || h.Receivers[0].Status != "down" || h.Receivers[0].Reason != "invalid_auth" ||
		h.Receivers[0].Since == nil || *h.Receivers[0].Since != "2026-11-02T09:05:00Z" || h.Receivers[1].Status != "up" {
		t.Fatalf("healthz %s", body)
	}
	up := map[string]float64{}
	for _, m := range scrape(t, f)["driftwatch_receiver_up"].GetMetric() {
		up[m.GetLabel()[0].GetValue()] = m.GetGauge().GetValue()
	}
	if up["team-slack"] != 0 || up["oncall"] != 1 {
		t.Errorf("driftwatch_receiver_up %v", up)
	}
}
