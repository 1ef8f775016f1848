package providertest

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"
)

// slackWebhookPath is the simulated Incoming Webhook; its last segment is
// the secret part of a real webhook URL.
const slackWebhookPath = "/services/T000/B000/XXXXXXXXXXXXXXXXXXXXXXXX"

// Slack is a simulated Slack: an Incoming Webhook answering "ok" as
// text/plain, and the Web API's chat.postMessage (form or JSON) answering
// {"ok":true,...}. It rejects what real Slack rejects (no text, too many
// blocks, over-long header or section: invalid_blocks), answers a script
// of failures first, and records every payload it receives. Accepted
// bot messages, with their metadata, are kept per channel and served by
// conversations.history (newest first, include_all_metadata, oldest,
// limit, cursor); conversations.list maps channel names to IDs, as the
// history needs an ID.
type Slack struct {
	srv *httptest.Server

	mu       sync.Mutex
	script   []SlackAnswer
	received []SlackPayload
	token    string
	ts       int
	now      func() time.Time
	hook     func(endpoint string)
	history  map[string][]SlackPayload // channel ID -> accepted messages, oldest first
	replies  map[string][]SlackPayload // channel ID + "/" + thread ts -> thread replies, oldest first
	channels map[string]string         // channel name -> ID
	calls    map[string]int            // endpoint -> requests
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
	// Body, when set, is sent as is instead (an HTML page, "{}"), with
	// ContentType (default text/html); the message is not accepted.
	Body        string
	ContentType string
	// Location, with a 3xx Status, redirects there.
	Location string
	// Lost accepts the message, then drops the connection without an
	// answer: the client cannot know the message was posted.
	Lost bool
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
	// Metadata is the message metadata sent with chat.postMessage, if any.
	Metadata *SlackMetadata
	// TS is the accepted message's timestamp in bot mode (for
	// chat.update, the ts of the message edited).
	TS string
	// ThreadTS is the parent message's ts of a thread reply.
	ThreadTS string
	// Status and Error are what the simulated Slack answered; Lost is set
	// when the message was accepted but the answer never sent.
	Status int
	Error  string
	Lost   bool
	// body is a scripted raw answer: not an acceptance.
	body bool
}

// SlackMetadata is a message's metadata, as chat.postMessage takes it.
type SlackMetadata struct {
	EventType    string         `json:"event_type"`
	EventPayload map[string]any `json:"event_payload"`
}

// OK reports whether the simulated Slack accepted the message: Slack's
// own success, or a post whose answer was lost.
func (p SlackPayload) OK() bool {
	return p.Lost || (p.Status == http.StatusOK && p.Error == "" && !p.body)
}

// NewSlack starts a simulated Slack on loopback; Close stops it.
func NewSlack() *Slack {
	s := &Slack{now: time.Now, history: map[string][]SlackPayload{}, replies: map[string][]SlackPayload{},
		channels: map[string]string{}, calls: map[string]int{}}
	mux := http.NewServeMux()
	mux.HandleFunc("/services/", s.counted("webhook", s.webhook))
	mux.HandleFunc("/api/chat.postMessage", s.counted("chat.postMessage", s.postMessage))
	mux.HandleFunc("/api/conversations.history", s.counted("conversations.history", s.conversationsHistory))
	mux.HandleFunc("/api/conversations.list", s.counted("conversations.list", s.conversationsList))
	mux.HandleFunc("/api/chat.update", s.counted("chat.update", s.chatUpdate))
	mux.HandleFunc("/api/conversations.replies", s.counted("conversations.replies", s.conversationsReplies))
	mux.HandleFunc("/login", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		io.WriteString(w, "<html><body>Sign in to Slack</body></html>")
	})
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

// counted counts the requests to an endpoint.
func (s *Slack) counted(endpoint string, h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		s.calls[endpoint]++
		s.mu.Unlock()
		h(w, r)
	}
}

// Calls returns how many requests an endpoint ("webhook",
// "chat.postMessage", "conversations.history", "conversations.list") got.
func (s *Slack) Calls(endpoint string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.calls[endpoint]
}

// SetClock sets the clock that stamps messages (their ts), so a test on
// an injected clock can look back in history by time.
func (s *Slack) SetClock(now func() time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.now = now
}

// OnRequest calls hook with the endpoint ("webhook", "chat.postMessage")
// after each post is recorded (and accepted, if it is) and before it is
// answered: a test makes Slack slow by advancing its clock there, or
// blocks it, or kills the client while Slack has the message.
func (s *Slack) OnRequest(hook func(endpoint string)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.hook = hook
}

