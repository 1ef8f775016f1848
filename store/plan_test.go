package store_test

import (
	"database/sql"
	"strings"
	"testing"
)

// The store's hot queries, as store/*.go issues them (Findings with
// States=[open] and MinSeverity=breaking; the others verbatim). Keep them
// in step with the code when it changes.
var hotQueries = []struct {
	name  string
	query string
	args  []any
}{
	{"Findings(open, breaking)", `SELECT id, source, rule, severity, category, path, subject, title, detail, extra,
	state, detected_at, resolved_at, acked_at, ack_note, snapshot_id FROM findings WHERE state IN (?) AND severity >= ? ORDER BY id DESC`,
		[]any{"open", 3}},
	{"Snapshots(source)", "SELECT id, source, fetched_at, hash, changes FROM snapshots WHERE source = ? ORDER BY id DESC",
		[]any{"src-007"}},
	{"SnapshotsBetween", "SELECT id, source, fetched_at, hash, changes FROM snapshots WHERE fetched_at >= ? AND fetched_at < ? ORDER BY id",
		[]any{"2026-10-26T09:00:00.000Z", "2026-11-02T09:00:00.000Z"}},
	{"LatestSnapshot", "SELECT id, source, fetched_at, hash, changes, encoding, body FROM snapshots WHERE source = ? ORDER BY id DESC LIMIT 1",
		[]any{"src-007"}},
	{"openFindings (Commit)", `SELECT id FROM findings WHERE source = ? AND state IN ('open', 'acked')`,
		[]any{"src-007"}},
	{"ClaimNotices (due)", `SELECT id, kind, finding_id FROM outbox
			WHERE sent_at IS NULL AND given_up_at IS NULL AND next_attempt_at <= ?
			AND (claimed_until IS NULL OR claimed_until < ?) ORDER BY id LIMIT ?`,
		[]any{"2026-11-02T09:00:00.000Z", "2026-11-02T09:00:00.000Z", 50}},
	{"ClaimNotices (their findings)", `SELECT id, kind, source, grp, payload, created_at, attempts, attempt_started_at, finding_id, claimed_until
			FROM outbox WHERE sent_at IS NULL AND given_up_at IS NULL AND (id IN (?,?) OR finding_id IN (?,?) OR kind = 'digest') ORDER BY id`,
		[]any{1, 2, 7, 9}},
	{"StartAttempt (renew)", `UPDATE outbox SET claimed_until = ? WHERE claimed_by = ?
			AND sent_at IS NULL AND given_up_at IS NULL`, []any{"2026-11-02T09:00:00.000Z", "me"}},
	{"OutboxStats", `SELECT
		(SELECT count(*) FROM outbox WHERE sent_at IS NULL AND given_up_at IS NULL),
		(SELECT count(*) FROM outbox WHERE given_up_at IS NOT NULL),
		COALESCE((SELECT last_error FROM outbox WHERE sent_at IS NULL AND last_error != '' ORDER BY id DESC LIMIT 1), '')`, nil},
	{"FindingsChangedBetween", `SELECT id FROM findings
		WHERE (detected_at >= ? AND detected_at < ?) OR (resolved_at >= ? AND resolved_at < ?) ORDER BY id`,
		[]any{"2026-10-26T09:00:00.000Z", "2026-11-02T09:00:00.000Z", "2026-10-26T09:00:00.000Z", "2026-11-02T09:00:00.000Z"}},
	{"OpenFindingCounts", "SELECT severity, count(*) FROM findings WHERE state = 'open' GROUP BY severity", nil},
}

// queryPlan returns EXPLAIN QUERY PLAN's detail lines, indented by depth.
func queryPlan(tb testing.TB, db *sql.DB, query string, args ...any) []string {
	tb.Helper()
	rows, err := db.Query("EXPLAIN QUERY PLAN "+query, args...)
	if err != nil {
		tb.Fatalf("explain: %v", err)
	}
	defer rows.Close()
	depth := map[int]int{}
	var out []string
	for rows.Next() {
		var id, parent, notused int
		var detail string
		if err := rows.Scan(&id, &parent, &notused, &detail); err != nil {
			tb.Fatal(err)
		}
		depth[id] = depth[parent] + 1
		out = append(out, strings.Repeat("  ", depth[id]-1)+detail)
	}
	return out
}

// TestQueryPlans logs how SQLite runs the hot queries and fails when one
// reads a whole table: findings and snapshots grow without bound.
func TestQueryPlans(t *testing.T) {
	_, path := mustOpen(t)
	raw := rawDB(t, path)
	for _, q := range hotQueries {
		plan := queryPlan(t, raw, q.query, q.args...)
		t.Logf("%s:\n    %s", q.name, strings.Join(plan, "\n    "))
		for _, line := range plan {
			for _, table := range []string{"findings", "snapshots", "outbox"} {
				if strings.Contains(line, "SCAN "+table) && !strings.Contains(line, "INDEX") {
					t.Errorf("%s scans table %s: %s", q.name, table, line)
				}
			}
		}
	}
}
