//go:build unix

package store

import (
	"errors"
	"fmt"
	"os"
	"strings"
	"syscall"
	"time"
)

// Lock is an exclusive hold on a store for one daemon.
type Lock struct{ f *os.File }

// LockedError says who holds a store's lock.
type LockedError struct {
	Path  string
	Owner string // "host h, pid p, since t" as written by the holder
}

func (e *LockedError) Error() string {
	if e.Owner == "" {
		return fmt.Sprintf("store %s is locked by another driftwatch run", e.Path)
	}
	return fmt.Sprintf("store %s is locked by another driftwatch run (%s)", e.Path, e.Owner)
}

// AcquireLock takes the exclusive daemon lock of the store at dbPath: an
// flock on the resolved file's name plus ".lock", so two configs reaching
// one store through a symlink share one lock. The kernel releases it when
// the holder exits, however it dies, so a stale lock of a dead process is
// simply taken over.
func AcquireLock(dbPath string) (*Lock, error) {
	path := resolvePath(dbPath) + ".lock"
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return nil, fmt.Errorf("store: lock %s: %w", path, err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		owner, _ := os.ReadFile(path)
		f.Close()
		if errors.Is(err, syscall.EWOULDBLOCK) {
			return nil, &LockedError{Path: dbPath, Owner: strings.TrimSpace(string(owner))}
		}
		return nil, fmt.Errorf("store: lock %s: %w", path, err)
	}
	// Who holds the lock is a note for the next process's message; failing
	// to write it does not weaken the lock.
	host, _ := os.Hostname()
	_ = f.Truncate(0)
	fmt.Fprintf(f, "host %s, pid %d, since %s\n", host, os.Getpid(), time.Now().UTC().Format(time.RFC3339))
	_ = f.Sync()
	return &Lock{f: f}, nil
}

// Release gives the lock up.
func (l *Lock) Release() error {
	if l == nil || l.f == nil {
		return nil
	}
	_ = l.f.Truncate(0) // the holder's note; the flock is what counts
	err := syscall.Flock(int(l.f.Fd()), syscall.LOCK_UN)
	l.f.Close()
	l.f = nil
	return err
}
