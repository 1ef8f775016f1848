package diff_test

import (
	"bytes"
	"encoding/json"
	"io/fs"
	"math"
	"strings"
	"testing"

	"github.com/driftwatch/driftwatch/diff"
	"github.com/driftwatch/driftwatch/providers/providertest"
)

func TestCanonical(t *testing.T) {
	sets := diff.MustPatterns("/s", "/s/*/t")
	for _, tc := range []struct {
		name string
		in   any
		opt  diff.Options
		want string
	}{
		{"keys sorted at every level",
			map[string]any{"b": 1, "a": map[string]any{"d": 2, "c": []any{map[string]any{"z": nil, "y": true}}}},
			diff.Options{}, `{"a":{"c":[{"y":true,"z":null}],"d":2},"b":1}`},
		{"keys sorted by bytes",
			map[string]any{"é": 1, "z": 2, "Z": 3, "": 4, "a b": 5},
			diff.Options{}, `{"":4,"Z":3,"a b":5,"z":2,"é":1}`},
		{"numbers as written",
			[]any{json.Number("1.0"), json.Number("12345678901234567890"), json.Number("-0"), json.Number("1E+2")},
			diff.Options{}, `[1.0,12345678901234567890,-0,1E+2]`},
		{"Go scalars",
			[]any{1, int64(-2), int32(3), uint64(4), 1.5, float32(0.25), true, nil, "x"},
			diff.Options{}, `[1,-2,3,4,1.5,0.25,true,null,"x"]`},
		{"Go containers",
			map[string]any{"m": map[string]string{"b": "2", "a": "1"}, "l": []string{"y", "x"}},
			diff.Options{}, `{"l":["y","x"],"m":{"a":"1","b":"2"}}`},
		{"raw JSON is decoded and canonicalised",
			json.RawMessage(`{"z": 1, "a": [1.0, {"k": "v", "b": null}]}`),
			diff.Options{}, `{"a":[1.0,{"b":null,"k":"v"}],"z":1}`},
		{"structs go through encoding/json",
			struct {
				B string `json:"b"`
				A int    `json:"a"`
			}{"x", 1},
			diff.Options{}, `{"a":1,"b":"x"}`},
		{"set sorted and deduplicated",
			map[string]any{"s": []any{"b", "a", "b", json.Number("1"), nil}, "p": []any{"b", "a", "b"}},
			diff.Options{Sets: sets}, `{"p":["b","a","b"],"s":["a","b",1,null]}`},
		{"set of objects compared canonically",
			map[string]any{"s": []any{
				map[string]any{"t": []any{"2", "1"}, "k": 1},
				map[string]any{"k": 1, "t": []any{"1", "2", "1"}},
				map[string]any{"k": 0}}},
			diff.Options{Sets: sets}, `{"s":[{"k":0},{"k":1,"t":["1","2"]}]}`},
		{"set given as []string",
			map[string]any{"s": []string{"b", "a", "a"}},
			diff.Options{Sets: sets}, `{"s":["a","b"]}`},
		{"empty set",
			map[string]any{"s": []any{}},
			diff.Options{Sets: sets}, `{"s":[]}`},
		{"ignore removes keys at any wildcard",
			map[string]any{"a": map[string]any{"x": 1, "t": 2}, "b": map[string]any{"t": 3}, "t": 4},
			diff.Options{Ignore: diff.MustPatterns("/*/t")}, `{"a":{"x":1},"b":{},"t":4}`},
		{"ignored array element keeps its place",
			map[string]any{"a": []any{1, 2, 3}},
			diff.Options{Ignore: diff.MustPatterns("/a/1")}, `{"a":[1,null,3]}`},
		{"ignore inside set members",
			map[string]any{"s": []any{map[string]any{"id": 1, "at": 1}, map[string]any{"id": 1, "at": 2}}},
			diff.Options{Sets: sets, Ignore: diff.MustPatterns("/s/*/at")}, `{"s":[{"id":1}]}`},
		{"strings escape only what JSON requires",
			"q\" b\\ \n\r\t\x01\x1f <>& \u2028 é 😀 \x7f",
			diff.Options{}, `"q\" b\\ \n\r\t\u0001\u001f <>& ` + "\u2028 é 😀 \x7f" + `"`},
		{"invalid UTF-8 in a string becomes U+FFFD",
			"a\xffb\xc3",
			diff.Options{}, "\"a\ufffdb\ufffd\""},
		{"invalid UTF-8 in a key becomes U+FFFD",
			map[string]any{"k\xff": 1},
			diff.Options{}, "{\"k\ufffd\":1}"},
		{"repaired keys sort as written",
			map[string]any{"\xff": 1, "\uFFFE": 2, "z": 3},
			diff.Options{}, "{\"z\":3,\"\ufffd\":1,\"\ufffe\":2}"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := diff.Canonical(tc.in, tc.opt)
			if err != nil {
				t.Fatal(err)
			}
			if string(got) != tc.want {
				t.Errorf("got  %s\nwant %s", got, tc.want)
			}
			again, err := diff.CanonicalJSON(got, tc.opt)
			if err != nil || !bytes.Equal(again, got) {
				t.Errorf("not idempotent: %s, %v", again, err)
			}
		})
	}
}

