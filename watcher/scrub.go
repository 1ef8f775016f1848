package watcher

// scrubbedError is an error whose message had known secrets taken out. It
// still wraps the cause, so errors.Is and errors.As (retry-after,
// permanent) keep working, but what is shown, logged or stored is msg.
type scrubbedError struct {
	msg string
	err error
}

func (e *scrubbedError) Error() string { return e.msg }

func (e *scrubbedError) Unwrap() error { return e.err }

// scrub returns err with Engine.Scrub applied to its message: the one
// place a fetch or delivery error passes before it is logged, stored in
// sources.last_error or the outbox, raised as a finding, or reported.
func (e *Engine) scrub(err error) error {
	if err == nil || e.Scrub == nil {
		return err
	}
	msg := e.Scrub(err.Error())
	if msg == err.Error() {
		return err
	}
	return &scrubbedError{msg: msg, err: err}
}
