package providertest

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
)

// offsetPage serves page/per_page paging: with include_totals=true the
// recorded envelope of each endpoint, else a bare array.
func (a *Auth0) offsetPage(w http.ResponseWriter, r *http.Request, key string, items []map[string]any) {
	q := r.URL.Query()
	perPage, page := 50, 0
	var err error
	if v := q.Get("per_page"); v != "" {
		if perPage, err = strconv.Atoi(v); err != nil || perPage < 1 || perPage > 100 {
			auth0APIError(w, http.StatusBadRequest, "Query validation error: 'per_page' must be between 1 and 100", "invalid_query_string")
			return
		}
	}
	if v := q.Get("page"); v != "" {
		if page, err = strconv.Atoi(v); err != nil || page < 0 {
			auth0APIError(w, http.StatusBadRequest, "Query validation error: 'page' must be 0 or more", "invalid_query_string")
			return
		}
	}
	start := min(page*perPage, len(items))
	end := min(start+perPage, len(items))
	body := items[start:end]
	if body == nil {
		body = []map[string]any{} // an empty list, never null
	}
	if q.Get("include_totals") != "true" {
		auth0WriteJSON(w, http.StatusOK, body)
		return
	}
	var env map[string]any
	switch key {
	case "clients":
		// Recorded: length is 0 although clients came back.
		env = map[string]any{"start": start, "limit": perPage, "length": 0, "total": len(items), "next": ""}
	case "actions", "bindings":
		// Recorded: {total, per_page, page, actions} and {bindings, total,
		// per_page}.
		env = map[string]any{"total": len(items), "per_page": perPage, "page": page}
	default:
		env = map[string]any{"total": len(items), "start": start, "limit": perPage}
	}
	env[key] = body
	auth0WriteJSON(w, http.StatusOK, env)
}

// connections serves checkpoint paging (take, then from=<next>) and, for
// old clients, offset paging capped at the first 1000 records.
func (a *Auth0) connections(w http.ResponseWriter, r *http.Request) {
	t := a.tenant
	items := t.Connections
	if t.OmitConnectionOptions {
		items = make([]map[string]any, len(t.Connections))
		for i, c := range t.Connections {
			m := make(map[string]any, len(c))
			for k, v := range c {
				if k != "options" {
					m[k] = v
				}
			}
			items[i] = m
		}
	}
	q := r.URL.Query()
	if !q.Has("take") && !q.Has("from") {
		p, _ := strconv.Atoi(q.Get("page"))
		per, err := strconv.Atoi(q.Get("per_page"))
		if err != nil || per < 1 {
			per = 50
		}
		if p*per >= 1000 {
			auth0APIError(w, http.StatusBadRequest, "Offset pagination is limited to the first 1000 records; use checkpoint pagination (from, take)", "invalid_paging")
			return
		}
		a.offsetPage(w, r, "connections", items)
		return
	}
	take := 50
	if v := q.Get("take"); v != "" {
		var err error
		if take, err = strconv.Atoi(v); err != nil || take < 1 || take > 100 {
			auth0APIError(w, http.StatusBadRequest, "Query validation error: 'take' must be between 1 and 100", "invalid_query_string")
			return
		}
	}
	off, ok := auth0DecodeCheckpoint(q.Get("from"))
	if !ok || off > len(items) {
		auth0APIError(w, http.StatusBadRequest, "Invalid 'from' checkpoint", "invalid_query_string")
		return
	}
	end := min(off+take, len(items))
	env := map[string]any{"connections": items[off:end]}
	if end < len(items) {
		env["next"] = auth0EncodeCheckpoint(end)
	}
	auth0WriteJSON(w, http.StatusOK, env)
}

func auth0EncodeCheckpoint(off int) string {
	return base64.RawURLEncoding.EncodeToString(fmt.Appendf(nil, "sim-checkpoint,%d", off))
}

func auth0DecodeCheckpoint(s string) (int, bool) {
	if s == "" {
		return 0, true
	}
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		return 0, false
	}
	n, err := strconv.Atoi(strings.TrimPrefix(string(b), "sim-checkpoint,"))
	return n, err == nil && n >= 0
}

// auth0APIError writes the Management API's error object.
func auth0APIError(w http.ResponseWriter, status int, message, code string) {
	body := map[string]any{"statusCode": status, "error": http.StatusText(status), "message": message}
	if code != "" {
		body["errorCode"] = code
	}
	auth0WriteJSON(w, status, body)
}

func auth0WriteJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		status, b = http.StatusInternalServerError, []byte(`{"statusCode":500,"error":"Internal Server Error"}`)
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_, _ = w.Write(b)
}
