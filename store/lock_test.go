//go:build unix

package store_test

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/driftwatch/driftwatch/store"
)

func TestAcquireLock(t *testing.T) {
	path := filepath.Join(t.TempDir(), "driftwatch.db")
	first, err := store.AcquireLock(path)
	if err != nil {
		t.Fatalf("first AcquireLock: %v", err)
	}
	// A second daemon on the same store is refused and told who holds it.
	_, err = store.AcquireLock(path)
	var locked *store.LockedError
	if !errors.As(err, &locked) {
		t.Fatalf("second AcquireLock = %v, want a *LockedError", err)
	}
	if locked.Path != path || !strings.Contains(locked.Owner, fmt.Sprintf("pid %d", os.Getpid())) {
		t.Errorf("LockedError = %+v, want the path and this process as owner", locked)
	}
	if !strings.Contains(err.Error(), "locked by another driftwatch run") {
		t.Errorf("error = %q", err)
	}
	if err := first.Release(); err != nil {
		t.Fatalf("Release: %v", err)
	}
	second, err := store.AcquireLock(path)
	if err != nil {
		t.Fatalf("AcquireLock after Release: %v", err)
	}
	if err := second.Release(); err != nil {
		t.Fatal(err)
	}
	if err := second.Release(); err != nil {
		t.Errorf("second Release: %v", err)
	}
}

func TestLockFollowsASymlinkedStorePath(t *testing.T) {
	dir := t.TempDir()
	real := filepath.Join(dir, "real", "driftwatch.db")
	if err := os.MkdirAll(filepath.Dir(real), 0o755); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(dir, "link.db")
	if err := os.Symlink(real, link); err != nil { // dangling until the store exists
		t.Fatal(err)
	}
	linkedDir := filepath.Join(dir, "alias")
	if err := os.Symlink(filepath.Join(dir, "real"), linkedDir); err != nil {
		t.Fatal(err)
	}
	first, err := store.AcquireLock(real)
	if err != nil {
		t.Fatal(err)
	}
	defer first.Release()
	for _, other := range []string{link, filepath.Join(linkedDir, "driftwatch.db")} {
		_, err := store.AcquireLock(other)
		var locked *store.LockedError
		if !errors.As(err, &locked) {
			t.Errorf("AcquireLock(%s) = %v, want the lock of %s refused", other, err, real)
		}
	}
}
