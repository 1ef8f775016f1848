package bench

import (
	"context"
	"database/sql"
	"fmt"
	"sort"
	"strings"

	_ "modernc.org/sqlite" // the driver the store uses
)

// Probe counts what is written to a store, from any connection or
// process: triggers on every table record each inserted, updated and
// deleted row. It answers "what does an unchanged poll write?" from the
// database itself rather than from the code that writes it. Install it
// only on a store made for a test: it adds tables and triggers.
type Probe struct {
	db     *sql.DB
	tables []string
}

// NewProbe installs the triggers in the SQLite file at path.
func NewProbe(ctx context.Context, path string) (*Probe, error) {
	db, err := sql.Open("sqlite", "file:"+path+"?_pragma=busy_timeout(10000)")
	if err != nil {
		return nil, err
	}
	p := &Probe{db: db}
	if err := p.install(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("bench: probe: %w", err)
	}
	return p, nil
}

func (p *Probe) install(ctx context.Context) error {
	rows, err := p.db.QueryContext(ctx, `SELECT name FROM sqlite_master WHERE type = 'table'
		AND name NOT LIKE 'sqlite_%' AND name NOT LIKE 'probe_%' AND name != 'schema_migrations' ORDER BY name`)
	if err != nil {
		return err
	}
	for rows.Next() {
		var t string
		if err := rows.Scan(&t); err != nil {
			rows.Close()
			return err
		}
		p.tables = append(p.tables, t)
	}
	rows.Close()
	stmts := []string{
		`CREATE TABLE IF NOT EXISTS probe_writes (tbl TEXT NOT NULL, op TEXT NOT NULL, row INTEGER NOT NULL)`,
	}
	for _, t := range p.tables {
		for _, op := range []struct{ name, event, ref string }{
			{"insert", "INSERT", "NEW"}, {"update", "UPDATE", "NEW"}, {"delete", "DELETE", "OLD"},
		} {
			stmts = append(stmts, fmt.Sprintf(`CREATE TRIGGER IF NOT EXISTS probe_%s_%s AFTER %s ON %s
				BEGIN INSERT INTO probe_writes VALUES ('%s', '%s', %s.rowid); END`, t, op.name, op.event, t, t, op.name, op.ref))
		}
	}
	for _, s := range stmts {
		if _, err := p.db.ExecContext(ctx, s); err != nil {
			return err
		}
	}
	return nil
}

// Writes is what the probe saw since the last Reset.
type Writes struct {
	// Statements counts row writes by "table.op" (one per row each
	// statement touched).
	Statements map[string]int
	// Rows counts the distinct rows written, by table.
	Rows map[string]int
}

// Tables lists the tables written to, sorted.
func (w Writes) Tables() []string {
	var out []string
	for t := range w.Rows {
		out = append(out, t)
	}
	sort.Strings(out)
	return out
}

// String is one line, e.g. "sources: 3 rows (6 writes: 6 update)".
func (w Writes) String() string {
	if len(w.Rows) == 0 {
		return "nothing"
	}
	var parts []string
	for _, t := range w.Tables() {
		var ops []string
		n := 0
		for _, op := range []string{"insert", "update", "delete"} {
			if c := w.Statements[t+"."+op]; c > 0 {
				ops = append(ops, fmt.Sprintf("%d %s", c, op))
				n += c
			}
		}
		parts = append(parts, fmt.Sprintf("%s: %d rows (%d writes: %s)", t, w.Rows[t], n, strings.Join(ops, ", ")))
	}
	return strings.Join(parts, "; ")
}

// Writes returns the writes recorded since the last Reset.
func (p *Probe) Writes(ctx context.Context) (Writes, error) {
	w := Writes{Statements: map[string]int{}, Rows: map[string]int{}}
	rows, err := p.db.QueryContext(ctx, `SELECT tbl, op, count(*) FROM probe_writes GROUP BY tbl, op`)
	if err != nil {
		return w, err
	}
	for rows.Next() {
		var t, op string
		var n int
		if err := rows.Scan(&t, &op, &n); err != nil {
			rows.Close()
			return w, err
		}
		w.Statements[t+"."+op] = n
	}
	rows.Close()
	rows, err = p.db.QueryContext(ctx, `SELECT tbl, count(DISTINCT row) FROM probe_writes GROUP BY tbl`)
	if err != nil {
		return w, err
	}
	defer rows.Close()
	for rows.Next() {
		var t string
		var n int
		if err := rows.Scan(&t, &n); err != nil {
			return w, err
		}
		w.Rows[t] = n
	}
	return w, rows.Err()
}

// Reset forgets the writes recorded so far.
func (p *Probe) Reset(ctx context.Context) error {
	_, err := p.db.ExecContext(ctx, "DELETE FROM probe_writes")
	return err
}

// Close closes the probe's connection; the triggers stay.
func (p *Probe) Close() error { return p.db.Close() }
