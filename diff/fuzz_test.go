package diff_test

import (
	"bytes"
	"encoding/json"
	"testing"

	"github.com/driftwatch/driftwatch/diff"
)

// fuzzOptions are the source shapes the fuzz targets try, chosen by the
// fuzzer's mode byte: none; sets and ignores at named and wildcard paths,
// nested sets in set members; a root set with every top-level array a set.
var fuzzOptions = []diff.Options{
	{},
	{
		Sets:   diff.MustPatterns("/s", "/*/s", "/s/*/t", "/s/*/t/*/u"),
		Ignore: diff.MustPatterns("/i", "/*/i", "/s/*/i", "/a/1"),
	},
	{
		Sets:   diff.MustPatterns("", "/*", "/*/*/*"),
		Ignore: diff.MustPatterns("/*/*/i"),
	},
}

func fuzzOpt(mode uint8) diff.Options { return fuzzOptions[int(mode)%len(fuzzOptions)] }

// fuzzSeeds are inputs that once broke the package or sit on its edges.
// The first ones broke the first Apply: a root set replaced by a scalar
// (found by FuzzDiff), a set that appears or goes as a whole.
var fuzzSeeds = [][2]string{
	{`""`, `0`},
	{`{"s":[1]}`, `{}`},
	{`{"s":[[1],[2]]}`, `{"s":[[2]],"x":{"s":["b","a"]}}`},
	{`{"s":"x"}`, `{"s":["x"]}`},
	{`[[1],[1]]`, `[1,[1]]`},
	{`{"a":[1,{"i":2},3],"i":0}`, `{"a":[1,{"i":3}],"i":1}`},
	{`{"s":[{"t":[2,1,2]},{"t":[3]}]}`, `{"s":[{"t":[1,2],"i":1},{"t":[4,3]}]}`},
	{`{"a\"":1,"a!":1,"a\\":1}`, `{"a#":1,"a!":1,"a]":1,"a\u0001":1}`},
	{`{"k":"\ud800","\udfff":1}`, `{"k":"\ufffd"}`},
	{`{"n":1.0,"m":12345678901234567890}`, `{"n":1,"m":12345678901234567891}`},
	{`{"a":{}}`, `{"a":[]}`},
	{`null`, `{}`},
}

func addDiffSeeds(f *testing.F) {
	for _, s := range fuzzSeeds {
		for m := range len(fuzzOptions) {
			f.Add([]byte(s[0]), []byte(s[1]), uint8(m))
		}
	}
	for _, tc := range loadCases(f) {
		for m := range len(fuzzOptions) {
			f.Add([]byte(tc.Before), []byte(tc.After), uint8(m))
		}
	}
}

// FuzzDiff checks, on any two JSON documents: Diff(a, a) is empty, and
// Diff(a, b) applied to a (canonical or as decoded) gives b. On inputs
// that are not JSON, Diff must return, with or without an error.
func FuzzDiff(f *testing.F) {
	addDiffSeeds(f)
	f.Fuzz(func(t *testing.T, rawA, rawB []byte, mode uint8) {
		opt := fuzzOpt(mode)
		// Any bytes at all: an error or a result, never a panic or a hang.
		_, _ = diff.Diff(rawA, rawB, opt)
		va, err := diff.Decode(rawA)
		if err != nil {
			return
		}
		vb, err := diff.Decode(rawB)
		if err != nil {
			return
		}
		a, err := diff.Canonical(va, opt)
		if err != nil {
			t.Fatalf("canonical a: %v", err)
		}
		b, err := diff.Canonical(vb, opt)
		if err != nil {
			t.Fatalf("canonical b: %v", err)
		}
		if same, err := diff.Diff(a, a, opt); err != nil || len(same) != 0 {
			t.Fatalf("Diff(a, a) = %s, %v", dump(same), err)
		}
		cs, err := diff.Diff(a, b, opt)
		if err != nil {
			t.Fatalf("Diff(%s, %s): %v", a, b, err)
		}
		if bytes.Equal(a, b) != (len(cs) == 0) {
			t.Fatalf("Diff(%s, %s) = %d changes", a, b, len(cs))
		}
		for _, c := range cs {
			checkChange(t, c)
		}
		for _, from := range [][]byte{a, rawA} {
			doc := mustDecode(t, from)
			res, err := diff.Apply(doc, cs, opt)
			if err != nil {
				t.Fatalf("apply to %s: %v\n%s", from, err, dump(cs))
			}
			got, err := diff.Canonical(res, opt)
			if err != nil {
				t.Fatalf("canonical of applied: %v", err)
			}
			if !bytes.Equal(got, b) {
				t.Fatalf("apply to %s gave\n%s\nwant\n%s\nchanges:\n%s", from, got, b, dump(cs))
			}
		}
	})
}

// checkChange holds a change to the contract of `diff --format json`.
func checkChange(t *testing.T, c diff.Change) {
	t.Helper()
	if _, err := diff.ParsePointer(c.Path); err != nil {
		t.Fatalf("bad path %q: %v", c.Path, err)
	}
	switch c.Op {
	case diff.Added, diff.Removed, diff.Changed:
	default:
		t.Fatalf("bad op %q", c.Op)
	}
	if (c.Old == nil) != (c.Op == diff.Added) || (c.New == nil) != (c.Op == diff.Removed) {
		t.Fatalf("%s %s: old %q, new %q", c.Op, c.Path, c.Old, c.New)
	}
	for _, raw := range []json.RawMessage{c.Old, c.New} {
		if raw != nil && !json.Valid(raw) {
			t.Fatalf("%s %s: invalid value %q", c.Op, c.Path, raw)
		}
	}
}

// FuzzCanonical checks that Canonical accepts every decoded document,
// writes valid JSON, and is idempotent.
func FuzzCanonical(f *testing.F) {
	for _, s := range fuzzSeeds {
		for m := range len(fuzzOptions) {
			f.Add([]byte(s[0]), uint8(m))
			f.Add([]byte(s[1]), uint8(m))
		}
	}
	for _, tc := range loadCases(f) {
		f.Add([]byte(tc.Before), uint8(1))
	}
	f.Fuzz(func(t *testing.T, raw []byte, mode uint8) {
		opt := fuzzOpt(mode)
		v, err := diff.Decode(raw)
		if err != nil {
			return
		}
		once, err := diff.Canonical(v, opt)
		if err != nil {
			t.Fatalf("canonical %s: %v", raw, err)
		}
		if !json.Valid(once) {
			t.Fatalf("invalid JSON %q", once)
		}
		twice, err := diff.CanonicalJSON(once, opt)
		if err != nil || !bytes.Equal(once, twice) {
			t.Fatalf("not idempotent:\n%s\n%s (%v)", once, twice, err)
		}
	})
}
