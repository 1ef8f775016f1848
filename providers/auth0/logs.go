package auth0

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/driftwatch/driftwatch/watcher"
)

// ScopeLogs is the optional scope that lets the source read tenant logs:
// who changed the tenant (sapi events) and which deprecated features it
// still uses (depnote events).
const ScopeLogs = "read:logs"

// epLogs is the tenant log endpoint.
const epLogs = "/api/v2/logs"

// Memo keys of the log reader. Log events are not part of the snapshot
// document: the few the rules need are kept, bounded, with the fetch state.
const (
	memoLogs       = "logs"         // "ok" when logs were read, "forbidden" without read:logs
	memoLogsFrom   = "logs_from"    // the checkpoint: the last log id read
	memoLogsBehind = "logs_behind"  // "1" when the page bound stopped the read short of the newest event
	memoLogsSAPI   = "logs_sapi"    // JSON: recent admin changes, for attribution
	memoLogsDep    = "logs_depnote" // JSON: deprecated features in use, by feature and client
)

// Bounds on what is kept between polls.
const (
	logsPerPage    = 100
	keepSAPI       = 500
	keepSAPIFor    = 30 * 24 * time.Hour
	keepDepnoteFor = 90 * 24 * time.Hour
)

// logChange is one admin change (a sapi event), as kept for attribution.
type logChange struct {
	ID     string    `json:"id"`
	Date   time.Time `json:"date"`
	Method string    `json:"method"`
	Path   string    `json:"path"`
	Status int       `json:"status,omitempty"`
	By     string    `json:"by"`
	Via    string    `json:"via"`
	// Earlier is set on a change read by an earlier poll than the latest:
	// it was there to explain the diffs of that poll, so it explains a
	// later diff only if it happened after that poll's snapshot.
	Earlier bool `json:"earlier,omitempty"`
}

// depUse is how often one client used one deprecated feature (depnote
// events, logged at most once an hour per use).
type depUse struct {
	Feature     string    `json:"feature"`
	Description string    `json:"description,omitempty"`
	ClientID    string    `json:"client_id,omitempty"`
	ClientName  string    `json:"client_name,omitempty"`
	Count       int       `json:"count"`
	First       time.Time `json:"first"`
	Last        time.Time `json:"last"`
	LogID       string    `json:"log_id"`
}

// logState is what the log reader keeps between polls.
type logState struct {
	changes []logChange
	uses    map[string]*depUse
}

func loadLogState(memo map[string]string) *logState {
	st := &logState{uses: map[string]*depUse{}}
	_ = json.Unmarshal([]byte(memo[memoLogsSAPI]), &st.changes)
	_ = json.Unmarshal([]byte(memo[memoLogsDep]), &st.uses)
	if st.uses == nil {
		st.uses = map[string]*depUse{}
	}
	return st
}

// readLogs reads the tenant log events since the checkpoint in memo, at
// most MaxLogPages pages, and returns the memo to keep. Without read:logs
// (a 403) it reports forbidden and keeps nothing of logs; a tenant with no
// logs endpoint (404) keeps the memo as it was. Any other failure fails
// the fetch, like a failure of any optional section: nothing is stored,
// the checkpoint does not move, and no event is skipped or counted twice.
func (s *session) readLogs(ctx context.Context, memo map[string]string, now time.Time) (map[string]string, bool, error) {
	out := make(map[string]string, len(memo)+5)
	for k, v := range memo {
		out[k] = v
	}
	st := loadLogState(memo)
	for i := range st.changes {
		st.changes[i].Earlier = true
	}
	from := memo[memoLogsFrom]
	behind := false
	var events []map[string]any
	if from == "" {
		// No checkpoint yet: the newest admin changes and deprecation
		// notices, by search; the newest id read becomes the checkpoint.
		q := url.Values{"q": {"type:(sapi OR depnote)"}, "sort": {"date:-1"},
			"per_page": {strconv.Itoa(logsPerPage)}, "page": {"0"}}
		page, err := s.logPage(ctx, q)
		if err != nil {
			return s.logFailure(out, memo, err)
		}
		events = page
		for _, e := range page {
			if id := str(e, "log_id"); id > from {
				from = id
			}
		}
	} else {
		for n := 0; ; n++ {
			if n >= s.p.MaxLogPages {
				behind = true
				break
			}
			page, err := s.logPage(ctx, url.Values{"from": {from}, "take": {strconv.Itoa(logsPerPage)}})
			if err != nil {
				return s.logFailure(out, memo, err)
			}
			events = append(events, page...)
			for _, e := range page {
				if id := str(e, "log_id"); id > from {
					from = id
				}
			}
			if len(page) < logsPerPage {
				break
			}
		}
	}
	for _, e := range events {
		st.add(e)
	}
	st.prune(now)
	sapi, _ := json.Marshal(st.changes)
	dep, _ := json.Marshal(st.uses)
	out[memoLogs] = "ok"
	out[memoLogsSAPI], out[memoLogsDep] = string(sapi), string(dep)
	setOrDelete(out, memoLogsFrom, from)
	setOrDelete(out, watcher.MemoJudgeKey, from)
	setOrDelete(out, memoLogsBehind, map[bool]string{true: "1"}[behind])
	return out, false, nil
}