// TestCanonicalRepairedKeyCollision: two keys that differ only in invalid
// bytes write the same key; one of them is kept, the same one every time
// whatever the map's iteration order.
func TestCanonicalRepairedKeyCollision(t *testing.T) {
	m := map[string]any{"k\xfe": 1, "k\xff": 2, "a": 0, "k\xfd": 3, "k\ufffd": 4}
	first, err := diff.Canonical(m, diff.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if n := bytes.Count(first, []byte("\"k\ufffd\"")); n != 1 || !json.Valid(first) {
		t.Fatalf("%s: key written %d times", first, n)
	}
	for range 20 {
		got, err := diff.Canonical(m, diff.Options{})
		if err != nil || !bytes.Equal(got, first) {
			t.Fatalf("got %s then %s (%v)", first, got, err)
		}
	}
}

func TestCanonicalRejects(t *testing.T) {
	for _, tc := range []struct {
		name string
		in   any
		path string // named in the error
	}{
		{"NaN", map[string]any{"x": []any{math.NaN()}}, "/x/0"},
		{"+Inf", map[string]any{"x": math.Inf(1)}, "/x"},
		{"float32 -Inf", map[string]any{"a~b": float32(math.Inf(-1))}, "/a~0b"},
		{"number NaN", map[string]any{"n": json.Number("NaN")}, "/n"},
		{"empty number", map[string]any{"n": json.Number("")}, "/n"},
		{"number with a space", map[string]any{"n": json.Number(" 1")}, "/n"},
		{"number with trailing space", map[string]any{"n": json.Number("1 ")}, "/n"},
		{"leading zero", map[string]any{"n": json.Number("01")}, "/n"},
		{"no digits after dot", map[string]any{"n": json.Number("1.")}, "/n"},
		{"no exponent digits", map[string]any{"n": json.Number("1e+")}, "/n"},
		{"leading dot", map[string]any{"n": json.Number(".5")}, "/n"},
		{"plus sign", map[string]any{"n": json.Number("+1")}, "/n"},
		{"string in a number", map[string]any{"n": json.Number(`"1"`)}, "/n"},
		{"literal in a number", map[string]any{"n": json.Number("true")}, "/n"},
		{"two numbers", map[string]any{"n": json.Number("1,2")}, "/n"},
		{"bad raw JSON", map[string]any{"r": json.RawMessage(`{"a":`)}, "/r"},
		{"unsupported type", map[string]any{"c": make(chan int)}, "/c"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := diff.Canonical(tc.in, diff.Options{})
			if err == nil {
				t.Fatalf("got %s, want an error", got)
			}
			if !strings.Contains(err.Error(), tc.path) {
				t.Errorf("error %q does not name %s", err, tc.path)
			}
		})
	}
}

func TestDecode(t *testing.T) {
	v, err := diff.Decode([]byte(" {\"n\": [1.0, 12345678901234567890], \"s\": \"x\"} \n"))
	if err != nil {
		t.Fatal(err)
	}
	n := v.(map[string]any)["n"].([]any)
	if n[0] != json.Number("1.0") || n[1] != json.Number("12345678901234567890") {
		t.Errorf("numbers = %#v, want exact json.Number", n)
	}
	for _, bad := range []string{`{} {}`, `[1] x`, `{"a":1}}`, `{`, ``, `nul`} {
		if v, err := diff.Decode([]byte(bad)); err == nil {
			t.Errorf("Decode(%q) = %v, want an error", bad, v)
		}
	}
}

// TestCanonicalIdempotent: writing a canonical document again changes
// nothing, for every document of the cases and every recorded Auth0
// response.
func TestCanonicalIdempotent(t *testing.T) {
	check := func(name string, raw []byte, opt diff.Options) {
		t.Helper()
		once, err := diff.CanonicalJSON(raw, opt)
		if err != nil {
			t.Errorf("%s: %v", name, err)
			return
		}
		if !json.Valid(once) {
			t.Errorf("%s: invalid JSON %s", name, once)
		}
		twice, err := diff.CanonicalJSON(once, opt)
		if err != nil || !bytes.Equal(once, twice) {
			t.Errorf("%s: second pass gave %s (%v)\nfirst %s", name, twice, err, once)
		}
	}
	for _, tc := range loadCases(t) {
		check(tc.Name+" before", tc.Before, tc.options(t))
		check(tc.Name+" after", tc.After, tc.options(t))
	}
	files, err := fs.Glob(providertest.Corpus, "corpus/auth0/*.json")
	if err != nil || len(files) == 0 {
		t.Fatalf("corpus: %d files, %v", len(files), err)
	}
	opt := diff.Options{Sets: diff.MustPatterns("/callbacks", "/grant_types", "/web_origins",
		"/clients/*/callbacks", "/connections/*/enabled_clients")}
	for _, f := range files {
		raw, err := fs.ReadFile(providertest.Corpus, f)
		if err != nil {
			t.Fatal(err)
		}
		check(f, raw, opt)
	}
}

func TestAppendString(t *testing.T) {
	for _, s := range []string{"", "plain", "\"\\/", "\x00\x1f\x7f", "<script>&amp;", "\u2028\u2029",
		"ключ 😀 é", "tab\there", strings.Repeat("long ", 100)} {
		b := diff.AppendString([]byte("prefix:"), s)
		if !bytes.HasPrefix(b, []byte("prefix:")) {
			t.Fatalf("%q: prefix lost: %s", s, b)
		}
		var back string
		if err := json.Unmarshal(b[len("prefix:"):], &back); err != nil || back != s {
			t.Errorf("%q: wrote %s, reads back %q (%v)", s, b, back, err)
		}
	}
	if got := string(diff.AppendString(nil, "a/b<c>&")); got != `"a/b<c>&"` {
		t.Errorf("needless escapes: %s", got)
	}
}
