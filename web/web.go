// Package web is the daemon's read-only web view at /: open findings
// grouped by category and severity, a page per finding (its diff, ack and
// silence state, history) and per source (status, snapshots, each diff).
// Server-rendered with html/template, which escapes every piece of
// upstream text; assets are embedded; no JavaScript.
package web

import (
	"bytes"
	"context"
	"embed"
	"encoding/json"
	"html/template"
	"log/slog"
	"net/http"
	"net/url"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/driftwatch/driftwatch/api"
	"github.com/driftwatch/driftwatch/diff"
	"github.com/driftwatch/driftwatch/watcher"
)

//go:embed templates/*.html
var templateFS embed.FS

//go:embed static/*
var staticFS embed.FS

// View serves the web pages over a console.
type View struct {
	svc    api.Service
	tokens api.Tokens
	log    *slog.Logger
	pages  map[string]*template.Template
}

// New returns the view over svc; with tokens set, every page asks for the
// read token (HTTP basic auth: any user name, the token as password).
func New(svc api.Service, tokens api.Tokens, logger *slog.Logger) *View {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	v := &View{svc: svc, tokens: tokens, log: logger, pages: map[string]*template.Template{}}
	for _, p := range []string{"index", "finding", "source"} {
		v.pages[p] = template.Must(template.New("layout.html").Funcs(funcs).ParseFS(templateFS, "templates/layout.html", "templates/"+p+".html"))
	}
	return v
}

// Register adds the pages to mux.
func (v *View) Register(mux *http.ServeMux) {
	mux.Handle("GET /{$}", v.guard(v.index))
	mux.Handle("GET /findings/{ref}", v.guard(v.finding))
	mux.Handle("GET /sources/{name}", v.guard(v.source))
	mux.Handle("GET /static/", v.guard(func(w http.ResponseWriter, r *http.Request) error {
		w.Header().Set("Cache-Control", "max-age=3600")
		http.FileServerFS(staticFS).ServeHTTP(w, r)
		return nil
	}))
}

func (v *View) guard(h func(w http.ResponseWriter, r *http.Request) error) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hdr := w.Header()
		hdr.Set("Content-Security-Policy", "default-src 'none'; style-src 'self'; img-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'")
		hdr.Set("X-Content-Type-Options", "nosniff")
		hdr.Set("Referrer-Policy", "no-referrer")
		if v.tokens.Enabled() && !v.tokens.Allows(r, false) {
			hdr.Set("WWW-Authenticate", `Basic realm="driftwatch", charset="UTF-8"`)
			http.Error(w, "unauthorized", http.StatusUnauthorized)
			return
		}
		if err := h(w, r); err != nil {
			status := http.StatusInternalServerError
			msg := "internal error; see the daemon's log"
			if api.ErrorCode(err) == api.NotFound {
				status, msg = http.StatusNotFound, err.Error()
			} else {
				v.log.Error("web", "path", r.URL.Path, "error", err.Error())
			}
			http.Error(w, msg, status)
		}
	})
}