// logFailure handles a failed log read: a 403 means the token lacks
// read:logs, a 404 a tenant without logs; anything else fails the fetch.
func (s *session) logFailure(out, memo map[string]string, err error) (map[string]string, bool, error) {
	switch statusCode(err) {
	case http.StatusForbidden:
		for _, k := range []string{memoLogsFrom, memoLogsSAPI, memoLogsDep, memoLogsBehind, watcher.MemoJudgeKey} {
			delete(out, k)
		}
		out[memoLogs] = "forbidden"
		return out, true, nil
	case http.StatusNotFound:
		s.p.log.Info("auth0: the tenant serves no logs endpoint; attribution and deprecation notices are off")
		return memo, false, nil
	}
	return nil, false, fmt.Errorf("auth0: read tenant logs: %w", err)
}

func setOrDelete(m map[string]string, k, v string) {
	if v == "" {
		delete(m, k)
		return
	}
	m[k] = v
}

// logPage reads one page of log events: a JSON array.
func (s *session) logPage(ctx context.Context, q url.Values) ([]map[string]any, error) {
	v, err := s.get(ctx, epLogs, q)
	if err != nil {
		return nil, err
	}
	list, ok := v.([]any)
	if !ok {
		if m, ok := v.(map[string]any); ok {
			list, _ = m["logs"].([]any) // the search mode's include_totals envelope
		}
	}
	out := make([]map[string]any, 0, len(list))
	for _, x := range list {
		if m, ok := x.(map[string]any); ok {
			out = append(out, m)
		}
	}
	return out, nil
}

// add keeps what one event says, when it is an admin change or a
// deprecation notice.
func (st *logState) add(e map[string]any) {
	at, _ := time.Parse(time.RFC3339Nano, str(e, "date"))
	id := str(e, "log_id")
	switch str(e, "type") {
	case "sapi":
		req := mapAt(e, "details", "request")
		c := logChange{ID: clip(id, 100), Date: at.UTC(), Method: clip(strings.ToUpper(str(req, "method")), 10), Path: clip(str(req, "path"), 500)}
		if n, ok := number(mapAt(e, "details", "response")["statusCode"]); ok {
			c.Status = n
		}
		user := mapAt(e, "details", "request", "auth", "user")
		switch who := firstOf(str(user, "email"), str(user, "name"), str(e, "user_name")); {
		case who != "" && strings.Contains(str(req, "channel"), "manage.auth0.com"):
			c.By, c.Via = clip(who, 200), "Dashboard"
		case who != "":
			c.By, c.Via = clip(who, 200), "Management API"
		default:
			c.By, c.Via = clip(firstOf(str(e, "client_name"), str(e, "client_id"), "an unnamed client"), 200), "Management API client"
		}
		st.changes = append(st.changes, c)
	case "depnote":
		feature := featureOf(e)
		key := feature + "\x00" + str(e, "client_id")
		u := st.uses[key]
		if u == nil {
			u = &depUse{Feature: feature, ClientID: clip(str(e, "client_id"), 100), First: at.UTC()}
			st.uses[key] = u
		}
		u.Count++
		u.Description = clip(str(e, "description"), 300)
		if name := str(e, "client_name"); name != "" {
			u.ClientName = clip(name, 200)
		}
		if at.Before(u.First) {
			u.First = at.UTC()
		}
		if !at.Before(u.Last) {
			u.Last, u.LogID = at.UTC(), clip(id, 100)
		}
	}
}

// prune drops what is too old to matter and bounds the admin changes kept.
func (st *logState) prune(now time.Time) {
	keep := st.changes[:0]
	for _, c := range st.changes {
		if now.Sub(c.Date) <= keepSAPIFor {
			keep = append(keep, c)
		}
	}
	sort.SliceStable(keep, func(i, j int) bool { return keep[i].Date.Before(keep[j].Date) })
	if len(keep) > keepSAPI {
		keep = keep[len(keep)-keepSAPI:]
	}
	st.changes = keep
	for k, u := range st.uses {
		if now.Sub(u.Last) > keepDepnoteFor {
			delete(st.uses, k)
		}
	}
}

// featureOf names the deprecated feature a depnote event reports: its
// details.feature, else the description up to its first colon ("Legacy
// Lock API: This feature is being deprecated…").
func featureOf(e map[string]any) string {
	switch f := mapAt(e, "details")["feature"].(type) {
	case string:
		if f != "" {
			return clip(f, 200)
		}
	case map[string]any:
		if n := firstOf(str(f, "name"), str(f, "id")); n != "" {
			return clip(n, 200)
		}
	}
	d := str(e, "description")
	if i := strings.Index(d, ":"); i > 0 {
		d = d[:i]
	}
	return clip(firstOf(strings.TrimSpace(d), "unnamed deprecated feature"), 200)
}

func str(m map[string]any, k string) string {
	s, _ := m[k].(string)
	return s
}

// mapAt follows keys through nested objects; a missing one gives nil.
func mapAt(m map[string]any, keys ...string) map[string]any {
	for _, k := range keys {
		m, _ = m[k].(map[string]any)
	}
	return m
}

func firstOf(ss ...string) string {
	for _, s := range ss {
		if s != "" {
			return s
		}
	}
	return ""
}

// clip bounds upstream text kept between polls.
func clip(s string, n int) string {
	if r := []rune(s); len(r) > n {
		return string(r[:n]) + "…"
	}
	return s
}

// addMissingScope names a scope the token lacks in the document, for the
// one auth0.scope_missing finding about it.
func addMissingScope(doc map[string]any, scope string) {
	list, _ := doc["missing_scopes"].([]any)
	for _, s := range list {
		if s == scope {
			return
		}
	}
	doc["missing_scopes"] = append(list, scope)
}
