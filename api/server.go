package api

import (
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"strconv"

	"github.com/driftwatch/driftwatch/watcher"
)

// maxBody bounds a request body (acks and silences are small).
const maxBody = 1 << 20

// Server serves a Service under /api/v1/.
type Server struct {
	svc    Service
	tokens Tokens
	log    *slog.Logger
}

// NewServer returns the API over svc, behind tokens.
func NewServer(svc Service, tokens Tokens, logger *slog.Logger) *Server {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	return &Server{svc: svc, tokens: tokens, log: logger}
}

// Register adds the API's routes to mux; without a token it adds nothing,
// so the API answers 404.
func (s *Server) Register(mux *http.ServeMux) {
	if !s.tokens.Enabled() {
		return
	}
	read := func(pattern string, h func(w http.ResponseWriter, r *http.Request) (any, error)) {
		mux.Handle(pattern, s.handle(false, h))
	}
	write := func(pattern string, h func(w http.ResponseWriter, r *http.Request) (any, error)) {
		mux.Handle(pattern, s.handle(true, h))
	}
	read("GET /api/v1/check", s.check)
	read("POST /api/v1/check", s.checkDeployed)
	read("GET /api/v1/findings", s.findings)
	read("GET /api/v1/findings/{ref}", s.finding)
	read("GET /api/v1/findings/{ref}/explain", s.explain)
	read("GET /api/v1/sources", s.sources)
	read("GET /api/v1/sources/{name}/history", s.history)
	read("GET /api/v1/sources/{name}/diff", s.diff)
	read("GET /api/v1/sources/{name}/snapshots/{id}", s.snapshot)
	read("GET /api/v1/silences", s.silences)
	write("POST /api/v1/acks", s.ack)
	write("POST /api/v1/silences", s.addSilence)
	write("DELETE /api/v1/silences/{id}", s.expireSilence)
	// Anything else under the prefix is a JSON 404, once authorised.
	read("/api/v1/", func(http.ResponseWriter, *http.Request) (any, error) {
		return nil, errorf(NotFound, "no such API endpoint")
	})
}

// raw is a body written as is.
type raw struct {
	body []byte
}

func (s *Server) handle(write bool, h func(w http.ResponseWriter, r *http.Request) (any, error)) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "no-store")
		switch g := s.tokens.Grant(r); {
		case g == NoAccess:
			w.Header().Set("WWW-Authenticate", `Bearer realm="driftwatch"`)
			writeJSON(w, http.StatusUnauthorized, &Error{Code: Unauthorized, Msg: "unauthorized"})
			return
		case write && g < WriteAccess:
			// The token is good, for reading only: say so, as a wrong
			// token is not told anything.
			writeJSON(w, http.StatusForbidden, &Error{Code: Forbidden, Msg: ReadOnlyToken})
			return
		}
		r.Body = http.MaxBytesReader(w, r.Body, maxBody)
		v, err := h(w, r)
		if err != nil {
			code := ErrorCode(err)
			status := map[Code]int{NotFound: http.StatusNotFound, Invalid: http.StatusBadRequest}[code]
			var e *Error
			if status == 0 || !errors.As(err, &e) {
				s.log.Error("api", "path", r.URL.Path, "error", err.Error())
				status, e = http.StatusInternalServerError, &Error{Code: Internal, Msg: "internal error; see the daemon's log"}
			}
			writeJSON(w, status, e)
			return
		}
		if b, ok := v.(raw); ok {
			w.Header().Set("Content-Type", "application/json")
			w.Write(b.body)
			return
		}
		writeJSON(w, http.StatusOK, v)
	})
}

// writeJSON writes v as the CLI prints it: indented, one trailing newline.
func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = Encode(w, v)
}

