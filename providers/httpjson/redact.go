package httpjson

import (
	"strconv"

	"github.com/driftwatch/driftwatch/diff"
	"github.com/driftwatch/driftwatch/redact"
)

// secure applies the shared secret policy to a response document, then
// replaces, whatever their type, the values at the source's redact
// pointers: what a user knows is secret though nothing in its name or
// value says so.
func secure(doc any, pointers []diff.Pattern) any {
	doc = redact.Value(doc)
	if len(pointers) == 0 {
		return doc
	}
	return at(doc, nil, pointers)
}

func at(v any, segs []string, ps []diff.Pattern) any {
	for _, p := range ps {
		if p.Match(segs) {
			if v == nil {
				return nil
			}
			return redact.Marker
		}
	}
	switch x := v.(type) {
	case map[string]any:
		for k, val := range x {
			x[k] = at(val, append(segs, k), ps)
		}
	case []any:
		for i, e := range x {
			x[i] = at(e, append(segs, strconv.Itoa(i)), ps)
		}
	}
	return v
}
