package diff_test

import (
	"slices"
	"testing"

	"github.com/driftwatch/driftwatch/diff"
)

func TestParsePointer(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want []string
	}{
		{"", nil},
		{"/", []string{""}},
		{"//", []string{"", ""}},
		{"/a/b", []string{"a", "b"}},
		{"/a~1b/m~0n", []string{"a/b", "m~n"}},
		{"/~01", []string{"~1"}},
		{"/~10", []string{"/0"}},
		{"/clients/Acme Web/callbacks", []string{"clients", "Acme Web", "callbacks"}},
		{"/ключ/😀/0", []string{"ключ", "😀", "0"}},
	} {
		got, err := diff.ParsePointer(tc.in)
		if err != nil || !slices.Equal(got, tc.want) || (got == nil) != (tc.want == nil) {
			t.Errorf("ParsePointer(%q) = %q, %v; want %q", tc.in, got, err, tc.want)
		}
		if p := diff.Pointer(got); p != tc.in {
			t.Errorf("Pointer(%q) = %q, want %q", got, p, tc.in)
		}
	}
	for _, bad := range []string{"a", "a/b", "/a~", "/a~2", "/~a", "#/a"} {
		if got, err := diff.ParsePointer(bad); err == nil {
			t.Errorf("ParsePointer(%q) = %q, want an error", bad, got)
		}
	}
}

func TestPointerEscapes(t *testing.T) {
	for _, segs := range [][]string{
		{"~"}, {"/"}, {"~1"}, {"~0"}, {"a~/b"}, {"/~"}, {""}, {"", ""}, {"*"}, {"ключ", "0"},
	} {
		p := diff.Pointer(segs)
		back, err := diff.ParsePointer(p)
		if err != nil || !slices.Equal(back, segs) {
			t.Errorf("Pointer(%q) = %q, parses back as %q (%v)", segs, p, back, err)
		}
	}
	if got := diff.Pointer([]string{"a~/b", "~1"}); got != "/a~0~1b/~01" {
		t.Errorf("Pointer = %q, want /a~0~1b/~01", got)
	}
}

func TestPattern(t *testing.T) {
	p, err := diff.ParsePattern("/clients/*/callbacks")
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		segs []string
		want bool
	}{
		{[]string{"clients", "Acme Web", "callbacks"}, true},
		{[]string{"clients", "*", "callbacks"}, true},
		{[]string{"clients", "Acme Web", "web_origins"}, false},
		{[]string{"clients", "Acme Web"}, false},
		{[]string{"clients", "Acme Web", "callbacks", "0"}, false},
		{[]string{"connections", "x", "callbacks"}, false},
	} {
		if got := p.Match(tc.segs); got != tc.want {
			t.Errorf("Match(%q) = %v, want %v", tc.segs, got, tc.want)
		}
	}
	if s := p.String(); s != "/clients/*/callbacks" {
		t.Errorf("String() = %q", s)
	}
	root := diff.MustPatterns("")[0]
	if !root.Match(nil) || root.Match([]string{""}) {
		t.Error("the empty pattern must match the root only")
	}
	if _, err := diff.ParsePattern("clients/*"); err == nil {
		t.Error("ParsePattern without a leading / succeeded")
	}
	defer func() {
		if recover() == nil {
			t.Error("MustPatterns did not panic on a bad pattern")
		}
	}()
	diff.MustPatterns("/ok", "/bad~")
}

func TestGet(t *testing.T) {
	doc := mustDecode(t, []byte(`{"clients":{"Acme Web":{"callbacks":["https://a","https://b"],"n":null}},
		"a/b":{"m~n":1},"":{"":2},"list":[[0,1],[2]]}`))
	for _, tc := range []struct {
		p    string
		want string // canonical JSON
		ok   bool
	}{
		{"/clients/Acme Web/callbacks/1", `"https://b"`, true},
		{"/clients/Acme Web/n", `null`, true},
		{"/a~1b/m~0n", `1`, true},
		{"//", `2`, true},
		{"/list/1/0", `2`, true},
		{"/list/01", "", false},
		{"/list/-1", "", false},
		{"/list/2", "", false},
		{"/list/+1", "", false},
		{"/list/x", "", false},
		{"/clients/Acme Web/n/x", "", false},
		{"/clients/Acme Web/callbacks/0/x", "", false},
		{"/missing", "", false},
		{"bad", "", false},
		{"/a~2", "", false},
	} {
		got, ok := diff.Get(doc, tc.p)
		if ok != tc.ok || (ok && fmtAny(got) != tc.want) {
			t.Errorf("Get(%q) = %v, %v; want %v, %v", tc.p, got, ok, tc.want, tc.ok)
		}
	}
	if got, ok := diff.Get(doc, ""); !ok || got == nil {
		t.Errorf("Get(\"\") = %v, %v; want the document", got, ok)
	}
}

func fmtAny(v any) string {
	b, err := diff.Canonical(v, diff.Options{})
	if err != nil {
		return err.Error()
	}
	return string(b)
}
