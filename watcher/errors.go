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

// Refused marks err as a refusal: the destination answered that it did not
// take the message (Slack's ok:false, an HTTP 4xx), unlike a timeout or a
// 5xx from a proxy, after which the message may have been posted. The
// message of err is kept.
func Refused(err error) error {
	if err == nil {
		return nil
	}
	return &refusedError{err}
}

type refusedError struct{ error }

func (e *refusedError) Unwrap() error { return e.error }

// IsRefused reports whether err says the message was not taken: a
// refusal, a Retry-After, or a permanent rejection.
func IsRefused(err error) bool {
	var r *refusedError
	var ra *RetryAfterError
	return errors.As(err, &r) || errors.As(err, &ra) || IsPermanent(err)
}

// IsPermanent reports whether err, or an error it wraps, is permanent.
func IsPermanent(err error) bool {
	var p *PermanentError
	return errors.As(err, &p)
}