// Encode writes v as the CLI's --format json does.
func Encode(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

func (s *Server) check(_ http.ResponseWriter, r *http.Request) (any, error) {
	return s.checkWith(r, nil)
}

// checkWith answers a check from the query's fail_on, max_age and source,
// with the deployed versions of a POST.
func (s *Server) checkWith(r *http.Request, deployed map[string]string) (any, error) {
	q := r.URL.Query()
	cq := CheckQuery{FailOn: watcher.Breaking, Sources: q["source"], Deployed: deployed}
	if v := q.Get("fail_on"); v != "" {
		sev, err := watcher.ParseSeverity(v)
		if err != nil {
			return nil, errorf(Invalid, "`fail_on`: %v", err)
		}
		cq.FailOn = sev
	}
	if v := q.Get("max_age"); v != "" {
		d, err := ParseDuration(v)
		if err != nil {
			return nil, errorf(Invalid, "`max_age`: %v", err)
		}
		cq.MaxAge, cq.MaxAgeText = d, v
	}
	return s.svc.Check(r.Context(), cq)
}

func (s *Server) findings(_ http.ResponseWriter, r *http.Request) (any, error) {
	q := r.URL.Query()
	fq := FindingQuery{State: q.Get("state"), Sources: q["source"]}
	if v := q.Get("severity"); v != "" {
		sev, err := watcher.ParseSeverity(v)
		if err != nil {
			return nil, errorf(Invalid, "`severity`: %v", err)
		}
		fq.Severity = sev
	}
	fs, err := s.svc.Findings(r.Context(), fq)
	if err != nil {
		return nil, err
	}
	return FindingList{Findings: fs}, nil
}

// FindingList is `findings --format json`.
type FindingList struct {
	Findings []Finding `json:"findings"`
}

func (s *Server) finding(_ http.ResponseWriter, r *http.Request) (any, error) {
	return s.svc.Finding(r.Context(), r.PathValue("ref"))
}

func (s *Server) explain(_ http.ResponseWriter, r *http.Request) (any, error) {
	return s.svc.Explain(r.Context(), r.PathValue("ref"))
}

func (s *Server) sources(_ http.ResponseWriter, r *http.Request) (any, error) {
	ss, err := s.svc.Sources(r.Context())
	if err != nil {
		return nil, err
	}
	if ss == nil {
		ss = []SourceStatus{}
	}
	return struct {
		Sources []SourceStatus `json:"sources"`
	}{ss}, nil
}

func (s *Server) history(_ http.ResponseWriter, r *http.Request) (any, error) {
	return s.svc.History(r.Context(), r.PathValue("name"))
}

func (s *Server) diff(_ http.ResponseWriter, r *http.Request) (any, error) {
	q := r.URL.Query()
	from, err := optionalID(q.Get("from"), "from")
	if err != nil {
		return nil, err
	}
	to, err := optionalID(q.Get("to"), "to")
	if err != nil {
		return nil, err
	}
	return s.svc.Diff(r.Context(), r.PathValue("name"), from, to)
}

func (s *Server) snapshot(w http.ResponseWriter, r *http.Request) (any, error) {
	var id int64
	if v := r.PathValue("id"); v != "latest" {
		var err error
		if id, err = optionalID(v, "snapshot"); err != nil || id == 0 {
			return nil, errorf(Invalid, "snapshot %q: want an ID or latest", v)
		}
	}
	snap, err := s.svc.Snapshot(r.Context(), r.PathValue("name"), id)
	if err != nil {
		return nil, err
	}
	w.Header().Set("X-Snapshot-Id", strconv.FormatInt(snap.ID, 10))
	w.Header().Set("X-Snapshot-Fetched-At", watcher.FormatTime(snap.FetchedAt))
	return raw{body: append(append([]byte(nil), snap.Body...), '\n')}, nil
}

func optionalID(v, what string) (int64, error) {
	if v == "" {
		return 0, nil
	}
	id, err := strconv.ParseInt(v, 10, 64)
	if err != nil || id <= 0 {
		return 0, errorf(Invalid, "%s %q: want a snapshot ID", what, v)
	}
	return id, nil
}

func decode(r *http.Request, v any) error {
	dec := json.NewDecoder(r.Body)
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return errorf(Invalid, "request body: %v", err)
	}
	return nil
}

// ackBody accepts IDs as numbers or strings (fingerprints).
type ackBody struct {
	IDs    []json.RawMessage `json:"ids"`
	Note   string            `json:"note"`
	For    string            `json:"for"`
	Author string            `json:"author"`
}

func (s *Server) ack(_ http.ResponseWriter, r *http.Request) (any, error) {
	var b ackBody
	if err := decode(r, &b); err != nil {
		return nil, err
	}
	req := AckRequest{Note: b.Note, For: b.For, Author: b.Author}
	if req.Author == "" {
		req.Author = "api"
	}
	for _, id := range b.IDs {
		var str string
		if err := json.Unmarshal(id, &str); err == nil {
			req.IDs = append(req.IDs, str)
			continue
		}
		var n int64
		if err := json.Unmarshal(id, &n); err != nil {
			return nil, errorf(Invalid, "ids: %s is not a finding ID or fingerprint", id)
		}
		req.IDs = append(req.IDs, strconv.FormatInt(n, 10))
	}
	fs, err := s.svc.Ack(r.Context(), req)
	if err != nil {
		return nil, err
	}
	return struct {
		Acked []Finding `json:"acked"`
	}{fs}, nil
}

// SilenceList is `silence list --format json`.
type SilenceList struct {
	Silences []Silence `json:"silences"`
}

func (s *Server) silences(_ http.ResponseWriter, r *http.Request) (any, error) {
	all, _ := strconv.ParseBool(r.URL.Query().Get("all"))
	ss, err := s.svc.Silences(r.Context(), all)
	if err != nil {
		return nil, err
	}
	return SilenceList{Silences: ss}, nil
}

func (s *Server) addSilence(_ http.ResponseWriter, r *http.Request) (any, error) {
	var req SilenceRequest
	if err := decode(r, &req); err != nil {
		return nil, err
	}
	if req.Author == "" {
		req.Author = "api"
	}
	return s.svc.AddSilence(r.Context(), req)
}

func (s *Server) expireSilence(_ http.ResponseWriter, r *http.Request) (any, error) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		return nil, errorf(Invalid, "silence %q: want an ID", r.PathValue("id"))
	}
	return s.svc.ExpireSilence(r.Context(), id)
}
