package providertest

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"unicode/utf8"
)

// slackWebhookPath is the simulated Incoming Webhook; its last segment is
// the secret part of a real webhook URL.
const slackWebhookPath = "/services/T000/B000/XXXXXXXXXXXXXXXXXXXXXXXX"

// Slack is a simulated Slack: an Incoming Webhook answering "ok" as
// text/plain, and the Web API's chat.postMessage (form or JSON) answering
// {"ok":true,...}. It rejects what real Slack rejects (no text, too many
// blocks, over-long header or section: invalid_blocks), answers a script
// of failures first, and records every payload it receives.
type Slack struct {
	srv *httptest.Server

	mu       sync.Mutex
	script   []SlackAnswer
	received []SlackPayload
	token    string
	ts       int
}

// SlackAnswer is one scripted answer.
type SlackAnswer struct {
	// Status is the HTTP status.
	Status int
	// RetryAfter is sent as the Retry-After header when not empty.
	RetryAfter string
	// Error is Slack's error code: the webhook's text/plain body, or
	// chat.postMessage's {"ok":false,"error":...} when Status is 200.
	Error string
}

// SlackPayload is one request the simulated Slack received, decoded.
type SlackPayload struct {
	// Endpoint is "webhook" or "chat.postMessage".
	Endpoint    string
	ContentType string
	// Token is the bot token sent (form field or Bearer header).
	Token   string
	Channel string
	Text    string
	// Blocks are the Block Kit blocks, decoded.
	Blocks      []map[string]any
	UnfurlLinks *bool
	UnfurlMedia *bool
	// LinkNames is set when the request asked Slack to link names.
	LinkNames bool
	// Body is the request body as sent.
	Body []byte
	// JSON is the message as one JSON object (text, blocks, unfurl
	// flags), whatever the request's encoding.
	JSON []byte
	// Status and Error are what the simulated Slack answered.
	Status int
	Error  string
}

// OK reports whether the simulated Slack accepted the message.
func (p SlackPayload) OK() bool { return p.Status == http.StatusOK && p.Error == "" }

// NewSlack starts a simulated Slack on loopback; Close stops it.
func NewSlack() *Slack {
	s := &Slack{}
	mux := http.NewServeMux()
	mux.HandleFunc("/services/", s.webhook)
	mux.HandleFunc("/api/chat.postMessage", s.postMessage)
	mux.HandleFunc("/api/", func(w http.ResponseWriter, r *http.Request) {
		writeSlackJSON(w, http.StatusOK, map[string]any{"ok": false, "error": "unknown_method"})
	})
	s.srv = httptest.NewServer(mux)
	return s
}

// WebhookURL is the Incoming Webhook URL to configure.
func (s *Slack) WebhookURL() string { return s.srv.URL + slackWebhookPath }

// APIURL is the Web API base, with the trailing slash slack-go needs.
func (s *Slack) APIURL() string { return s.srv.URL + "/api/" }

// Close stops the server.
func (s *Slack) Close() { s.srv.Close() }

// RequireToken makes chat.postMessage answer invalid_auth unless the
// request carries this bot token.
func (s *Slack) RequireToken(token string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.token = token
}

// Next scripts the answer to the next request, to either endpoint.
// Next(429, "1") answers 429 with Retry-After: 1 (429 with "" sends no
// Retry-After); for any other status detail is Slack's error code:
// Next(500, "rollup_error"), Next(400, "invalid_payload"),
// Next(404, "channel_not_found") answer that status with the code as the
// text body; Next(200, "invalid_auth") makes chat.postMessage answer
// {"ok":false,"error":"invalid_auth"} (and the webhook 200 with that body).
func (s *Slack) Next(status int, detail string) {
	a := SlackAnswer{Status: status, Error: detail}
	if status == http.StatusTooManyRequests {
		a = SlackAnswer{Status: status, RetryAfter: detail, Error: "rate_limited"}
	}
	s.Script(a)
}

