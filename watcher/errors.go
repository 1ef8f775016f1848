package watcher

import (
	"errors"
	"fmt"
	"time"
)

// ErrNotFound is returned by the store for an unknown source, snapshot or
// finding.
var ErrNotFound = errors.New("not found")

// ErrConflict is returned by Store.Commit when another process stored a
// snapshot of the same source since the poll began.
var ErrConflict = errors.New("another poll stored a snapshot of this source meanwhile")

// RetryAfterError is a failure that names when to try again: a 429 from an
// upstream or from Slack.
type RetryAfterError struct {
	After time.Duration
	Err   error
}

func (e *RetryAfterError) Error() string {
	return fmt.Sprintf("%v (retry after %s)", e.Err, e.After)
}

func (e *RetryAfterError) Unwrap() error { return e.Err }

// PermanentError is a delivery failure that retrying cannot fix, such as a
// payload Slack rejects as malformed; the notice is given up.
type PermanentError struct{ Err error }

func (e *PermanentError) Error() string { return e.Err.Error() }

func (e *PermanentError) Unwrap() error { return e.Err }

// IsPermanent reports whether err, or an error it wraps, is permanent.
func IsPermanent(err error) bool {
	var p *PermanentError
	return errors.As(err, &p)
}
