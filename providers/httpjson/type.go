package httpjson

import (
	"net/url"
	"sort"

	"golang.org/x/net/http/httpguts"

	"github.com/driftwatch/driftwatch/config"
	"github.com/driftwatch/driftwatch/diff"
	"github.com/driftwatch/driftwatch/providers/sourcetype"
	"github.com/driftwatch/driftwatch/rules"
	"github.com/driftwatch/driftwatch/watcher"
)

// Settings are the keys of an http_json [[source]].
type Settings struct {
	URL string `toml:"url"`
	// HeadersEnv maps a header name to the variable holding its value.
	HeadersEnv map[string]string `toml:"headers_env"`
	// HeadersFile maps a header name to a file holding its value.
	HeadersFile map[string]string  `toml:"headers_file"`
	Thresholds  []config.Threshold `toml:"threshold"`
	// Redact lists JSON Pointers whose values are secrets.
	Redact []string `toml:"redact"`

	// Headers are the resolved header values.
	Headers map[string]config.Secret `toml:"-"`
}

// Validate checks the keys, the thresholds and the header variables.
func (s *Settings) Validate(c *config.Check) {
	if c.Required("url", s.URL) {
		c.URL("url", s.URL)
	}
	names := make([]string, 0, len(s.HeadersEnv)+len(s.HeadersFile))
	for h := range s.HeadersEnv {
		names = append(names, h)
	}
	for h := range s.HeadersFile {
		if _, dup := s.HeadersEnv[h]; !dup {
			names = append(names, h)
		}
	}
	sort.Strings(names)
	for _, h := range names {
		if !httpguts.ValidHeaderFieldName(h) {
			c.Errorf("headers_env", "header name %q is not a valid HTTP header name (letters, digits and !#$%%&'*+-.^_`|~, no spaces)", h)
			continue
		}
		c.SecretOf("headers_env", "headers_file", h, s.HeadersEnv, s.HeadersFile, func(v config.Secret) {
			if s.Headers == nil {
				s.Headers = map[string]config.Secret{}
			}
			s.Headers[h] = v
		})
		if v := s.Headers[h].Reveal(); v != "" && !httpguts.ValidHeaderFieldValue(v) {
			// The value is a secret: name where it comes from, not the value.
			from := "$" + s.HeadersEnv[h]
			if s.HeadersEnv[h] == "" {
				from = s.HeadersFile[h]
			}
			c.Errorf("headers_env", "%s (header %s) holds a line break or control character; an HTTP header value cannot", from, h)
		}
	}
	c.Thresholds("threshold", s.Thresholds)
	for _, p := range s.Redact {
		if _, err := diff.ParsePattern(p); err != nil || p == "" || p == "/" {
			c.Errorf("redact", "redact %q is not a JSON Pointer", p)
		}
	}
}

// Secrets are the header values, which the scrubber keeps out of every
// message.
func (s *Settings) Secrets() []config.Secret {
	out := make([]config.Secret, 0, len(s.Headers))
	for _, h := range s.Headers {
		out = append(out, h)
	}
	return out
}

// Endpoints are the URLs the source reads, whose credentials are secrets.
func (s *Settings) Endpoints() []string { return []string{s.URL} }

// Type is the http_json source type: any JSON endpoint.
var Type = sourcetype.Type{
	Name:     "http_json",
	Config:   func() config.SourceConfig { return &Settings{} },
	Category: watcher.Configuration,
	Build: func(src sourcetype.Source) (sourcetype.Built, error) {
		s := src.Settings.(*Settings)
		headers := map[string]string{}
		for k, v := range s.Headers {
			headers[k] = v.Reveal()
		}
		p, err := New(Config{Name: src.Name, URL: s.URL, Headers: headers, Redact: s.Redact}, src.HTTP, src.Logger.With("source", src.Name))
		if err != nil {
			return sourcetype.Built{}, err
		}
		return sourcetype.Built{Provider: p, Rules: []watcher.Rule{rules.Thresholds(thresholds(s.Thresholds))}, Link: EndpointLink(s.URL)}, nil
	},
}

func thresholds(ts []config.Threshold) []rules.Threshold {
	out := make([]rules.Threshold, 0, len(ts))
	for _, t := range ts {
		sev, _ := watcher.ParseSeverity(t.Severity)
		out = append(out, rules.Threshold{Path: t.Path, Above: t.Above, Below: t.Below, Severity: sev, Category: watcher.Category(t.Category)})
	}
	return out
}

// EndpointLink links a source's findings to the endpoint, with no
// credentials, query or fragment: those may carry keys.
func EndpointLink(raw string) func(*watcher.Judgement, *watcher.Finding) {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return nil
	}
	u.User, u.RawQuery, u.ForceQuery, u.Fragment, u.RawFragment = nil, "", false, "", ""
	page := u.String()
	return func(_ *watcher.Judgement, f *watcher.Finding) { f.AddLink("Endpoint", page) }
}
