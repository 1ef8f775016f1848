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

// ErrMessageGone is returned by Editor.Update when the message to edit no
// longer exists (someone deleted it): the engine posts the notice anew.
var ErrMessageGone = errors.New("the message to edit is gone")

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

// SetupError is a delivery failure that will not heal by itself: a
// revoked token, a channel that does not exist, a webhook answering 404 or
// 403. It is retried like any failure (someone may fix the setup), but the
// receiver is reported down on /healthz until a delivery succeeds.
type SetupError struct {
	// Reason is the receiver's own word for it (invalid_auth, HTTP 404).
	Reason string
	Err    error
}

func (e *SetupError) Error() string { return e.Err.Error() }

func (e *SetupError) Unwrap() error { return e.Err }

// Setup marks err as a setup failure with reason; nil stays nil.
func Setup(reason string, err error) error {
	if err == nil {
		return nil
	}
	return &SetupError{Reason: reason, Err: err}
}

// SetupReason returns the reason of a setup failure in err, if it is one.
func SetupReason(err error) (string, bool) {
	var s *SetupError
	if errors.As(err, &s) {
		return s.Reason, true
	}
	return "", false
}
