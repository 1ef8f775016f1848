package providertest

import (
	"fmt"
	"net/http"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"
)

// Auth0LogsPath is the tenant log endpoint.
const Auth0LogsPath = "/api/v2/logs"

// The shapes below follow real log events: a Dashboard change carries the
// admin under details.request.auth.user and the channel
// https://manage.auth0.com/; a Management API client's change carries the
// client; depnote events name the feature and the client that used it.

// SAPIEvent is an admin change made in the Dashboard by a person.
func SAPIEvent(at time.Time, email, method, path, description string) map[string]any {
	return map[string]any{
		"date": at.UTC().Format("2006-01-02T15:04:05.000Z"), "type": "sapi", "description": description,
		"client_id": "1HXWWGKk1Zj3JF8GvMrnCSirccDs4qvr", "client_name": "", "ip": "12.12.12.12",
		"user_id": "google-oauth2|105261262156475850461",
		"details": map[string]any{
			"request": map[string]any{
				"auth": map[string]any{
					"credentials": map[string]any{"jti": "949869e066205b5076e6df203fdd7b9b"},
					"strategy":    "jwt",
					"user":        map[string]any{"email": email, "name": email, "user_id": "google-oauth2|20839745023748560278"},
				},
				"channel": "https://manage.auth0.com/", "ip": "12.12.12.12",
				"method": strings.ToLower(method), "path": path, "query": map[string]any{},
			},
			"response": map[string]any{"statusCode": 200},
		},
	}
}

// SAPIClientEvent is a change made through the Management API by a
// machine-to-machine client (Terraform, the Deploy CLI).
func SAPIClientEvent(at time.Time, clientID, clientName, method, path, description string) map[string]any {
	return map[string]any{
		"date": at.UTC().Format("2006-01-02T15:04:05.000Z"), "type": "sapi", "description": description,
		"client_id": clientID, "client_name": clientName, "ip": "52.255.188.22",
		"user_agent": "deploy-cli/7.12.1 (node.js/16.15.0)",
		"details": map[string]any{
			"request": map[string]any{
				"auth":   map[string]any{"credentials": map[string]any{"jti": "5d1a6d2ac2b3f1c5e7a9b0c4d6e8f012"}, "strategy": "jwt"},
				"method": strings.ToLower(method), "path": path, "query": map[string]any{},
				"userAgent": "deploy-cli/7.12.1 (node.js/16.15.0)",
			},
			"response": map[string]any{"statusCode": 200},
		},
	}
}

// DepnoteEvent is a deprecation notice: the tenant used a deprecated
// feature through a client (logged once an hour per use).
func DepnoteEvent(at time.Time, clientID, clientName, feature string) map[string]any {
	return map[string]any{
		"date": at.UTC().Format("2006-01-02T15:04:05.000Z"), "type": "depnote",
		"description": feature + ": This feature is being deprecated. Please see details.feature of this log for more information.",
		"client_id":   clientID, "client_name": clientName, "ip": "35.167.74.121",
		"details": map[string]any{"feature": map[string]any{"id": strings.ToLower(strings.ReplaceAll(feature, " ", "_")), "name": feature}},
	}
}

// SuccessLoginEvent is an ordinary login, the bulk of a real log.
func SuccessLoginEvent(at time.Time, clientID, clientName string) map[string]any {
	return map[string]any{
		"date": at.UTC().Format("2006-01-02T15:04:05.000Z"), "type": "s", "description": "",
		"client_id": clientID, "client_name": clientName, "connection": "Username-Password-Authentication",
		"ip": "203.0.113.7", "user_name": "user@example.com",
	}
}

// AddLog appends an event with the next log id (ids grow like Auth0's:
// fixed-width digits, ordered).
func (t *Auth0Tenant) AddLog(e map[string]any) {
	e["log_id"] = fmt.Sprintf("900%s%032d", "20261203", len(t.Logs)+1)
	t.Logs = append(t.Logs, e)
}

var logTypesQuery = regexp.MustCompile(`^type:\(?([a-z_]+(?: OR [a-z_]+)*)\)?$`)

// logs serves GET /api/v2/logs: by checkpoint (from, take; every other
// parameter ignored, oldest first) or by search (q with type:, sort,
// page, per_page; newest first when sorted date:-1).
func (a *Auth0) logs(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	all := a.tenant.Logs
	if from := q.Get("from"); from != "" || q.Has("take") {
		take := 50
		if s := q.Get("take"); s != "" {
			n, err := strconv.Atoi(s)
			if err != nil || n < 1 || n > 100 {
				auth0APIError(w, http.StatusBadRequest, "Query validation error: 'take' must be between 1 and 100", "invalid_query_string")
				return
			}
			take = n
		}
		out := []map[string]any{}
		for _, e := range all {
			if id, _ := e["log_id"].(string); id > from && len(out) < take {
				out = append(out, e)
			}
		}
		auth0WriteJSON(w, http.StatusOK, out)
		return
	}
	types := map[string]bool{}
	if m := logTypesQuery.FindStringSubmatch(q.Get("q")); m != nil {
		for _, t := range strings.Split(m[1], " OR ") {
			types[t] = true
		}
	} else if q.Get("q") != "" {
		auth0APIError(w, http.StatusBadRequest, "Query validation error: unsupported q in this simulation", "invalid_query_string")
		return
	}
	var sel []map[string]any
	for _, e := range all {
		if t, _ := e["type"].(string); len(types) == 0 || types[t] {
			sel = append(sel, e)
		}
	}
	if q.Get("sort") == "date:-1" {
		sort.SliceStable(sel, func(i, j int) bool { return sel[i]["date"].(string) > sel[j]["date"].(string) })
	}
	perPage, page := 50, 0
	if n, err := strconv.Atoi(q.Get("per_page")); err == nil && n > 0 && n <= 100 {
		perPage = n
	}
	if n, err := strconv.Atoi(q.Get("page")); err == nil && n >= 0 {
		page = n
	}
	out := []map[string]any{}
	for i := page * perPage; i < len(sel) && i < (page+1)*perPage; i++ {
		out = append(out, sel[i])
	}
	auth0WriteJSON(w, http.StatusOK, out)
}
