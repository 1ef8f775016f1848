package diff_test

import (
	"bytes"
	"encoding/json"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/driftwatch/driftwatch/diff"
	"github.com/driftwatch/driftwatch/providers/providertest"
)

// testCase is one data-driven case of testdata/cases.json, in the style of
// wI2L/jsondiff's testdata: two documents, the options of their source and
// the changes expected between them.
type testCase struct {
	Name    string          `json:"name"`
	Sets    []string        `json:"sets"`
	Ignore  []string        `json:"ignore"`
	Before  json.RawMessage `json:"before"`
	After   json.RawMessage `json:"after"`
	Changes []diff.Change   `json:"changes"`
}

func loadCases(t testing.TB) []testCase {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "cases.json"))
	if err != nil {
		t.Fatal(err)
	}
	var cases []testCase
	if err := json.Unmarshal(b, &cases); err != nil {
		t.Fatalf("testdata/cases.json: %v", err)
	}
	return cases
}

func (tc testCase) options(t testing.TB) diff.Options {
	t.Helper()
	var opt diff.Options
	for _, p := range tc.Sets {
		pat, err := diff.ParsePattern(p)
		if err != nil {
			t.Fatal(err)
		}
		opt.Sets = append(opt.Sets, pat)
	}
	for _, p := range tc.Ignore {
		pat, err := diff.ParsePattern(p)
		if err != nil {
			t.Fatal(err)
		}
		opt.Ignore = append(opt.Ignore, pat)
	}
	return opt
}

func mustCanonical(t testing.TB, raw []byte, opt diff.Options) []byte {
	t.Helper()
	b, err := diff.CanonicalJSON(raw, opt)
	if err != nil {
		t.Fatalf("canonical %s: %v", raw, err)
	}
	return b
}

func mustDecode(t testing.TB, b []byte) any {
	t.Helper()
	v, err := diff.Decode(b)
	if err != nil {
		t.Fatalf("decode %s: %v", b, err)
	}
	return v
}

func TestDiffCases(t *testing.T) {
	for _, tc := range loadCases(t) {
		t.Run(tc.Name, func(t *testing.T) {
			opt := tc.options(t)
			a := mustCanonical(t, tc.Before, opt)
			b := mustCanonical(t, tc.After, opt)

			got, err := diff.Diff(a, b, opt)
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != len(tc.Changes) {
				t.Errorf("got %d changes, want %d:\n%s", len(got), len(tc.Changes), dump(got))
			}
			for i := range min(len(got), len(tc.Changes)) {
				g, w := got[i], tc.Changes[i]
				if g.Path != w.Path || g.Op != w.Op {
					t.Errorf("change %d = %s %q, want %s %q", i, g.Op, g.Path, w.Op, w.Path)
				}
				checkRaw(t, i, "old", g.Old, w.Old)
				checkRaw(t, i, "new", g.New, w.New)
			}

			if same, err := diff.Diff(a, a, opt); err != nil || len(same) != 0 {
				t.Errorf("Diff(a, a) = %s, %v; want none", dump(same), err)
			}
			checkApply(t, "forward, on canonical a", a, a, b, got, opt)
			// Apply also works on the document as the provider built it.
			checkApply(t, "forward, on raw a", tc.Before, a, b, got, opt)
			back, err := diff.Diff(b, a, opt)
			if err != nil {
				t.Fatal(err)
			}
			if len(back) != len(got) {
				t.Errorf("Diff(b, a) has %d changes, Diff(a, b) %d", len(back), len(got))
			}
			checkApply(t, "backward", b, b, a, back, opt)
		})
	}
}

// checkRaw compares a change's raw value with the expected one written in
// the case file: absent stays absent, and values compare canonically.
func checkRaw(t *testing.T, i int, field string, got, want json.RawMessage) {
	t.Helper()
	if want == nil {
		if got != nil {
			t.Errorf("change %d: %s = %s, want absent", i, field, got)
		}
		return
	}
	if w := mustCanonical(t, want, diff.Options{}); !bytes.Equal(got, w) {
		t.Errorf("change %d: %s = %s, want %s", i, field, got, w)
	}
}

