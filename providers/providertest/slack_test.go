package providertest_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/driftwatch/driftwatch/providers/providertest"
)

type answer struct {
	status     int
	body       string
	retryAfter string
}

func post(t *testing.T, u, contentType, body string, header ...string) answer {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), http.MethodPost, u, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", contentType)
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return answer{resp.StatusCode, strings.TrimSpace(string(b)), resp.Header.Get("Retry-After")}
}

const goodMessage = `{"text":"[warning] src: title","blocks":[{"type":"header","text":{"type":"plain_text","text":"Warning"}},` +
	`{"type":"section","text":{"type":"mrkdwn","text":"*title*"}}],"unfurl_links":false,"unfurl_media":false}`

func TestSlackWebhook(t *testing.T) {
	s := providertest.NewSlack()
	defer s.Close()
	if got := post(t, s.WebhookURL(), "application/json", goodMessage); got.status != 200 || got.body != "ok" {
		t.Fatalf("got %d %q, want 200 ok", got.status, got.body)
	}
	if got := post(t, strings.TrimSuffix(s.WebhookURL(), "X")+"Y", "application/json", goodMessage); got.status != 404 || got.body != "no_service" {
		t.Errorf("wrong hook: got %d %q, want 404 no_service", got.status, got.body)
	}
	recv := s.Received()
	if len(recv) != 1 {
		t.Fatalf("%d payloads recorded, want 1 (the wrong hook is not a payload)", len(recv))
	}
	p := recv[0]
	if p.Endpoint != "webhook" || p.Text != "[warning] src: title" || len(p.Blocks) != 2 || p.Blocks[1]["type"] != "section" {
		t.Errorf("recorded %+v", p)
	}
	if p.UnfurlLinks == nil || *p.UnfurlLinks || !p.OK() || string(p.JSON) != goodMessage {
		t.Errorf("recorded flags or JSON wrong: %+v", p)
	}
}

func TestSlackWebhookRefuses(t *testing.T) {
	s := providertest.NewSlack()
	defer s.Close()
	for _, tc := range []struct {
		name, body, want string
	}{
		{"NotJSON", "text=hi", "invalid_payload"},
		{"NoText", `{"unfurl_links":false}`, "no_text"},
		{"TooManyBlocks", `{"text":"x","blocks":[` + strings.Repeat(`{"type":"divider"},`, 50) + `{"type":"divider"}]}`, "invalid_blocks"},
		{"LongHeader", `{"text":"x","blocks":[{"type":"header","text":{"type":"plain_text","text":"` + strings.Repeat("h", 151) + `"}}]}`, "invalid_blocks"},
		{"LongSection", `{"text":"x","blocks":[{"type":"section","text":{"type":"mrkdwn","text":"` + strings.Repeat("é", 3001) + `"}}]}`, "invalid_blocks"},
		{"ElevenContextElements", `{"text":"x","blocks":[{"type":"context","elements":[` + strings.Repeat(`{"type":"mrkdwn","text":"e"},`, 10) + `{"type":"mrkdwn","text":"e"}]}]}`, "invalid_blocks"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := post(t, s.WebhookURL(), "application/json", tc.body); got.status != 400 || got.body != tc.want {
				t.Errorf("got %d %q, want 400 %q", got.status, got.body, tc.want)
			}
		})
	}
	if n := len(s.Posted()); n != 0 {
		t.Errorf("%d refused payloads counted as posted", n)
	}
}

