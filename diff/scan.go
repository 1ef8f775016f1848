package diff

import (
	"encoding/json"
	"errors"
)

// The scanner walks canonical JSON without building a tree: it finds where
// a value ends, and splits objects and arrays into raw members, so equal
// subtrees are skipped with one bytes.Equal.

var errSyntax = errors.New("diff: invalid JSON")

func isSpace(c byte) bool { return c == ' ' || c == '\n' || c == '\r' || c == '\t' }

func skipSpace(b []byte, i int) int {
	for i < len(b) && isSpace(b[i]) {
		i++
	}
	return i
}

// skipString returns the index just after the string starting at b[i]=='"'.
func skipString(b []byte, i int) (int, error) {
	i++
	for i < len(b) {
		switch b[i] {
		case '"':
			return i + 1, nil
		case '\\':
			i += 2
		default:
			i++
		}
	}
	return 0, errSyntax
}

// skipValue returns the index just after the value starting at b[i].
func skipValue(b []byte, i int) (int, error) {
	if i >= len(b) {
		return 0, errSyntax
	}
	switch b[i] {
	case '"':
		return skipString(b, i)
	case '{', '[':
		depth := 0
		for i < len(b) {
			switch b[i] {
			case '"':
				j, err := skipString(b, i)
				if err != nil {
					return 0, err
				}
				i = j
				continue
			case '{', '[':
				depth++
			case '}', ']':
				depth--
				if depth == 0 {
					return i + 1, nil
				}
			}
			i++
		}
		return 0, errSyntax
	default:
		j := i
		for j < len(b) {
			c := b[j]
			if c == ',' || c == '}' || c == ']' || isSpace(c) {
				break
			}
			j++
		}
		if j == i {
			return 0, errSyntax
		}
		return j, nil
	}
}

// member is one element of an object (with its raw key) or of an array.
type member struct {
	key []byte // raw key bytes between the quotes; nil for array elements
	val []byte
}

// members splits a raw object or array into its members.
func members(b []byte, buf []member) ([]member, error) {
	buf = buf[:0]
	if len(b) < 2 {
		return nil, errSyntax
	}
	obj := b[0] == '{'
	closer := byte(']')
	if obj {
		closer = '}'
	}
	i := skipSpace(b, 1)
	if i < len(b) && b[i] == closer {
		return buf, nil
	}
	for i < len(b) {
		var m member
		if obj {
			if b[i] != '"' {
				return nil, errSyntax
			}
			j, err := skipString(b, i)
			if err != nil {
				return nil, err
			}
			m.key = b[i+1 : j-1]
			i = skipSpace(b, j)
			if i >= len(b) || b[i] != ':' {
				return nil, errSyntax
			}
			i = skipSpace(b, i+1)
		}
		j, err := skipValue(b, i)
		if err != nil {
			return nil, err
		}
		m.val = b[i:j]
		buf = append(buf, m)
		i = skipSpace(b, j)
		if i >= len(b) {
			return nil, errSyntax
		}
		if b[i] == closer {
			return buf, nil
		}
		if b[i] != ',' {
			return nil, errSyntax
		}
		i = skipSpace(b, i+1)
	}
	return nil, errSyntax
}

// keyString unescapes a raw object key.
func keyString(raw []byte) string {
	for _, c := range raw {
		if c == '\\' {
			var s string
			if json.Unmarshal(append(append([]byte{'"'}, raw...), '"'), &s) == nil {
				return s
			}
			break
		}
	}
	return string(raw)
}

// trim returns b without surrounding whitespace.
func trim(b []byte) []byte {
	i := skipSpace(b, 0)
	j := len(b)
	for j > i && isSpace(b[j-1]) {
		j--
	}
	return b[i:j]
}