// Script queues answers, in order, before the normal behaviour resumes.
func (s *Slack) Script(answers ...SlackAnswer) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.script = append(s.script, answers...)
}

// Received returns every payload received so far, oldest first.
func (s *Slack) Received() []SlackPayload {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]SlackPayload(nil), s.received...)
}

// Posted returns the payloads that were accepted.
func (s *Slack) Posted() []SlackPayload {
	var out []SlackPayload
	for _, p := range s.Received() {
		if p.OK() {
			out = append(out, p)
		}
	}
	return out
}

func (s *Slack) next() (SlackAnswer, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.script) == 0 {
		return SlackAnswer{}, false
	}
	a := s.script[0]
	s.script = s.script[1:]
	return a, true
}

func (s *Slack) record(p SlackPayload) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.received = append(s.received, p)
}

func (s *Slack) webhook(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path != slackWebhookPath {
		writeSlackText(w, http.StatusNotFound, "no_service")
		return
	}
	if r.Method != http.MethodPost {
		writeSlackText(w, http.StatusMethodNotAllowed, "invalid_method")
		return
	}
	body, _ := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	p := SlackPayload{Endpoint: "webhook", ContentType: r.Header.Get("Content-Type"), Body: body, JSON: body}
	var msg slackMessage
	err := json.Unmarshal(body, &msg)
	if err == nil {
		p.Text, p.Blocks, p.UnfurlLinks, p.UnfurlMedia = msg.Text, msg.Blocks, msg.UnfurlLinks, msg.UnfurlMedia
		p.Channel, p.LinkNames = msg.Channel, msg.LinkNames
	}
	a, scripted := s.next()
	switch {
	case scripted:
	case err != nil:
		a = SlackAnswer{Status: http.StatusBadRequest, Error: "invalid_payload"}
	default:
		if code := checkSlackMessage(p.Text, p.Blocks); code != "" {
			a = SlackAnswer{Status: http.StatusBadRequest, Error: code}
		} else {
			a = SlackAnswer{Status: http.StatusOK}
		}
	}
	p.Status, p.Error = a.Status, a.Error
	s.record(p)
	if a.RetryAfter != "" {
		w.Header().Set("Retry-After", a.RetryAfter)
	}
	writeSlackText(w, a.Status, slackBody(a))
}

// slackBody is the text body of an answer: "ok", Slack's error code, or
// the status text when a script gave no code.
func slackBody(a SlackAnswer) string {
	switch {
	case a.Error != "":
		return a.Error
	case a.Status == http.StatusOK:
		return "ok"
	}
	return strings.ReplaceAll(strings.ToLower(http.StatusText(a.Status)), " ", "_")
}

// slackMessage is the JSON shape of a webhook or chat.postMessage body.
type slackMessage struct {
	Channel     string           `json:"channel"`
	Text        string           `json:"text"`
	Blocks      []map[string]any `json:"blocks"`
	UnfurlLinks *bool            `json:"unfurl_links"`
	UnfurlMedia *bool            `json:"unfurl_media"`
	LinkNames   bool             `json:"link_names"`
}