// checkApply applies changes to the decoded doc and compares the result,
// canonicalised, with want. from is the canonical form of doc.
func checkApply(t *testing.T, what string, doc, from, want []byte, changes []diff.Change, opt diff.Options) {
	t.Helper()
	res, err := diff.Apply(mustDecode(t, doc), changes, opt)
	if err != nil {
		t.Errorf("%s: apply: %v", what, err)
		return
	}
	got, err := diff.Canonical(res, opt)
	if err != nil {
		t.Fatalf("%s: canonical: %v", what, err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s: apply to %s gave\n%s\nwant\n%s", what, from, got, want)
	}
}

func dump(cs []diff.Change) string {
	var b strings.Builder
	for _, c := range cs {
		j, _ := json.Marshal(c)
		b.Write(j)
		b.WriteByte('\n')
	}
	return b.String()
}

// TestChangeJSON pins the shape `diff --format json` prints: old absent
// for added, new absent for removed, a JSON null kept as a value.
func TestChangeJSON(t *testing.T) {
	a := mustCanonical(t, []byte(`{"gone":1,"same":0,"was":null,"s":["x"]}`), diff.Options{})
	b := mustCanonical(t, []byte(`{"new":null,"same":0,"was":"v","s":["y"]}`), diff.Options{Sets: diff.MustPatterns("/s")})
	cs, err := diff.Diff(a, b, diff.Options{Sets: diff.MustPatterns("/s")})
	if err != nil {
		t.Fatal(err)
	}
	var got []map[string]any
	j, _ := json.Marshal(cs)
	if err := json.Unmarshal(j, &got); err != nil {
		t.Fatal(err)
	}
	want := []map[string]any{
		{"path": "/gone", "op": "removed", "old": 1.0},
		{"path": "/new", "op": "added", "new": nil},
		{"path": "/s", "op": "removed", "old": "x"},
		{"path": "/s", "op": "added", "new": "y"},
		{"path": "/was", "op": "changed", "old": nil, "new": "v"},
	}
	if len(got) != len(want) {
		t.Fatalf("got %s", j)
	}
	for i := range want {
		if len(got[i]) != len(want[i]) {
			t.Errorf("change %d has fields %v, want %v", i, got[i], want[i])
		}
		for k, v := range want[i] {
			if g, ok := got[i][k]; !ok || g != v {
				t.Errorf("change %d: %s = %v (present %v), want %v", i, k, g, ok, v)
			}
		}
	}
}

// TestDiffRecordedClient diffs real recorded GETs of one Auth0 client
// across two updates, keyed and with the auth0 set arrays.
func TestDiffRecordedClient(t *testing.T) {
	snap := func(file string) []byte {
		client := mustDecode(t, providertest.MustRead("auth0/"+file))
		doc := map[string]any{"clients": map[string]any{"Acme Web": client}}
		b, err := diff.Canonical(doc, diff.Options{Sets: auth0Sets})
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	v0 := snap("client_drift_0_initial.terraform.json")
	v1 := snap("client_drift_1_after_update.terraform.json")
	v2 := snap("client_drift_2_after_update.terraform.json")
	opt := diff.Options{Sets: auth0Sets}

	has := func(cs []diff.Change, path string, op diff.Op, val string) bool {
		for _, c := range cs {
			raw := c.New
			if op == diff.Removed {
				raw = c.Old
			}
			if c.Path == path && c.Op == op && string(raw) == val {
				return true
			}
		}
		return false
	}
	const grants = "/clients/Acme Web/grant_types"
	c01, err := diff.Diff(v0, v1, opt)
	if err != nil {
		t.Fatal(err)
	}
	// Grant types were reordered and edited: only the edits show.
	for _, w := range []struct {
		op  diff.Op
		val string
	}{
		{diff.Removed, `"client_credentials"`},
		{diff.Added, `"http://auth0.com/oauth/grant-type/password-realm"`},
		{diff.Added, `"password"`},
	} {
		if !has(c01, grants, w.op, w.val) {
			t.Errorf("v0→v1: missing %s %s %s", grants, w.op, w.val)
		}
	}
	n := 0
	for _, c := range c01 {
		if c.Path == grants {
			n++
		}
	}
	if n != 3 {
		t.Errorf("v0→v1: %d grant_types changes, want 3:\n%s", n, dump(c01))
	}
	if !has(c01, "/clients/Acme Web/oidc_conformant", diff.Changed, "true") {
		t.Errorf("v0→v1: oidc_conformant change missing:\n%s", dump(c01))
	}

	c12, err := diff.Diff(v1, v2, opt)
	if err != nil {
		t.Fatal(err)
	}
	if !has(c12, "/clients/Acme Web/callbacks", diff.Removed, `"https://example.com/callback"`) {
		t.Errorf("v1→v2: callback removal missing:\n%s", dump(c12))
	}
	if !has(c12, "/clients/Acme Web/client_metadata/foo", diff.Removed, `"zoo"`) {
		t.Errorf("v1→v2: client_metadata/foo removal missing:\n%s", dump(c12))
	}
	if !has(c12, "/clients/Acme Web/initiate_login_uri", diff.Removed, `"https://example.com/login"`) {
		t.Errorf("v1→v2: initiate_login_uri removal missing:\n%s", dump(c12))
	}
	for _, pair := range [][2][]byte{{v0, v1}, {v1, v2}, {v2, v0}} {
		cs, err := diff.Diff(pair[0], pair[1], opt)
		if err != nil {
			t.Fatal(err)
		}
		checkApply(t, "recorded client", pair[0], pair[0], pair[1], cs, opt)
	}
}

func TestDiffMalformed(t *testing.T) {
	for _, tc := range []struct{ a, b string }{
		{`{"a":1}`, `{"a":2`},
		{`{"a":1}`, `{"a" 2}`},
		{`{"a":1}`, `{"a":}`},
		{`{"a":1}`, `{a:1}`},
		{`[1,2]`, `[1,2,`},
		{`[1]`, `[1 2]`},
		{`{"a":"x"}`, `{"a":"x}`},
		{``, `1`},
		{`{"a":1}`, `{"a":1,}`},
	} {
		if cs, err := diff.Diff([]byte(tc.a), []byte(tc.b), diff.Options{}); err == nil {
			t.Errorf("Diff(%s, %s) = %s, want an error", tc.a, tc.b, dump(cs))
		}
	}
}

func TestApplyErrors(t *testing.T) {
	doc := func() any { return mustDecode(t, []byte(`{"a":{"b":[1,2]},"s":"x"}`)) }
	for _, c := range []diff.Change{
		{Path: "/missing/b", Op: diff.Added, New: json.RawMessage(`1`)},
		{Path: "/a/b/5", Op: diff.Added, New: json.RawMessage(`1`)},
		{Path: "/a/b/x", Op: diff.Changed, Old: json.RawMessage(`1`), New: json.RawMessage(`2`)},
		{Path: "/a/b/0", Op: diff.Removed, Old: json.RawMessage(`1`)},
		{Path: "/s/k", Op: diff.Added, New: json.RawMessage(`1`)},
		{Path: "a", Op: diff.Added, New: json.RawMessage(`1`)},
		{Path: "/a/c", Op: diff.Added, New: json.RawMessage(`{`)},
	} {
		if _, err := diff.Apply(doc(), []diff.Change{c}, diff.Options{}); err == nil {
			t.Errorf("Apply(%s %s) succeeded, want an error", c.Op, c.Path)
		}
	}
	// A member that is not in the set, and is not the set itself.
	sets := diff.Options{Sets: diff.MustPatterns("/a/b")}
	c := diff.Change{Path: "/a/b", Op: diff.Removed, Old: json.RawMessage(`3`)}
	if _, err := diff.Apply(doc(), []diff.Change{c}, sets); err == nil {
		t.Error("Apply removed a member not in the set")
	}
}

// TestDiffTenant diffs two versions of a generated tenant of 300 clients
// (about 0.5 MB, large enough that equal stretches are skipped in several
// rounds): exactly the edits show, and applying them gives the new one.
func TestDiffTenant(t *testing.T) {
	const n = 300
	r := rand.New(rand.NewPCG(3, 4))
	opt := diff.Options{Sets: auth0Sets}
	a, err := diff.Canonical(genTenant(r, n), opt)
	if err != nil {
		t.Fatal(err)
	}
	doc := mustDecode(t, a)
	before := mustDecode(t, a)
	editTenant(r, doc.(map[string]any), n)
	b, err := diff.Canonical(doc, opt)
	if err != nil {
		t.Fatal(err)
	}
	cs, err := diff.Diff(a, b, opt)
	if err != nil {
		t.Fatal(err)
	}
	e := editsFor(n)
	get := func(p string) string { v, _ := diff.Get(before, p); return fmtAny(v) }
	lostCallback := "/clients/" + e.lostCallback + "/callbacks"
	lostGrant := "/clients/" + e.lostGrant + "/grant_types"
	want := map[string]string{
		"removed " + lostCallback:       get(lostCallback + "/0"),
		"added /clients/" + e.newClient: "",
		"changed /clients/" + e.shorterJWT + "/jwt_configuration/lifetime_in_seconds": "60",
		"removed " + lostGrant:                             get(lostGrant + "/" + strconv.Itoa(len(mustGet(t, before, lostGrant).([]any))-1)),
		"added /connections/google-oauth2/enabled_clients": strconv.Quote(e.newClient),
	}
	if len(cs) != len(want) {
		t.Errorf("got %d changes, want %d:\n%s", len(cs), len(want), dump(cs))
	}
	for i, c := range cs {
		w, ok := want[string(c.Op)+" "+c.Path]
		if !ok {
			t.Errorf("unexpected change %s %s", c.Op, c.Path)
			continue
		}
		val := c.New
		if c.Op == diff.Removed {
			val = c.Old
		}
		if w != "" && string(val) != w {
			t.Errorf("%s %s: value %s, want %s", c.Op, c.Path, val, w)
		}
		if i > 0 && cs[i-1].Path > c.Path {
			t.Errorf("changes out of document order: %s after %s", c.Path, cs[i-1].Path)
		}
	}
	checkApply(t, "tenant", a, a, b, cs, opt)
	if same, err := diff.Diff(b, b, opt); err != nil || len(same) != 0 {
		t.Errorf("Diff(b, b) = %d changes, %v", len(same), err)
	}
}

func mustGet(t *testing.T, doc any, p string) any {
	t.Helper()
	v, ok := diff.Get(doc, p)
	if !ok {
		t.Fatalf("%s not found", p)
	}
	return v
}
