package diff

import (
	"bytes"
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Options say how a source's documents are shaped.
type Options struct {
	// Sets are arrays whose order carries no meaning: stored sorted and
	// without duplicates, and compared member by member.
	Sets []Pattern
	// Ignore are paths removed before hashing and diffing.
	Ignore []Pattern
}

// Decode parses one JSON document, keeping numbers exact (json.Number).
// Trailing data after the document is an error.
func Decode(b []byte) (any, error) {
	d := json.NewDecoder(bytes.NewReader(b))
	d.UseNumber()
	var v any
	if err := d.Decode(&v); err != nil {
		return nil, err
	}
	if _, err := d.Token(); err != io.EOF {
		return nil, errors.New("invalid JSON: data after the document")
	}
	return v, nil
}

// Canonical encodes a decoded document canonically: object keys sorted,
// set arrays sorted and deduplicated, ignored paths removed, no
// insignificant whitespace, numbers as written, invalid UTF-8 (in keys
// too) as U+FFFD. Equal content gives equal bytes, so the bytes can be
// hashed and diffed. Inside a set, patterns name members with "*". A
// NaN, an infinity or a json.Number that is not one JSON number is an
// error naming its path.
func Canonical(v any, opt Options) ([]byte, error) {
	return canonicalAt(v, opt, nil)
}

// canonicalAt encodes v as the value found at path of a document, so that
// the patterns of opt apply as they would in the whole document.
func canonicalAt(v any, opt Options, path []string) ([]byte, error) {
	e := encoder{opt: opt, buf: make([]byte, 0, 1024), path: slices.Clip(path)}
	if err := e.value(v); err != nil {
		return nil, err
	}
	return e.buf, nil
}

// CanonicalJSON decodes b and encodes it canonically.
func CanonicalJSON(b []byte, opt Options) ([]byte, error) {
	v, err := Decode(b)
	if err != nil {
		return nil, err
	}
	return Canonical(v, opt)
}

type encoder struct {
	opt  Options
	buf  []byte
	path []string
	// fields holds the keys of the objects being written, innermost
	// last, and spans the members of the sets being written: stacks
	// reused across the document instead of a slice per container.
	fields []field
	spans  []span
	// scratch holds one set's members while they are written back in
	// order.
	scratch []byte
	// index caches the path segments of array indices.
	index []string
}

// field is one member of an object.
type field struct {
	key string
	val any
}

// span is where one set member was written, relative to the set's start.
type span struct{ from, to int }

func (e *encoder) value(v any) error {
	switch x := v.(type) {
	case nil:
		e.buf = append(e.buf, "null"...)
	case bool:
		e.buf = strconv.AppendBool(e.buf, x)
	case string:
		e.buf = AppendString(e.buf, x)
	case json.Number:
		if !validNumber(string(x)) {
			return fmt.Errorf("canonical: invalid number %q at %s", string(x), Pointer(e.path))
		}
		e.buf = append(e.buf, x...)
	case float64:
		return e.float(x)
	case float32:
		return e.float(float64(x))
	case int:
		e.buf = strconv.AppendInt(e.buf, int64(x), 10)
	case int64:
		e.buf = strconv.AppendInt(e.buf, x, 10)
	case int32:
		e.buf = strconv.AppendInt(e.buf, int64(x), 10)
	case uint64:
		e.buf = strconv.AppendUint(e.buf, x, 10)
	case map[string]any:
		return e.object(x)
	case map[string]string:
		m := make(map[string]any, len(x))
		for k, s := range x {
			m[k] = s
		}
		return e.object(m)
	case []any:
		return e.array(len(x), func(i int) any { return x[i] })
	case []string:
		return e.array(len(x), func(i int) any { return x[i] })
	case json.RawMessage:
		d, err := Decode(x)
		if err != nil {
			return fmt.Errorf("canonical: %s: %w", Pointer(e.path), err)
		}
		return e.value(d)
	default:
		b, err := json.Marshal(x)
		if err != nil {
			return fmt.Errorf("canonical: %s: %w", Pointer(e.path), err)
		}
		d, err := Decode(b)
		if err != nil {
			return err
		}
		return e.value(d)
	}
	return nil
}

func (e *encoder) float(f float64) error {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return fmt.Errorf("canonical: %s: number %v is not JSON", Pointer(e.path), f)
	}
	b, _ := json.Marshal(f)
	e.buf = append(e.buf, b...)
	return nil
}

