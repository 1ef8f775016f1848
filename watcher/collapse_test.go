package watcher_test

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/driftwatch/driftwatch/watcher"
)

func TestCollapseKeepsTheNewestPerFinding(t *testing.T) {
	f := func(id int64) *watcher.Finding { return &watcher.Finding{ID: id} }
	n := func(id int64, kind watcher.NoticeKind, finding int64, attempts int) watcher.Notice {
		nt := watcher.Notice{ID: id, Kind: kind, Group: "g", Attempts: attempts}
		if finding != 0 {
			nt.Finding = f(finding)
		}
		return nt
	}
	in := []watcher.Notice{
		n(1, watcher.NoticeOpened, 7, 2),
		n(2, watcher.NoticeOpened, 8, 0),
		n(3, watcher.NoticeDigest, 0, 1),
		n(4, watcher.NoticeResolved, 7, 0),
		n(5, watcher.NoticeDigest, 0, 0),
		n(6, watcher.NoticeReopened, 7, 0),
	}
	got := watcher.Collapse(in)
	type row struct {
		ID      int64
		Earlier []int64
		History string
	}
	var rows []row
	for _, g := range got {
		r := row{ID: g.ID, History: g.History()}
		for _, e := range g.Earlier {
			r.Earlier = append(r.Earlier, e.ID)
		}
		rows = append(rows, r)
	}
	want := []row{
		{ID: 2},
		{ID: 5, Earlier: []int64{3}, History: "Replaces 1 earlier digest not posted, while Slack was unreachable."},
		{ID: 6, Earlier: []int64{1, 4}, History: "Opened, resolved and reopened while Slack was unreachable."},
	}
	if diff := cmp.Diff(want, rows); diff != "" {
		t.Errorf("Collapse (-want +got):\n%s", diff)
	}
	// Queued without any failed attempt (poll --no-notify): no outage to
	// blame.
	quiet := watcher.Collapse([]watcher.Notice{n(1, watcher.NoticeOpened, 7, 0), n(2, watcher.NoticeResolved, 7, 0)})
	if h := quiet[0].History(); h != "Opened and resolved before a notice could be posted." {
		t.Errorf("History = %q", h)
	}
}