func (v *View) render(w http.ResponseWriter, page string, data any) error {
	var buf bytes.Buffer
	if err := v.pages[page].Execute(&buf, data); err != nil {
		return err
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	_, err := w.Write(buf.Bytes())
	return err
}

// group is the findings of one category, by severity.
type group struct {
	Category   watcher.Category
	Severities []severityGroup
	Count      int
}

type severityGroup struct {
	Severity watcher.Severity
	Findings []api.Finding
}

func (v *View) index(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	fs, err := v.svc.Findings(ctx, api.FindingQuery{State: "open"})
	if err != nil {
		return err
	}
	sources, err := v.svc.Sources(ctx)
	if err != nil {
		return err
	}
	byCat := map[watcher.Category]map[watcher.Severity][]api.Finding{}
	for _, f := range fs {
		if byCat[f.Category] == nil {
			byCat[f.Category] = map[watcher.Severity][]api.Finding{}
		}
		byCat[f.Category][f.Severity] = append(byCat[f.Category][f.Severity], f)
	}
	var groups []group
	for cat, bySev := range byCat {
		g := group{Category: cat}
		for sev, list := range bySev {
			g.Severities = append(g.Severities, severityGroup{Severity: sev, Findings: list})
			g.Count += len(list)
		}
		sort.Slice(g.Severities, func(i, j int) bool { return g.Severities[i].Severity > g.Severities[j].Severity })
		groups = append(groups, g)
	}
	sort.Slice(groups, func(i, j int) bool {
		a, b := groups[i].Severities[0].Severity, groups[j].Severities[0].Severity
		if a != b {
			return a > b
		}
		return groups[i].Category < groups[j].Category
	})
	return v.render(w, "index", map[string]any{"Title": "Open findings", "Groups": groups, "Open": len(fs), "Sources": sources, "Now": time.Now()})
}

// diffLimit bounds the changes shown on one page: a first snapshot of a
// big tenant diffs against nothing.
const diffLimit = 200

func (v *View) finding(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	ex, err := v.svc.Explain(ctx, r.PathValue("ref"))
	if err != nil {
		return err
	}
	f := &ex.Finding
	data := map[string]any{"Title": f.Title, "F": f, "Links": links(f), "History": ex.History}
	if f.SnapshotID > 0 {
		d, err := v.raisedBy(ctx, f)
		if err == nil {
			data["Diff"] = d
			data["Changes"], data["Hidden"] = clip(d.Changes)
		} else if api.ErrorCode(err) != api.NotFound {
			return err
		}
	}
	return v.render(w, "finding", data)
}

// raisedBy is the diff of the snapshot that raised the finding against
// the one before it.
func (v *View) raisedBy(ctx context.Context, f *api.Finding) (*api.Diff, error) {
	h, err := v.svc.History(ctx, f.Source)
	if err != nil {
		return nil, err
	}
	var from int64
	for i, s := range h.Snapshots {
		if s.ID == f.SnapshotID && i+1 < len(h.Snapshots) {
			from = h.Snapshots[i+1].ID
		}
	}
	if from == 0 {
		from = f.SnapshotID // the baseline: nothing before it
	}
	return v.svc.Diff(ctx, f.Source, from, f.SnapshotID)
}

// shownDiff is one snapshot's diff on the source page.
type shownDiff struct {
	Snapshot api.SnapshotInfo
	Diff     *api.Diff
	Changes  []diff.Change
	Hidden   int
}

// sourceDiffs is how many of the newest snapshots the source page diffs.
const sourceDiffs = 20

func (v *View) source(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	name := r.PathValue("name")
	h, err := v.svc.History(ctx, name)
	if err != nil {
		return err
	}
	sources, err := v.svc.Sources(ctx)
	if err != nil {
		return err
	}
	var status *api.SourceStatus
	for i := range sources {
		if sources[i].Name == name {
			status = &sources[i]
		}
	}
	fs, err := v.svc.Findings(ctx, api.FindingQuery{State: "all", Sources: []string{name}})
	if err != nil {
		return err
	}
	var diffs []shownDiff
	for i, s := range h.Snapshots {
		if i >= sourceDiffs || i+1 >= len(h.Snapshots) {
			break
		}
		d, err := v.svc.Diff(ctx, name, h.Snapshots[i+1].ID, s.ID)
		if err != nil {
			return err
		}
		sd := shownDiff{Snapshot: s, Diff: d}
		sd.Changes, sd.Hidden = clip(d.Changes)
		diffs = append(diffs, sd)
	}
	return v.render(w, "source", map[string]any{"Title": name, "Name": name, "Status": status, "History": h,
		"Diffs": diffs, "Findings": fs})
}

func clip(cs []diff.Change) ([]diff.Change, int) {
	if len(cs) > diffLimit {
		return cs[:diffLimit], len(cs) - diffLimit
	}
	return cs, 0
}

var urlRE = regexp.MustCompile(`https://[^\s<>"'()\[\]{}]+`)

// link is one page shown on a finding's page.
type link struct {
	Title, URL string
}

// links lists the pages about a finding: its url and links (dashboard,
// release, docs), then https URLs its text names, at most eight in all.
// They are shown, never fetched, and open without a referrer;
// html/template keeps any scheme but http(s) and mailto out of href.
func links(f *api.Finding) []link {
	seen := map[string]bool{}
	var out []link
	add := func(title, u string) {
		if p, err := url.Parse(u); err != nil || p.Host == "" || (p.Scheme != "https" && p.Scheme != "http") || seen[u] || len(out) == 8 {
			return
		}
		seen[u] = true
		out = append(out, link{Title: title, URL: u})
	}
	add("", f.URL)
	for _, l := range f.Links {
		add(l.Title, l.URL)
	}
	for _, text := range []string{f.Detail, f.New, f.Old, f.Excerpt} {
		for _, m := range urlRE.FindAllString(text, -1) {
			add("", strings.TrimRight(m, ".,;:!"))
		}
	}
	return out
}

// valueLimit bounds one value shown in a diff, in runes.
const valueLimit = 2000

// value shows a JSON value of a diff: strings as their text, objects and
// arrays indented, everything cut at valueLimit.
func value(b []byte) string {
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		var buf bytes.Buffer
		if json.Indent(&buf, b, "", "  ") == nil {
			s = buf.String()
		} else {
			s = string(b)
		}
	} else {
		s = strconv.Quote(s)
	}
	if r := []rune(s); len(r) > valueLimit {
		return string(r[:valueLimit]) + "…"
	}
	return s
}

var funcs = template.FuncMap{
	"pathEscape": url.PathEscape,
	"short": func(s string, n int) string {
		if len(s) <= n {
			return s
		}
		return s[:n]
	},
	"value":    value,
	"sevClass": func(s watcher.Severity) string { return "sev-" + s.String() },
	"timeStr": func(t time.Time) string {
		if t.IsZero() {
			return ""
		}
		return watcher.FormatTime(t)
	},
	"timePtr": func(t *time.Time) string {
		if t == nil {
			return ""
		}
		return watcher.FormatTime(*t)
	},
	"strPtr": func(s *string) string {
		if s == nil {
			return ""
		}
		return *s
	},
	"itoa":      func(n int64) string { return strconv.FormatInt(n, 10) },
	"isAdded":   func(op diff.Op) bool { return op == diff.Added },
	"isRemoved": func(op diff.Op) bool { return op == diff.Removed },
	"under": func(path, findingPath string) bool {
		return findingPath != "" && (path == findingPath || strings.HasPrefix(path, findingPath+"/") || strings.HasPrefix(findingPath, path+"/"))
	},
}
