package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/driftwatch/driftwatch/watcher"
)

// extra holds the parts of a finding that renderers use and the contract's
// columns do not carry.
type extra struct {
	Old     string         `json:"old,omitempty"`
	New     string         `json:"new,omitempty"`
	Excerpt string         `json:"excerpt,omitempty"`
	Note    string         `json:"note,omitempty"`
	URL     string         `json:"url,omitempty"`
	Links   []watcher.Link `json:"links,omitempty"`
	Also    []string       `json:"also,omitempty"`
	Folded  []folded       `json:"folded,omitempty"`
	// ResolvedReason says why a finding resolved when no snapshot did it
	// (its source was removed from the configuration).
	ResolvedReason string `json:"resolved_reason,omitempty"`
	// Changed is who made the change, from the upstream's audit log.
	Changed *watcher.Attribution `json:"changed,omitempty"`
}

// folded is a finding folded into another, kept so its rule can carry it
// forward: what that rule judged, not what the store adds.
type folded struct {
	Rule     string           `json:"rule"`
	Severity watcher.Severity `json:"severity"`
	Category watcher.Category `json:"category"`
	Path     string           `json:"path"`
	Subject  string           `json:"subject,omitempty"`
	Title    string           `json:"title"`
	Detail   string           `json:"detail,omitempty"`
	Old      string           `json:"old,omitempty"`
	New      string           `json:"new,omitempty"`
	Excerpt  string           `json:"excerpt,omitempty"`
	URL      string           `json:"url,omitempty"`
	// Changed is who made the change the folded finding reports.
	Changed *watcher.Attribution `json:"changed,omitempty"`
}

const findingColumns = `id, source, rule, severity, category, path, subject, title, detail, extra,
	state, detected_at, resolved_at, acked_at, ack_note, snapshot_id`

func scanFinding(r rowScanner) (watcher.Finding, error) {
	var f watcher.Finding
	var sev int
	var ex, detected string
	var resolved, acked sql.NullString
	var snap sql.NullInt64
	err := r.Scan(&f.ID, &f.Source, &f.Rule, &sev, &f.Category, &f.Path, &f.Subject, &f.Title, &f.Detail, &ex,
		&f.State, &detected, &resolved, &acked, &f.AckNote, &snap)
	if err != nil {
		return f, err
	}
	f.Severity = watcher.Severity(sev)
	f.DetectedAt = parseTime(detected)
	f.ResolvedAt, f.AckedAt = scanTime(resolved), scanTime(acked)
	f.SnapshotID = snap.Int64
	var e extra
	_ = json.Unmarshal([]byte(ex), &e)
	f.Old, f.New, f.Excerpt, f.Note = e.Old, e.New, e.Excerpt, e.Note
	f.URL, f.Links, f.Also, f.ResolvedReason, f.Changed = e.URL, e.Links, e.Also, e.ResolvedReason, e.Changed
	for _, g := range e.Folded {
		f.Folded = append(f.Folded, watcher.Finding{Source: f.Source, Rule: g.Rule, Severity: g.Severity, Category: g.Category,
			Path: g.Path, Subject: g.Subject, Title: g.Title, Detail: g.Detail, Old: g.Old, New: g.New, Excerpt: g.Excerpt, URL: g.URL, Changed: g.Changed})
	}
	return f, nil
}

// extraJSON keeps what the contract's columns do not: it lives in the
// findings table's extra column, so new parts need no migration.
func extraJSON(f *watcher.Finding) string {
	e := extra{Old: f.Old, New: f.New, Excerpt: f.Excerpt, Note: f.Note, URL: f.URL, Links: f.Links, Also: f.Also,
		ResolvedReason: f.ResolvedReason, Changed: f.Changed}
	for _, g := range f.Folded {
		e.Folded = append(e.Folded, folded{Rule: g.Rule, Severity: g.Severity, Category: g.Category, Path: g.Path,
			Subject: g.Subject, Title: g.Title, Detail: g.Detail, Old: g.Old, New: g.New, Excerpt: g.Excerpt, URL: g.URL, Changed: g.Changed})
	}
	b, _ := json.Marshal(e)
	return string(b)
}