func (s *Slack) postMessage(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		writeSlackJSON(w, http.StatusMethodNotAllowed, map[string]any{"ok": false, "error": "invalid_method"})
		return
	}
	body, _ := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	p := SlackPayload{Endpoint: "chat.postMessage", ContentType: r.Header.Get("Content-Type"), Body: body}
	p.Token = strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer ")
	bad := ""
	if strings.HasPrefix(p.ContentType, "application/json") {
		var msg slackMessage
		if err := json.Unmarshal(body, &msg); err != nil {
			bad = "invalid_json"
		}
		p.Channel, p.Text, p.Blocks, p.UnfurlLinks, p.UnfurlMedia, p.LinkNames =
			msg.Channel, msg.Text, msg.Blocks, msg.UnfurlLinks, msg.UnfurlMedia, msg.LinkNames
		p.JSON = body
	} else {
		form, err := url.ParseQuery(string(body))
		if err != nil {
			bad = "invalid_form_data"
		}
		if t := form.Get("token"); t != "" {
			p.Token = t
		}
		p.Channel, p.Text = form.Get("channel"), form.Get("text")
		if b := form.Get("blocks"); b != "" && json.Unmarshal([]byte(b), &p.Blocks) != nil {
			bad = "invalid_blocks_format"
		}
		p.UnfurlLinks, p.UnfurlMedia = slackFormBool(form, "unfurl_links"), slackFormBool(form, "unfurl_media")
		p.LinkNames = form.Get("link_names") == "1" || form.Get("link_names") == "true"
		p.JSON, _ = json.Marshal(map[string]any{
			"channel": p.Channel, "text": p.Text, "blocks": p.Blocks,
			"unfurl_links": p.UnfurlLinks, "unfurl_media": p.UnfurlMedia,
		})
	}
	s.mu.Lock()
	want := s.token
	s.mu.Unlock()
	a, scripted := s.next()
	if !scripted {
		a = SlackAnswer{Status: http.StatusOK}
		switch {
		case bad != "":
			a.Error = bad
		case p.Token == "" && want != "":
			a.Error = "not_authed"
		case want != "" && p.Token != want:
			a.Error = "invalid_auth"
		case p.Channel == "":
			a.Error = "channel_not_found"
		default:
			a.Error = checkSlackMessage(p.Text, p.Blocks)
		}
	}
	p.Status, p.Error = a.Status, a.Error
	s.record(p)
	if a.RetryAfter != "" {
		w.Header().Set("Retry-After", a.RetryAfter)
	}
	switch {
	case a.Status == http.StatusTooManyRequests:
		writeSlackJSON(w, a.Status, map[string]any{"ok": false, "error": "ratelimited"})
	case a.Status != http.StatusOK:
		writeSlackText(w, a.Status, slackBody(a))
	case a.Error != "":
		writeSlackJSON(w, a.Status, map[string]any{"ok": false, "error": a.Error})
	default:
		s.mu.Lock()
		s.ts++
		ts := fmt.Sprintf("1700000000.%06d", s.ts)
		s.mu.Unlock()
		writeSlackJSON(w, http.StatusOK, map[string]any{
			"ok": true, "channel": "C0000000000", "ts": ts,
			"message": map[string]any{"type": "message", "text": p.Text, "ts": ts},
		})
	}
}

func slackFormBool(form url.Values, key string) *bool {
	if !form.Has(key) {
		return nil
	}
	v := form.Get(key) == "true" || form.Get(key) == "1"
	return &v
}

// checkSlackMessage applies Slack's own limits: a message needs text or
// blocks; at most 50 blocks; a header is plain_text of at most 150
// characters; section text at most 3,000; context 1 to 10 elements.
func checkSlackMessage(text string, blocks []map[string]any) string {
	if strings.TrimSpace(text) == "" && len(blocks) == 0 {
		return "no_text"
	}
	if len(blocks) > 50 {
		return "invalid_blocks"
	}
	for _, b := range blocks {
		t, _ := b["text"].(map[string]any)
		s, _ := t["text"].(string)
		switch b["type"] {
		case "header":
			if t["type"] != "plain_text" || s == "" || utf8.RuneCountInString(s) > 150 {
				return "invalid_blocks"
			}
		case "section":
			if t != nil && (s == "" || utf8.RuneCountInString(s) > 3000) {
				return "invalid_blocks"
			}
			if t == nil && b["fields"] == nil {
				return "invalid_blocks"
			}
		case "context":
			els, _ := b["elements"].([]any)
			if len(els) == 0 || len(els) > 10 {
				return "invalid_blocks"
			}
		case "divider", "image", "actions", "rich_text", "markdown":
		default:
			return "invalid_blocks"
		}
	}
	return ""
}

func writeSlackText(w http.ResponseWriter, status int, body string) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.WriteHeader(status)
	io.WriteString(w, body)
}

func writeSlackJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}
