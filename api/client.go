package api

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// Client asks a daemon's API; it needs no config, store or upstream
// secret, only the server's URL and a token.
type Client struct {
	base  *url.URL
	token string
	http  *http.Client
}

var _ Service = (*Client)(nil)

// NewClient returns a client of the daemon at serverURL (http or https).
func NewClient(serverURL, token string, hc *http.Client) (*Client, error) {
	u, err := url.Parse(strings.TrimSpace(serverURL))
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, errorf(Invalid, "--server %q: want http(s)://host:port", serverURL)
	}
	u.Path = strings.TrimSuffix(u.Path, "/")
	if hc == nil {
		hc = &http.Client{Timeout: 60 * time.Second}
	}
	return &Client{base: u, token: token, http: hc}, nil
}

// do sends one request and decodes a JSON answer into out (a *[]byte
// takes the body as is). Errors keep the server's message and code.
func (c *Client) do(ctx context.Context, method, path string, query url.Values, body, out any) error {
	u := *c.base
	u.Path += path
	u.RawQuery = query.Encode()
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return err
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, u.String(), rd)
	if err != nil {
		return errorf(Invalid, "--server: %v", err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	req.Header.Set("Accept", "application/json")
	if c.token != "" {
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return errorf(Unavailable, "server %s unreachable: %v", c.base.Host, unwrapURLError(err))
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, 256<<20))
	if err != nil {
		return errorf(Unavailable, "server %s: reading the answer: %v", c.base.Host, err)
	}
	if resp.StatusCode != http.StatusOK {
		return c.statusError(resp, b)
	}
	if raw, ok := out.(*[]byte); ok {
		*raw = b
		return nil
	}
	if err := json.Unmarshal(b, out); err != nil {
		return errorf(Unavailable, "server %s: unexpected answer: %v", c.base.Host, err)
	}
	return nil
}

func (c *Client) statusError(resp *http.Response, b []byte) error {
	var e Error
	isAPI := strings.HasPrefix(resp.Header.Get("Content-Type"), "application/json") && json.Unmarshal(b, &e) == nil && e.Code != ""
	switch {
	case resp.StatusCode == http.StatusUnauthorized:
		return errorf(Unauthorized, "server %s: 401 unauthorized: check DRIFTWATCH_TOKEN", c.base.Host)
	case resp.StatusCode == http.StatusForbidden:
		return errorf(Forbidden, "server %s: 403 forbidden: %s; acknowledging and silencing need the write token (server.api_write_token_env)", c.base.Host, ReadOnlyToken)
	case isAPI && e.Code != Internal:
		return &e
	case resp.StatusCode == http.StatusNotFound:
		return errorf(Unavailable, "server %s: no API there (404): the daemon serves /api/v1/ only with server.api_token_env or api_token_file set", c.base.Host)
	case isAPI:
		return errorf(Internal, "server %s: %d: %s", c.base.Host, resp.StatusCode, e.Msg)
	default:
		return errorf(Unavailable, "server %s: HTTP %d", c.base.Host, resp.StatusCode)
	}
}

// unwrapURLError drops the method and URL net/http repeats in its errors.
func unwrapURLError(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err
	}
	return err
}

// Check asks GET /api/v1/check.
func (c *Client) Check(ctx context.Context, q CheckQuery) (*CheckResult, error) {
	v := url.Values{}
	if q.FailOn != 0 {
		v.Set("fail_on", q.FailOn.String())
	}
	if q.MaxAge > 0 {
		v.Set("max_age", q.maxAgeText())
	}
	for _, s := range q.Sources {
		v.Add("source", s)
	}
	var res CheckResult
	if len(q.Deployed) > 0 {
		// The lockfile's versions go in the body: too many for a query.
		if err := c.do(ctx, http.MethodPost, "/api/v1/check", v, checkBody{Deployed: q.Deployed}, &res); err != nil {
			return nil, err
		}
		return &res, nil
	}
	if err := c.do(ctx, http.MethodGet, "/api/v1/check", v, nil, &res); err != nil {
		return nil, err
	}
	return &res, nil
}

// Findings asks GET /api/v1/findings.
func (c *Client) Findings(ctx context.Context, q FindingQuery) ([]Finding, error) {
	v := url.Values{}
	if q.State != "" {
		v.Set("state", q.State)
	}
	for _, s := range q.Sources {
		v.Add("source", s)
	}
	if q.Severity != 0 {
		v.Set("severity", q.Severity.String())
	}
	var res FindingList
	if err := c.do(ctx, http.MethodGet, "/api/v1/findings", v, nil, &res); err != nil {
		return nil, err
	}
	return res.Findings, nil
}