func TestSlackScript(t *testing.T) {
	s := providertest.NewSlack()
	defer s.Close()
	s.Next(429, "1")
	s.Next(500, "")
	s.Next(404, "channel_not_found")
	s.Next(200, "invalid_blocks")
	s.Next(429, "")

	want := []answer{
		{429, "rate_limited", "1"},
		{500, "internal_server_error", ""},
		{404, "channel_not_found", ""},
	}
	for i, w := range want {
		if got := post(t, s.WebhookURL(), "application/json", goodMessage); got != w {
			t.Errorf("webhook answer %d: got %+v, want %+v", i, got, w)
		}
	}
	form := url.Values{"token": {"xoxb-1"}, "channel": {"#c"}, "text": {"hi"}}.Encode()
	got := post(t, s.APIURL()+"chat.postMessage", "application/x-www-form-urlencoded", form)
	if got.status != 200 || got.body != `{"error":"invalid_blocks","ok":false}` {
		t.Errorf("API answer: got %+v, want ok:false invalid_blocks", got)
	}
	got = post(t, s.APIURL()+"chat.postMessage", "application/x-www-form-urlencoded", form)
	if got.status != 429 || got.retryAfter != "" || !strings.Contains(got.body, `"ratelimited"`) {
		t.Errorf("API 429 without Retry-After: got %+v", got)
	}
	// The script is used up: normal answers resume.
	if got := post(t, s.WebhookURL(), "application/json", goodMessage); got.status != 200 {
		t.Errorf("after the script: got %+v", got)
	}
	if n, p := len(s.Received()), len(s.Posted()); n != 6 || p != 1 {
		t.Errorf("received %d, posted %d; want 6 and 1", n, p)
	}
}

func TestSlackPostMessage(t *testing.T) {
	s := providertest.NewSlack()
	defer s.Close()
	s.RequireToken("xoxb-good")
	if !strings.HasSuffix(s.APIURL(), "/api/") {
		t.Fatalf("APIURL %q lacks the trailing slash", s.APIURL())
	}
	blocks := `[{"type":"section","text":{"type":"mrkdwn","text":"*hi*"}}]`
	form := url.Values{"token": {"xoxb-good"}, "channel": {"#alerts"}, "text": {"hi"}, "blocks": {blocks},
		"unfurl_links": {"false"}, "unfurl_media": {"false"}}

	var ok struct {
		OK      bool   `json:"ok"`
		TS      string `json:"ts"`
		Channel string `json:"channel"`
	}
	got := post(t, s.APIURL()+"chat.postMessage", "application/x-www-form-urlencoded", form.Encode())
	if err := json.Unmarshal([]byte(got.body), &ok); err != nil || !ok.OK || ok.TS == "" || ok.Channel == "" {
		t.Fatalf("form post: got %+v", got)
	}
	// JSON body with the token as a Bearer header.
	jsonBody := `{"channel":"#alerts","text":"hi","blocks":` + blocks + `}`
	got = post(t, s.APIURL()+"chat.postMessage", "application/json; charset=utf-8", jsonBody, "Authorization", "Bearer xoxb-good")
	if !strings.Contains(got.body, `"ok":true`) {
		t.Fatalf("JSON post: got %+v", got)
	}
	for _, tc := range []struct {
		name string
		form url.Values
		want string
	}{
		{"WrongToken", url.Values{"token": {"xoxb-bad"}, "channel": {"#a"}, "text": {"x"}}, "invalid_auth"},
		{"NoToken", url.Values{"channel": {"#a"}, "text": {"x"}}, "not_authed"},
		{"NoChannel", url.Values{"token": {"xoxb-good"}, "text": {"x"}}, "channel_not_found"},
		{"NoText", url.Values{"token": {"xoxb-good"}, "channel": {"#a"}}, "no_text"},
		{"BadBlocks", url.Values{"token": {"xoxb-good"}, "channel": {"#a"}, "text": {"x"}, "blocks": {"[{"}}, "invalid_blocks_format"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := post(t, s.APIURL()+"chat.postMessage", "application/x-www-form-urlencoded", tc.form.Encode())
			if got.status != 200 || !strings.Contains(got.body, `"error":"`+tc.want+`"`) {
				t.Errorf("got %+v, want ok:false %s", got, tc.want)
			}
		})
	}

	posted := s.Posted()
	if len(posted) != 2 {
		t.Fatalf("%d posted, want 2", len(posted))
	}
	for _, p := range posted {
		if p.Endpoint != "chat.postMessage" || p.Channel != "#alerts" || p.Token != "xoxb-good" || len(p.Blocks) != 1 {
			t.Errorf("recorded %+v", p)
		}
		var m map[string]any
		if err := json.Unmarshal(p.JSON, &m); err != nil || m["text"] != "hi" {
			t.Errorf("JSON form of the payload: %s (%v)", p.JSON, err)
		}
	}
	if f := posted[0]; f.UnfurlLinks == nil || *f.UnfurlLinks {
		t.Errorf("form unfurl_links=false not recorded: %v", f.UnfurlLinks)
	}
}
