package auth0

import (
	"context"
	"fmt"

	"github.com/driftwatch/driftwatch/diff"
	"github.com/driftwatch/driftwatch/watcher"
)

// Log streams export the tenant's logs (the audit trail) to a SIEM or a
// webhook. Auth0 suspends a stream whose sink keeps failing; a person can
// pause one. Either way the trail stopped.
//
// Document: "log_streams": {"<name>": {id, name, type, status,
// sink{...}, filters: [set], isPriority, pii_config}}. Sink secrets
// (httpAuthorization, datadogApiKey, splunkToken, ...) are redacted when
// the response is decoded; custom header values are redacted here, since
// any header can carry a credential.

// RuleLogStreamStopped finds a log stream that is not active.
const RuleLogStreamStopped = "auth0.log_stream_stopped"

var epLogStreams = endpoint{name: "log streams", path: "/api/v2/log-streams", key: "log_streams", scope: "read:log_streams"}

var logStreamsSection = &section{
	key: "log_streams", name: epLogStreams.name, scope: epLogStreams.scope,
	read: func(ctx context.Context, s *session) (any, error) {
		return s.listPlain(ctx, epLogStreams)
	},
	shape: func(raw any, c *shapeContext) any {
		list, _ := raw.([]any)
		out, _ := keyed(list, "name", "id", previousKeys(c.last, "log_streams", "id"), func(m map[string]any) map[string]any {
			ls := copyExcept(m)
			if sink, ok := m["sink"].(map[string]any); ok {
				ls["sink"] = redactHeaderValues(sink)
			}
			return ls
		})
		return out
	},
}

// redactHeaderValues replaces the values of an HTTP sink's custom headers
// ([{header, value}]), keeping the header names.
func redactHeaderValues(sink map[string]any) map[string]any {
	out := copyExcept(sink)
	for k, v := range sink {
		list, ok := v.([]any)
		if !ok || (k != "httpCustomHeaders" && k != "http_custom_headers") {
			continue
		}
		headers := make([]any, len(list))
		for i, h := range list {
			m, ok := h.(map[string]any)
			if !ok {
				headers[i] = Redacted
				continue
			}
			hm := copyExcept(m)
			if _, ok := hm["value"]; ok {
				hm["value"] = Redacted
			}
			headers[i] = hm
		}
		out[k] = headers
	}
	return out
}

// logStreamStopped is a state rule: every stream that is paused or
// suspended is a finding while it lasts.
func logStreamStopped(j *watcher.Judgement) []watcher.Finding {
	if out, ok := carryUnread(j, RuleLogStreamStopped, "/log_streams"); ok {
		return out
	}
	var out []watcher.Finding
	for _, k := range keys(object(j.New, "log_streams")) {
		path := diff.Pointer([]string{"log_streams", k, "status"})
		status := show(j.New, path)
		if status == "active" || status == notSet {
			continue
		}
		r := ruleInfo{RuleLogStreamStopped, watcher.Warning, watcher.Configuration}
		detail := fmt.Sprintf("The log stream %q (%s) is %s: tenant logs no longer reach it, so the team's audit trail and alerts on logins stopped.",
			k, show(j.New, diff.Pointer([]string{"log_streams", k, "type"})), status)
		if status == "suspended" {
			// Auth0 suspends a stream whose sink keeps failing.
			r.category = watcher.Infrastructure
			detail += " Auth0 suspends a stream after repeated delivery failures: check the sink, then resume the stream."
		}
		title := fmt.Sprintf("Log stream %q is %s", k, status)
		out = append(out, r.finding(path, "", title, detail, "", status))
	}
	return out
}
