package watcher_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/driftwatch/driftwatch/watcher"
)

// echoNotifier fails every delivery with an error quoting a secret, as a
// chat API echoing its token would; the wait it asks for must survive.
type echoNotifier struct{ secret string }

func (n echoNotifier) Deliver(context.Context, []watcher.Notice) error {
	return &watcher.RetryAfterError{After: time.Minute, Err: errors.New("invalid_auth for " + n.secret)}
}

func (echoNotifier) MaxBatch() int { return 10 }

// The engine scrubs a fetch or delivery error once, before it is logged,
// stored as last_error, raised as a failing-source finding or reported.
func TestEngineScrubsErrors(t *testing.T) {
	const secret = "tok-echoed-0123456789"
	db, lb := openStore(t), &logBuffer{}
	echo := providerFunc(func(context.Context, watcher.FetchState) (*watcher.Result, error) {
		return nil, fmt.Errorf("HTTP 401: bad token %s", secret)
	})
	e := &watcher.Engine{Sources: []*watcher.Runtime{funcSource("api", echo)}, Store: db, Logger: newLogger(lb),
		Policy: everyone, FailThreshold: 1, Now: newClock(t0).Now, Notifier: echoNotifier{secret},
		Scrub: func(s string) string { return strings.ReplaceAll(s, secret, "[redacted]") }}
	r := pollOne(t, e, "api")
	d := e.Deliver(context.Background())
	var ra *watcher.RetryAfterError
	if !errors.As(d.Err, &ra) || ra.After != time.Minute {
		t.Errorf("delivery error %v lost its retry-after", d.Err)
	}
	fs := findings(t, db, "api")
	if len(fs) != 1 {
		t.Fatalf("findings = %+v, want the failing source", fs)
	}
	for what, text := range map[string]string{
		"report": r.Err.Error(), "last_error": sourceState(t, db, "api").LastError, "logs": lb.String(),
		"finding": fs[0].Detail + fs[0].New, "delivery": d.Err.Error(), "outbox": outbox(t, db).LastError,
	} {
		if strings.Contains(text, secret) || !strings.Contains(text, "[redacted]") {
			t.Errorf("%s = %q", what, text)
		}
	}
}
