package providertest

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"time"
)

// Hook is a simulated HTTP receiver of notices: a generic webhook (a
// PagerDuty or ticket bridge) or, with NewTeams, a Teams Workflows
// webhook trigger, which takes a message whose attachments are Adaptive
// Cards, rejects anything else with 400, and answers 202 Accepted. It
// records every request, answers scripted failures first, and can be
// down until a time of its clock.
type Hook struct {
	srv   *httptest.Server
	teams bool

	mu        sync.Mutex
	requests  []HookRequest
	script    []int
	now       func() time.Time
	downUntil time.Time
	downCode  int
}

// HookRequest is one request the hook received.
type HookRequest struct {
	Header http.Header
	Body   []byte
	// Status is what the hook answered.
	Status int
}

// NewHook starts a simulated webhook receiver answering 200.
func NewHook() *Hook { return newHook(false) }

// NewTeams starts a simulated Teams Workflows webhook trigger.
func NewTeams() *Hook { return newHook(true) }

func newHook(teams bool) *Hook {
	h := &Hook{teams: teams, now: time.Now}
	mux := http.NewServeMux()
	path := "/hook/"
	if teams {
		// The path of a Workflows trigger URL; its query holds the
		// signature that makes the URL a secret.
		path = "/workflows/"
	}
	mux.HandleFunc(path, h.serve)
	h.srv = httptest.NewServer(mux)
	return h
}

// URL is the URL to configure; its last segment and query stand for the
// secret parts of a real one.
func (h *Hook) URL() string {
	if h.teams {
		return h.srv.URL + "/workflows/a1b2c3d4e5f6/triggers/manual/paths/invoke?api-version=1&sig=SECRETSIG0123456789"
	}
	return h.srv.URL + "/hook/T0KEN-0123456789abcdef"
}

// Close stops the server.
func (h *Hook) Close() { h.srv.Close() }

// SetClock sets the clock DownUntil is measured on.
func (h *Hook) SetClock(now func() time.Time) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.now = now
}

// DownUntil makes the hook answer code (503 when 0) to every request
// until t on its clock.
func (h *Hook) DownUntil(t time.Time, code int) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if code == 0 {
		code = http.StatusServiceUnavailable
	}
	h.downUntil, h.downCode = t, code
}

// Script queues HTTP statuses to answer, in order, before the normal
// behaviour resumes.
func (h *Hook) Script(codes ...int) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.script = append(h.script, codes...)
}

// Requests returns every request received, oldest first.
func (h *Hook) Requests() []HookRequest {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]HookRequest(nil), h.requests...)
}

// Accepted returns the bodies of the requests answered with a 2xx.
func (h *Hook) Accepted() [][]byte {
	var out [][]byte
	for _, r := range h.Requests() {
		if r.Status >= 200 && r.Status < 300 {
			out = append(out, r.Body)
		}
	}
	return out
}

func (h *Hook) serve(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	h.mu.Lock()
	status := http.StatusOK
	if h.teams {
		status = http.StatusAccepted
	}
	switch {
	case len(h.script) > 0:
		status, h.script = h.script[0], h.script[1:]
	case h.now().Before(h.downUntil):
		status = h.downCode
	case r.Method != http.MethodPost:
		status = http.StatusMethodNotAllowed
	case h.teams:
		if msg := checkTeams(body); msg != "" {
			status = http.StatusBadRequest
			body = append(body, []byte("\n-- rejected: "+msg)...)
		}
	}
	h.requests = append(h.requests, HookRequest{Header: r.Header.Clone(), Body: body, Status: status})
	h.mu.Unlock()
	if status == http.StatusTooManyRequests {
		w.Header().Set("Retry-After", "1")
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	if status >= 400 {
		fmt.Fprintf(w, `{"error":{"code":"%d","message":"simulated failure"}}`, status)
	}
}

// checkTeams checks a Workflows webhook body as the "Post to a channel
// when a webhook request is received" template reads it: a message whose
// attachments are Adaptive Cards with a body.
func checkTeams(body []byte) string {
	var msg struct {
		Type        string `json:"type"`
		Attachments []struct {
			ContentType string `json:"contentType"`
			Content     struct {
				Type    string            `json:"type"`
				Version string            `json:"version"`
				Body    []json.RawMessage `json:"body"`
			} `json:"content"`
		} `json:"attachments"`
	}
	switch {
	case json.Unmarshal(body, &msg) != nil:
		return "not JSON"
	case msg.Type != "message" || len(msg.Attachments) == 0:
		return "want a message with attachments"
	}
	for _, a := range msg.Attachments {
		if a.ContentType != "application/vnd.microsoft.card.adaptive" || a.Content.Type != "AdaptiveCard" ||
			a.Content.Version == "" || len(a.Content.Body) == 0 {
			return "an attachment is not an Adaptive Card with a body"
		}
	}
	if len(body) > 28<<10 {
		return "message over 28 KB"
	}
	return ""
}
