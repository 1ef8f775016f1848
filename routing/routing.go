// Package routing decides which receivers get a notice: the [[route]]
// tables in order, the first that matches deciding unless it says
// continue (Alertmanager's route tree, flattened), or every receiver at
// or above its own min_severity when there is no route. It implements
// watcher.Router; the store asks it while writing a notice, so a notice
// gets one outbox row per receiver.
package routing

import (
	"path"
	"slices"

	"github.com/driftwatch/driftwatch/config"
	"github.com/driftwatch/driftwatch/watcher"
)

// Router routes notices by the configuration's receivers and routes.
type Router struct {
	receivers []receiver
	byName    map[string]int
	routes    []route
	labels    map[string]map[string]string // source -> labels
}

type receiver struct {
	name         string
	minSeverity  watcher.Severity
	sendResolved bool
	handled      bool // told of acked and silenced findings
}

type route struct {
	severity     watcher.Severity // matcher: at least; 0 with hasSeverity false
	hasSeverity  bool
	sources      []string
	categories   []string
	rules        []string
	labels       map[string]string
	receivers    []string
	minSeverity  *watcher.Severity
	sendResolved *bool
	digest       bool
	cont         bool
}

var _ watcher.Router = (*Router)(nil)

// New builds the router of a validated configuration.
func New(cfg *config.Config) *Router {
	r := &Router{byName: map[string]int{}, labels: map[string]map[string]string{}}
	for _, rc := range cfg.AllReceivers() {
		sev, err := watcher.ParseSeverity(rc.MinSeverity)
		if err != nil {
			sev = watcher.Warning
		}
		r.byName[rc.Name] = len(r.receivers)
		r.receivers = append(r.receivers, receiver{name: rc.Name, minSeverity: sev,
			sendResolved: rc.SendResolved == nil || *rc.SendResolved, handled: rc.GetsHandled()})
	}
	for _, rt := range cfg.Routes {
		x := route{sources: rt.Source, categories: rt.Category, rules: rt.Rule, labels: rt.Labels,
			receivers: rt.Receivers, sendResolved: rt.SendResolved, digest: rt.Digest, cont: rt.Continue}
		if s, err := watcher.ParseSeverity(rt.Severity); err == nil {
			x.severity, x.hasSeverity = s, true
		}
		if s, err := watcher.ParseSeverity(rt.MinSeverity); err == nil {
			x.minSeverity = &s
		}
		r.routes = append(r.routes, x)
	}
	for _, s := range cfg.Sources {
		r.labels[s.Name] = s.Labels
	}
	return r
}

// Policy is the notice policy of a configuration: routed to its
// receivers, or, without any receiver (notices printed to stdout), every
// finding at or above warning and its resolution, as before receivers.
func Policy(cfg *config.Config) watcher.NoticePolicy {
	if len(cfg.AllReceivers()) == 0 {
		return watcher.NoticePolicy{MinSeverity: watcher.Warning, SendResolved: true}
	}
	return watcher.NoticePolicy{Router: New(cfg)}
}

// Names lists the receivers in configuration order.
func (r *Router) Names() []string {
	out := make([]string, len(r.receivers))
	for i, rc := range r.receivers {
		out[i] = rc.name
	}
	return out
}

// Route returns the receivers of n. A digest goes to every receiver
// without routes, else to the receivers of the routes with digest = true.
// A finding's notice goes to the receivers of the matching routes whose
// min_severity (the route's, else the receiver's) it reaches; a resolved
// one only where send_resolved; an acked or silenced one only to
// receivers that are told (config.Receiver.GetsHandled).
func (r *Router) Route(n watcher.Notice) []string {
	var out []string
	add := func(name string) {
		if !slices.Contains(out, name) {
			out = append(out, name)
		}
	}
	if n.Kind == watcher.NoticeDigest || n.Finding == nil {
		for _, rc := range r.receivers {
			if len(r.routes) == 0 || r.digestTo(rc.name) {
				add(rc.name)
			}
		}
		return out
	}
	if len(r.routes) == 0 {
		for _, rc := range r.receivers {
			if r.wants(rc, nil, n) {
				add(rc.name)
			}
		}
		return out
	}
	for _, rt := range r.routes {
		if !r.matches(rt, n) {
			continue
		}
		for _, name := range rt.receivers {
			if i, ok := r.byName[name]; ok && r.wants(r.receivers[i], &rt, n) {
				add(name)
			}
		}
		if !rt.cont {
			break
		}
	}
	// Configuration order, whatever the routes' order.
	slices.SortStableFunc(out, func(a, b string) int { return r.byName[a] - r.byName[b] })
	return out
}

func (r *Router) digestTo(name string) bool {
	for _, rt := range r.routes {
		if rt.digest && slices.Contains(rt.receivers, name) {
			return true
		}
	}
	return false
}

// wants applies a receiver's (or its route's) min_severity and
// send_resolved to a finding's notice.
func (r *Router) wants(rc receiver, rt *route, n watcher.Notice) bool {
	min, resolved := rc.minSeverity, rc.sendResolved
	if rt != nil && rt.minSeverity != nil {
		min = *rt.minSeverity
	}
	if rt != nil && rt.sendResolved != nil {
		resolved = *rt.sendResolved
	}
	switch {
	case n.Finding.Severity < min:
		return false
	case n.Kind == watcher.NoticeResolved:
		return resolved
	case n.Kind == watcher.NoticeAcked || n.Kind == watcher.NoticeSilenced:
		return rc.handled
	}
	return true
}

// matches reports whether every matcher of rt holds for n's finding.
func (r *Router) matches(rt route, n watcher.Notice) bool {
	f := n.Finding
	if rt.hasSeverity && f.Severity < rt.severity {
		return false
	}
	if len(rt.sources) > 0 && !anyGlob(rt.sources, f.Source) {
		return false
	}
	if len(rt.categories) > 0 && !slices.Contains(rt.categories, string(f.Category)) {
		return false
	}
	if len(rt.rules) > 0 && !anyGlob(rt.rules, f.Rule) {
		return false
	}
	labels := r.labels[f.Source]
	for k, want := range rt.labels {
		got, ok := labels[k]
		if !ok {
			return false
		}
		if m, err := path.Match(want, got); err != nil || !m {
			return false
		}
	}
	return true
}

func anyGlob(pats []string, s string) bool {
	for _, p := range pats {
		if m, err := path.Match(p, s); err == nil && m {
			return true
		}
	}
	return false
}