func (s *Slack) before(endpoint string) {
	s.mu.Lock()
	hook := s.hook
	s.mu.Unlock()
	if hook != nil {
		hook(endpoint)
	}
}

// Next scripts the answer to the next request, to any endpoint (a
// scripted 200 without an error answers {"ok":false} to a read).
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

// Posted returns the payloads of new messages (thread replies included)
// that were accepted; edits are in Updated.
func (s *Slack) Posted() []SlackPayload {
	var out []SlackPayload
	for _, p := range s.Received() {
		if p.OK() && p.Endpoint != "chat.update" {
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
	p.Status, p.Error, p.Lost, p.body = a.Status, a.Error, a.Lost, a.Body != "" || a.Location != ""
	s.record(p)
	s.before(p.Endpoint)
	if s.raw(w, a) {
		return
	}
	writeSlackText(w, a.Status, slackBody(a))
}

// raw sends a scripted answer that is not Slack's own: a redirect, a body
// as is, a dropped connection. It reports whether it answered.
func (s *Slack) raw(w http.ResponseWriter, a SlackAnswer) bool {
	if a.RetryAfter != "" {
		w.Header().Set("Retry-After", a.RetryAfter)
	}
	switch {
	case a.Lost:
		if hj, ok := w.(http.Hijacker); ok {
			if conn, _, err := hj.Hijack(); err == nil {
				conn.Close()
				return true
			}
		}
		panic(http.ErrAbortHandler)
	case a.Location != "":
		w.Header().Set("Location", s.srv.URL+a.Location)
		w.WriteHeader(a.Status)
		return true
	case a.Body != "":
		ct := a.ContentType
		if ct == "" {
			ct = "text/html; charset=utf-8"
		}
		w.Header().Set("Content-Type", ct)
		w.WriteHeader(a.Status)
		io.WriteString(w, a.Body)
		return true
	}
	return false
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
	Metadata    *SlackMetadata   `json:"metadata"`
	ThreadTS    string           `json:"thread_ts"`
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
		p.Channel, p.Text, p.Blocks, p.UnfurlLinks, p.UnfurlMedia, p.LinkNames, p.Metadata, p.ThreadTS =
			msg.Channel, msg.Text, msg.Blocks, msg.UnfurlLinks, msg.UnfurlMedia, msg.LinkNames, msg.Metadata, msg.ThreadTS
		p.JSON = body
	} else {
		form, err := url.ParseQuery(string(body))
		if err != nil {
			bad = "invalid_form_data"
		}
		if t := form.Get("token"); t != "" {
			p.Token = t
		}
		p.Channel, p.Text, p.ThreadTS = form.Get("channel"), form.Get("text"), form.Get("thread_ts")
		if b := form.Get("blocks"); b != "" && json.Unmarshal([]byte(b), &p.Blocks) != nil {
			bad = "invalid_blocks_format"
		}
		p.UnfurlLinks, p.UnfurlMedia = slackFormBool(form, "unfurl_links"), slackFormBool(form, "unfurl_media")
		p.LinkNames = form.Get("link_names") == "1" || form.Get("link_names") == "true"
		if m := form.Get("metadata"); m != "" {
			p.Metadata = &SlackMetadata{}
			if json.Unmarshal([]byte(m), p.Metadata) != nil || p.Metadata.EventType == "" {
				bad = "invalid_metadata_format"
			}
		}
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
	if !scripted && a.Error == "" && p.ThreadTS != "" {
		s.mu.Lock()
		if _, ok := s.findLocked(s.channelIDLocked(p.Channel), p.ThreadTS); !ok {
			a.Error = "thread_not_found"
		}
		s.mu.Unlock()
	}
	p.Status, p.Error, p.Lost, p.body = a.Status, a.Error, a.Lost, a.Body != "" || a.Location != ""
	accepted := p.OK()
	var channelID string
	if accepted {
		s.mu.Lock()
		s.ts++
		p.TS = fmt.Sprintf("%d.%06d", s.now().Unix(), s.ts%1000000)
		channelID = s.channelIDLocked(p.Channel)
		if p.ThreadTS != "" {
			// A reply lives in its thread, not in the channel's history.
			key := channelID + "/" + p.ThreadTS
			s.replies[key] = append(s.replies[key], p)
		} else {
			s.history[channelID] = append(s.history[channelID], p)
		}
		s.mu.Unlock()
	}
	s.record(p)
	s.before(p.Endpoint)
	if s.raw(w, a) {
		return
	}
	switch {
	case a.Status == http.StatusTooManyRequests:
		writeSlackJSON(w, a.Status, map[string]any{"ok": false, "error": "ratelimited"})
	case a.Status != http.StatusOK:
		writeSlackText(w, a.Status, slackBody(a))
	case a.Error != "":
		writeSlackJSON(w, a.Status, map[string]any{"ok": false, "error": a.Error})
	default:
		writeSlackJSON(w, http.StatusOK, map[string]any{
			"ok": true, "channel": channelID, "ts": p.TS,
			"message": map[string]any{"type": "message", "text": p.Text, "ts": p.TS},
		})
	}
}

// channelIDLocked returns the ID of a channel given by ID or by name
// (with or without "#"), making one up for a new name.
func (s *Slack) channelIDLocked(channel string) string {
	if channelIDRE.MatchString(channel) {
		return channel
	}
	name := strings.TrimPrefix(channel, "#")
	if id, ok := s.channels[name]; ok {
		return id
	}
	id := fmt.Sprintf("C%010d", len(s.channels)+1)
	s.channels[name] = id
	return id
}

var channelIDRE = regexp.MustCompile(`^[CGD][A-Z0-9]{8,}$`)

// ChannelID returns the ID the simulated Slack gives a channel name.
func (s *Slack) ChannelID(channel string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.channelIDLocked(channel)
}

// authorized checks a Web API call's token as chat.postMessage does and
// answers the error itself when it fails.
func (s *Slack) authorized(w http.ResponseWriter, r *http.Request) (url.Values, bool) {
	body, _ := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	form, err := url.ParseQuery(string(body))
	if err != nil {
		writeSlackJSON(w, http.StatusOK, map[string]any{"ok": false, "error": "invalid_form_data"})
		return nil, false
	}
	for k, v := range r.URL.Query() {
		form[k] = v
	}
	token := strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer ")
	if t := form.Get("token"); t != "" {
		token = t
	}
	s.mu.Lock()
	want := s.token
	s.mu.Unlock()
	if want != "" && token != want {
		writeSlackJSON(w, http.StatusOK, map[string]any{"ok": false, "error": "invalid_auth"})
		return nil, false
	}
	if a, scripted := s.next(); scripted {
		if s.raw(w, a) {
			return nil, false
		}
		switch {
		case a.Status != http.StatusOK:
			writeSlackText(w, a.Status, slackBody(a))
		default:
			writeSlackJSON(w, a.Status, map[string]any{"ok": false, "error": a.Error})
		}
		return nil, false
	}
	return form, true
}

// conversationsHistory serves a channel's accepted messages, newest first,
// as conversations.history does: channel must be an ID; oldest bounds by
// ts; limit (default 100, at most 999) and cursor page; metadata only with
// include_all_metadata.
func (s *Slack) conversationsHistory(w http.ResponseWriter, r *http.Request) {
	form, ok := s.authorized(w, r)
	if !ok {
		return
	}
	channel := form.Get("channel")
	s.mu.Lock()
	msgs := append([]SlackPayload(nil), s.history[channel]...)
	s.mu.Unlock()
	if !channelIDRE.MatchString(channel) {
		writeSlackJSON(w, http.StatusOK, map[string]any{"ok": false, "error": "channel_not_found"})
		return
	}
	limit, _ := strconv.Atoi(form.Get("limit"))
	if limit <= 0 || limit > 999 {
		limit = 100
	}
	start, _ := strconv.Atoi(form.Get("cursor"))
	oldest := form.Get("oldest")
	withMeta := form.Get("include_all_metadata") == "1" || form.Get("include_all_metadata") == "true"
	var out []map[string]any
	i := len(msgs) - 1 - start
	for ; i >= 0 && len(out) < limit; i-- {
		m := msgs[i]
		if oldest != "" && tsLess(m.TS, oldest) {
			i = -1
			break
		}
		o := map[string]any{"type": "message", "text": m.Text, "ts": m.TS}
		if withMeta && m.Metadata != nil {
			o["metadata"] = m.Metadata
		}
		out = append(out, o)
	}
	resp := map[string]any{"ok": true, "messages": out, "has_more": i >= 0}
	if i >= 0 {
		resp["response_metadata"] = map[string]any{"next_cursor": strconv.Itoa(start + len(out))}
	}
	writeSlackJSON(w, http.StatusOK, resp)
}

// tsLess compares two Slack timestamps ("seconds.micros").
func tsLess(a, b string) bool {
	fa, _ := strconv.ParseFloat(a, 64)
	fb, _ := strconv.ParseFloat(b, 64)
	return fa < fb
}

// conversationsList lists the channels the simulated Slack knows, in one
// page.
func (s *Slack) conversationsList(w http.ResponseWriter, r *http.Request) {
	if _, ok := s.authorized(w, r); !ok {
		return
	}
	s.mu.Lock()
	var chans []map[string]any
	for name, id := range s.channels {
		chans = append(chans, map[string]any{"id": id, "name": name, "is_channel": true})
	}
	s.mu.Unlock()
	writeSlackJSON(w, http.StatusOK, map[string]any{"ok": true, "channels": chans, "response_metadata": map[string]any{"next_cursor": ""}})
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
	_ = json.NewEncoder(w).Encode(v) // a test server: the client sees a short body
}

// Updated returns the accepted chat.update payloads.
func (s *Slack) Updated() []SlackPayload {
	var out []SlackPayload
	for _, p := range s.Received() {
		if p.OK() && p.Endpoint == "chat.update" {
			out = append(out, p)
		}
	}
	return out
}

// findLocked returns the index of a channel's message by ts.
func (s *Slack) findLocked(channelID, ts string) (int, bool) {
	for i, m := range s.history[channelID] {
		if m.TS == ts {
			return i, true
		}
	}
	return 0, false
}

// chatUpdate edits a message as chat.update does: channel must be the ID
// the message was posted to and ts its timestamp (message_not_found
// otherwise); text, blocks and metadata replace the message's.
func (s *Slack) chatUpdate(w http.ResponseWriter, r *http.Request) {
	form, ok := s.authorized(w, r)
	if !ok {
		return
	}
	p := SlackPayload{Endpoint: "chat.update", Channel: form.Get("channel"), Text: form.Get("text"), TS: form.Get("ts"),
		Status: http.StatusOK}
	if b := form.Get("blocks"); b != "" && json.Unmarshal([]byte(b), &p.Blocks) != nil {
		p.Error = "invalid_blocks_format"
	}
	if m := form.Get("metadata"); m != "" {
		p.Metadata = &SlackMetadata{}
		if json.Unmarshal([]byte(m), p.Metadata) != nil {
			p.Error = "invalid_metadata_format"
		}
	}
	if p.Error == "" {
		p.Error = checkSlackMessage(p.Text, p.Blocks)
	}
	s.mu.Lock()
	if p.Error == "" {
		switch i, found := s.findLocked(p.Channel, p.TS); {
		case !channelIDRE.MatchString(p.Channel):
			p.Error = "channel_not_found"
		case !found:
			p.Error = "message_not_found"
		default:
			m := &s.history[p.Channel][i]
			m.Text, m.Blocks = p.Text, p.Blocks
			if p.Metadata != nil {
				m.Metadata = p.Metadata
			}
		}
	}
	s.mu.Unlock()
	s.record(p)
	s.before(p.Endpoint)
	if p.Error != "" {
		writeSlackJSON(w, http.StatusOK, map[string]any{"ok": false, "error": p.Error})
		return
	}
	writeSlackJSON(w, http.StatusOK, map[string]any{"ok": true, "channel": p.Channel, "ts": p.TS, "text": p.Text})
}

// conversationsReplies serves a thread: the parent, then its replies,
// oldest first, with metadata when include_all_metadata is set.
func (s *Slack) conversationsReplies(w http.ResponseWriter, r *http.Request) {
	form, ok := s.authorized(w, r)
	if !ok {
		return
	}
	channel, ts := form.Get("channel"), form.Get("ts")
	withMeta := form.Get("include_all_metadata") == "1" || form.Get("include_all_metadata") == "true"
	s.mu.Lock()
	i, found := s.findLocked(channel, ts)
	var msgs []SlackPayload
	if found {
		msgs = append([]SlackPayload{s.history[channel][i]}, s.replies[channel+"/"+ts]...)
	}
	s.mu.Unlock()
	if !found {
		writeSlackJSON(w, http.StatusOK, map[string]any{"ok": false, "error": "thread_not_found"})
		return
	}
	out := []map[string]any{}
	for _, m := range msgs {
		if o := form.Get("oldest"); o != "" && m.TS != ts && tsLess(m.TS, o) {
			continue
		}
		o := map[string]any{"type": "message", "text": m.Text, "ts": m.TS, "thread_ts": ts}
		if withMeta && m.Metadata != nil {
			o["metadata"] = m.Metadata
		}
		out = append(out, o)
	}
	writeSlackJSON(w, http.StatusOK, map[string]any{"ok": true, "messages": out, "has_more": false})
}

// Messages returns a channel's top-level messages as they now stand
// (edits applied), oldest first.
func (s *Slack) Messages(channel string) []SlackPayload {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]SlackPayload(nil), s.history[s.channelIDLocked(channel)]...)
}

// Replies returns the thread replies of a message, oldest first.
func (s *Slack) Replies(channel, ts string) []SlackPayload {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]SlackPayload(nil), s.replies[s.channelIDLocked(channel)+"/"+ts]...)
}
