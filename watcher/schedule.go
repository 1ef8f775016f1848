package watcher

import (
	"fmt"
	"strings"
	"time"

	"github.com/robfig/cron/v3"
)

// ParseSchedule parses a robfig/cron standard spec: five fields, a
// descriptor such as @daily or @every 1h, optionally prefixed by
// CRON_TZ=Zone. Zoneless schedules run in UTC. cron v3.0.1 panics on some
// malformed CRON_TZ prefixes; that panic is turned into an error here.
func ParseSchedule(spec string) (s cron.Schedule, err error) {
	spec = strings.TrimSpace(spec)
	if spec == "" {
		return nil, fmt.Errorf("empty schedule")
	}
	if strings.HasPrefix(spec, "CRON_TZ=") || strings.HasPrefix(spec, "TZ=") {
		i := strings.IndexByte(spec, ' ')
		if i < 0 {
			return nil, fmt.Errorf("schedule %q: a time zone prefix needs a schedule after it", spec)
		}
		zone := spec[strings.IndexByte(spec, '=')+1 : i]
		if _, err := time.LoadLocation(zone); err != nil {
			return nil, fmt.Errorf("schedule %q: unknown time zone %q", spec, zone)
		}
	} else {
		spec = "CRON_TZ=UTC " + spec
	}
	defer func() {
		if r := recover(); r != nil {
			s, err = nil, fmt.Errorf("schedule %q: %v", spec, r)
		}
	}()
	s, err = cron.ParseStandard(spec)
	if err != nil {
		return nil, fmt.Errorf("schedule %q: %w", strings.TrimPrefix(spec, "CRON_TZ=UTC "), err)
	}
	// cron rounds @every intervals under a second (even negative ones) up
	// to one second; refuse them instead of polling every second.
	body := spec[strings.IndexByte(spec, ' ')+1:]
	if rest, ok := strings.CutPrefix(strings.TrimSpace(body), "@every "); ok {
		if d, err := time.ParseDuration(strings.TrimSpace(rest)); err == nil && d < time.Second {
			return nil, fmt.Errorf("schedule %q: interval under one second", strings.TrimPrefix(spec, "CRON_TZ=UTC "))
		}
	}
	return s, nil
}
