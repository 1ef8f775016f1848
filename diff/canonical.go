package diff

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"slices"
	"sort"
	"strconv"
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
// insignificant whitespace, numbers as written. Equal content gives equal
// bytes, so the bytes can be hashed and diffed.
func Canonical(v any, opt Options) ([]byte, error) {
	e := encoder{opt: opt, buf: make([]byte, 0, 1024)}
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
}

func (e *encoder) value(v any) error {
	switch x := v.(type) {
	case nil:
		e.buf = append(e.buf, "null"...)
	case bool:
		e.buf = strconv.AppendBool(e.buf, x)
	case string:
		e.buf = AppendString(e.buf, x)
	case json.Number:
		if !json.Valid([]byte(x)) || len(x) == 0 || x[0] == '"' || x[0] == '[' || x[0] == '{' || x[0] == 'n' || x[0] == 't' || x[0] == 'f' {
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

func (e *encoder) object(m map[string]any) error {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	e.buf = append(e.buf, '{')
	first := true
	for _, k := range keys {
		e.path = append(e.path, k)
		if matchAny(e.opt.Ignore, e.path) {
			e.path = e.path[:len(e.path)-1]
			continue
		}
		if !first {
			e.buf = append(e.buf, ',')
		}
		first = false
		e.buf = AppendString(e.buf, k)
		e.buf = append(e.buf, ':')
		if err := e.value(m[k]); err != nil {
			return err
		}
		e.path = e.path[:len(e.path)-1]
	}
	e.buf = append(e.buf, '}')
	return nil
}

func (e *encoder) array(n int, at func(int) any) error {
	isSet := matchAny(e.opt.Sets, e.path)
	if !isSet {
		e.buf = append(e.buf, '[')
		for i := 0; i < n; i++ {
			if i > 0 {
				e.buf = append(e.buf, ',')
			}
			e.path = append(e.path, strconv.Itoa(i))
			ignored := matchAny(e.opt.Ignore, e.path)
			var err error
			if ignored {
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
	// A set: encode members apart, then sort and drop duplicates.
	members := make([][]byte, 0, n)
	outer := e.buf
	for i := 0; i < n; i++ {
		e.buf = nil
		e.path = append(e.path, "*")
		err := e.value(at(i))
		e.path = e.path[:len(e.path)-1]
		if err != nil {
			return err
		}
		members = append(members, e.buf)
	}
	slices.SortFunc(members, bytes.Compare)
	members = slices.CompactFunc(members, bytes.Equal)
	e.buf = append(outer, '[')
	for i, m := range members {
		if i > 0 {
			e.buf = append(e.buf, ',')
		}
		e.buf = append(e.buf, m...)
	}
	e.buf = append(e.buf, ']')
	return nil
}

const hexDigits = "0123456789abcdef"

// AppendString appends s as a canonical JSON string: only '"', '\\' and
// control characters are escaped, invalid UTF-8 becomes U+FFFD.
func AppendString(b []byte, s string) []byte {
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '"', '\\':
				b = append(b, '\\', c)
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b = append(b, s[start:i]...)
			b = append(b, "\ufffd"...)
			i += size
			start = i
			continue
		}
		i += size
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}