// Findings lists findings by filter, newest first.
func (db *DB) Findings(ctx context.Context, flt watcher.FindingFilter) ([]watcher.Finding, error) {
	var where []string
	var args []any
	in := func(col string, n int) string {
		return col + " IN (" + strings.TrimSuffix(strings.Repeat("?,", n), ",") + ")"
	}
	if len(flt.States) > 0 {
		where = append(where, in("state", len(flt.States)))
		for _, s := range flt.States {
			args = append(args, string(s))
		}
	}
	if len(flt.Sources) > 0 {
		where = append(where, in("source", len(flt.Sources)))
		for _, s := range flt.Sources {
			args = append(args, s)
		}
	}
	if len(flt.ID) > 0 {
		where = append(where, in("id", len(flt.ID)))
		for _, id := range flt.ID {
			args = append(args, id)
		}
	}
	if flt.MinSeverity > 0 {
		where = append(where, "severity >= ?")
		args = append(args, int(flt.MinSeverity))
	}
	q := "SELECT " + findingColumns + " FROM findings"
	if len(where) > 0 {
		q += " WHERE " + strings.Join(where, " AND ")
	}
	q += " ORDER BY id DESC"
	return db.queryFindings(ctx, q, args...)
}

func (db *DB) queryFindings(ctx context.Context, q string, args ...any) ([]watcher.Finding, error) {
	rows, err := db.db.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("store: findings: %w", err)
	}
	defer rows.Close()
	var out []watcher.Finding
	for rows.Next() {
		f, err := scanFinding(rows)
		if err != nil {
			return nil, fmt.Errorf("store: findings: %w", err)
		}
		out = append(out, f)
	}
	return out, rows.Err()
}

// FindingsChangedBetween lists findings detected or resolved in [since,
// until), oldest first.
func (db *DB) FindingsChangedBetween(ctx context.Context, since, until time.Time) ([]watcher.Finding, error) {
	s, u := formatTime(since), formatTime(until)
	return db.queryFindings(ctx, "SELECT "+findingColumns+` FROM findings
		WHERE (detected_at >= ? AND detected_at < ?) OR (resolved_at >= ? AND resolved_at < ?) ORDER BY id`, s, u, s, u)
}

// Ack acknowledges findings, all or none.
func (db *DB) Ack(ctx context.Context, ids []int64, note string, at time.Time) error {
	return db.inTx(ctx, func(tx *sql.Tx) error {
		var missing []int64
		for _, id := range ids {
			var n int
			if err := tx.QueryRowContext(ctx, "SELECT count(*) FROM findings WHERE id = ?", id).Scan(&n); err != nil {
				return fmt.Errorf("store: ack: %w", err)
			}
			if n == 0 {
				missing = append(missing, id)
			}
		}
		if len(missing) > 0 {
			slices.Sort(missing) // numerically: 9 before 10
			missing = slices.Compact(missing)
			names := make([]string, len(missing))
			for i, id := range missing {
				names[i] = strconv.FormatInt(id, 10)
			}
			return fmt.Errorf("unknown finding ID %s: %w", strings.Join(names, ", "), watcher.ErrNotFound)
		}
		for _, id := range ids {
			_, err := tx.ExecContext(ctx, `UPDATE findings SET acked_at = ?, ack_note = ?, updated_at = ?,
				state = CASE state WHEN 'open' THEN 'acked' ELSE state END WHERE id = ?`,
				formatTime(at), note, formatTime(at), id)
			if err != nil {
				return fmt.Errorf("store: ack %d: %w", id, err)
			}
		}
		return nil
	})
}

// OpenFindingCounts counts open findings by severity, for metrics.
func (db *DB) OpenFindingCounts(ctx context.Context) (map[watcher.Severity]int, error) {
	rows, err := db.db.QueryContext(ctx, "SELECT severity, count(*) FROM findings WHERE state = 'open' GROUP BY severity")
	if err != nil {
		return nil, fmt.Errorf("store: count findings: %w", err)
	}
	defer rows.Close()
	out := map[watcher.Severity]int{}
	for rows.Next() {
		var sev, n int
		if err := rows.Scan(&sev, &n); err != nil {
			return nil, err
		}
		out[watcher.Severity(sev)] = n
	}
	return out, rows.Err()
}