// Finding asks GET /api/v1/findings/{ref}.
func (c *Client) Finding(ctx context.Context, ref string) (*Finding, error) {
	var f Finding
	if err := c.do(ctx, http.MethodGet, "/api/v1/findings/"+url.PathEscape(ref), nil, nil, &f); err != nil {
		return nil, err
	}
	return &f, nil
}

// Explain asks GET /api/v1/findings/{ref}/explain.
func (c *Client) Explain(ctx context.Context, ref string) (*Explanation, error) {
	var ex Explanation
	if err := c.do(ctx, http.MethodGet, "/api/v1/findings/"+url.PathEscape(ref)+"/explain", nil, nil, &ex); err != nil {
		return nil, err
	}
	return &ex, nil
}

// Sources asks GET /api/v1/sources.
func (c *Client) Sources(ctx context.Context) ([]SourceStatus, error) {
	var res struct {
		Sources []SourceStatus `json:"sources"`
	}
	if err := c.do(ctx, http.MethodGet, "/api/v1/sources", nil, nil, &res); err != nil {
		return nil, err
	}
	return res.Sources, nil
}

// History asks GET /api/v1/sources/{name}/history.
func (c *Client) History(ctx context.Context, source string) (*History, error) {
	var h History
	if err := c.do(ctx, http.MethodGet, "/api/v1/sources/"+url.PathEscape(source)+"/history", nil, nil, &h); err != nil {
		return nil, err
	}
	return &h, nil
}

// Diff asks GET /api/v1/sources/{name}/diff.
func (c *Client) Diff(ctx context.Context, source string, from, to int64) (*Diff, error) {
	v := url.Values{}
	if from > 0 {
		v.Set("from", strconv.FormatInt(from, 10))
	}
	if to > 0 {
		v.Set("to", strconv.FormatInt(to, 10))
	}
	var d Diff
	if err := c.do(ctx, http.MethodGet, "/api/v1/sources/"+url.PathEscape(source)+"/diff", v, nil, &d); err != nil {
		return nil, err
	}
	return &d, nil
}

// Snapshot asks GET /api/v1/sources/{name}/snapshots/{id|latest}.
func (c *Client) Snapshot(ctx context.Context, source string, id int64) (*Snapshot, error) {
	which := "latest"
	if id > 0 {
		which = strconv.FormatInt(id, 10)
	}
	var body []byte
	if err := c.do(ctx, http.MethodGet, "/api/v1/sources/"+url.PathEscape(source)+"/snapshots/"+which, nil, nil, &body); err != nil {
		return nil, err
	}
	return &Snapshot{Source: source, ID: id, Body: bytes.TrimSuffix(body, []byte("\n"))}, nil
}

// Ack posts to /api/v1/acks.
func (c *Client) Ack(ctx context.Context, r AckRequest) ([]Finding, error) {
	if len(r.IDs) == 0 {
		return nil, errorf(Invalid, "ack needs at least one finding ID (see driftwatch findings)")
	}
	var res struct {
		Acked []Finding `json:"acked"`
	}
	if err := c.do(ctx, http.MethodPost, "/api/v1/acks", nil, r, &res); err != nil {
		return nil, err
	}
	return res.Acked, nil
}

// Silences asks GET /api/v1/silences.
func (c *Client) Silences(ctx context.Context, all bool) ([]Silence, error) {
	v := url.Values{}
	if all {
		v.Set("all", "true")
	}
	var res SilenceList
	if err := c.do(ctx, http.MethodGet, "/api/v1/silences", v, nil, &res); err != nil {
		return nil, err
	}
	return res.Silences, nil
}

// AddSilence posts to /api/v1/silences.
func (c *Client) AddSilence(ctx context.Context, r SilenceRequest) (*Silence, error) {
	var s Silence
	if err := c.do(ctx, http.MethodPost, "/api/v1/silences", nil, r, &s); err != nil {
		return nil, err
	}
	return &s, nil
}

// ExpireSilence sends DELETE /api/v1/silences/{id}.
func (c *Client) ExpireSilence(ctx context.Context, id int64) (*Silence, error) {
	var s Silence
	if err := c.do(ctx, http.MethodDelete, fmt.Sprintf("/api/v1/silences/%d", id), nil, nil, &s); err != nil {
		return nil, err
	}
	return &s, nil
}
