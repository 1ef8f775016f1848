package main

import (
	"log/slog"
	"time"
)

// jsonAttr writes durations in JSON logs as seconds (0.25), the unit log
// pipelines and Prometheus use, instead of slog's integer nanoseconds.
func jsonAttr(_ []string, a slog.Attr) slog.Attr {
	if a.Value.Kind() == slog.KindDuration {
		return slog.Float64(a.Key, a.Value.Duration().Round(time.Microsecond).Seconds())
	}
	return a
}