// grow doubles the buffer when it is nearly full: append alone grows a
// large buffer by a quarter at a time, copying a big document many times.
func (e *encoder) grow() {
	if cap(e.buf)-len(e.buf) < 512 {
		e.buf = slices.Grow(e.buf, cap(e.buf))
	}
}

func (e *encoder) object(m map[string]any) error {
	e.grow()
	start := len(e.fields)
	repaired := false
	for k, v := range m {
		if !utf8.ValidString(k) {
			repaired = true
		}
		e.fields = append(e.fields, field{key: k, val: v})
	}
	end := len(e.fields)
	if repaired {
		repairKeys(e.fields[start:end])
	} else {
		slices.SortFunc(e.fields[start:end], func(a, b field) int { return strings.Compare(a.key, b.key) })
	}
	e.buf = append(e.buf, '{')
	first := true
	for i := start; i < end; i++ {
		f := e.fields[i] // e.fields may move while values are written
		if repaired && i > start && f.key == e.fields[i-1].key {
			continue
		}
		e.path = append(e.path, f.key)
		if len(e.opt.Ignore) > 0 && matchAny(e.opt.Ignore, e.path) {
			e.path = e.path[:len(e.path)-1]
			continue
		}
		if !first {
			e.buf = append(e.buf, ',')
		}
		first = false
		e.buf = AppendString(e.buf, f.key)
		e.buf = append(e.buf, ':')
		if err := e.value(f.val); err != nil {
			return err
		}
		e.path = e.path[:len(e.path)-1]
	}
	e.fields = e.fields[:start]
	e.buf = append(e.buf, '}')
	return nil
}

// repairKeys sorts fields by their keys as written, with each invalid
// UTF-8 byte as U+FFFD. Keys that differ only in invalid bytes write the
// same key; sorted by the map's own key next, the first of them is the
// one object keeps, whatever the iteration order.
func repairKeys(fs []field) {
	type repaired struct {
		key, raw string
		val      any
	}
	rs := make([]repaired, len(fs))
	for i, f := range fs {
		rs[i] = repaired{fixUTF8(f.key), f.key, f.val}
	}
	slices.SortFunc(rs, func(a, b repaired) int {
		return cmp.Or(strings.Compare(a.key, b.key), strings.Compare(a.raw, b.raw))
	})
	for i, r := range rs {
		fs[i] = field{r.key, r.val}
	}
}

// indexSegment returns the path segment of array index i.
func (e *encoder) indexSegment(i int) string {
	for len(e.index) <= i {
		e.index = append(e.index, strconv.Itoa(len(e.index)))
	}
	return e.index[i]
}

func (e *encoder) array(n int, at func(int) any) error {
	e.grow()
	if matchAny(e.opt.Sets, e.path) {
		return e.set(n, at)
	}
	e.buf = append(e.buf, '[')
	for i := 0; i < n; i++ {
		if i > 0 {
			e.buf = append(e.buf, ',')
		}
		e.path = append(e.path, e.indexSegment(i))
		var err error
		if len(e.opt.Ignore) > 0 && matchAny(e.opt.Ignore, e.path) {
			// An ignored element keeps its place so indices stay stable.
			e.buf = append(e.buf, "null"...)
		} else {
			err = e.value(at(i))
		}
		e.path = e.path[:len(e.path)-1]
		if err != nil {
			return err
		}
	}
	e.buf = append(e.buf, ']')
	return nil
}

// set writes the members of a set array in canonical byte order, without
// duplicates: each member is written in place, then they are moved aside
// and written back sorted.
func (e *encoder) set(n int, at func(int) any) error {
	base := len(e.buf)
	start := len(e.spans)
	e.path = append(e.path, "*")
	for i := 0; i < n; i++ {
		from := len(e.buf)
		if err := e.value(at(i)); err != nil {
			return err
		}
		e.spans = append(e.spans, span{from - base, len(e.buf) - base})
	}
	e.path = e.path[:len(e.path)-1]
	e.scratch = append(e.scratch[:0], e.buf[base:]...)
	members := e.spans[start:]
	sc := e.scratch
	slices.SortFunc(members, func(a, b span) int {
		return bytes.Compare(sc[a.from:a.to], sc[b.from:b.to])
	})
	e.buf = append(e.buf[:base], '[')
	var prev []byte
	for i, s := range members {
		m := sc[s.from:s.to]
		if i > 0 {
			if bytes.Equal(m, prev) {
				continue
			}
			e.buf = append(e.buf, ',')
		}
		e.buf = append(e.buf, m...)
		prev = m
	}
	e.spans = e.spans[:start]
	e.buf = append(e.buf, ']')
	return nil
}
