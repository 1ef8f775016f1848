package store

import (
	"context"
	"database/sql"
	"path/filepath"
	"testing"
)

// TestPragmasOnEveryConnection asks several of the store's pooled
// connections at once: pragmas set in the DSN reach each of them, where a
// one-off Exec would reach only one.
func TestPragmasOnEveryConnection(t *testing.T) {
	ctx := context.Background()
	db, err := Open(ctx, filepath.Join(t.TempDir(), "driftwatch.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()

	want := map[string]string{
		"journal_mode": "wal",
		"busy_timeout": "10000",
		"foreign_keys": "1",
		"synchronous":  "1", // NORMAL
	}
	var conns []*sql.Conn
	for range 3 {
		c, err := db.db.Conn(ctx)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		conns = append(conns, c)
	}
	for i, c := range conns {
		for pragma, v := range want {
			var got string
			if err := c.QueryRowContext(ctx, "PRAGMA "+pragma).Scan(&got); err != nil {
				t.Fatalf("conn %d: PRAGMA %s: %v", i, pragma, err)
			}
			if got != v {
				t.Errorf("conn %d: %s = %s, want %s", i, pragma, got, v)
			}
		}
	}
}
