//go:build !unix

package store

import "fmt"

// Lock is an exclusive hold on a store for one daemon; on this platform
// it is not enforced.
type Lock struct{}

// LockedError says who holds a store's lock.
type LockedError struct{ Path, Owner string }

func (e *LockedError) Error() string {
	return fmt.Sprintf("store %s is locked by another driftwatch run", e.Path)
}

// AcquireLock does nothing on platforms without flock.
func AcquireLock(dbPath string) (*Lock, error) { return &Lock{}, nil }

// Release does nothing.
func (l *Lock) Release() error { return nil }
