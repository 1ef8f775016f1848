package diff

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
)

// The scanner walks canonical JSON without building a tree: it finds where
// values and members end, and how far two documents hold the same bytes.

var errSyntax = errors.New("diff: invalid JSON")

func isSpace(c byte) bool { return c == ' ' || c == '\n' || c == '\r' || c == '\t' }

func skipSpace(b []byte, i int) int {
	for i < len(b) && isSpace(b[i]) {
		i++
	}
	return i
}

// skipString returns the index just after the string starting at b[i]=='"'.
// It jumps from quote to quote: a quote ends the string unless an odd run
// of backslashes escapes it.
func skipString(b []byte, i int) (int, error) {
	i++
	for {
		q := bytes.IndexByte(b[i:], '"')
		if q < 0 {
			return 0, errSyntax
		}
		q += i
		k := q
		for k > i && b[k-1] == '\\' {
			k--
		}
		if (q-k)%2 == 0 {
			return q + 1, nil
		}
		i = q + 1
	}
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

// open starts reading the container whose opening bracket is at b[i]: it
// returns where its first member starts, or, when it is empty, end and
// the index just after it.
func open(b []byte, i int, closer byte) (int, bool, error) {
	k := skipSpace(b, i+1)
	if k >= len(b) {
		return 0, false, errSyntax
	}
	if b[k] == closer {
		return k + 1, true, nil
	}
	return k, false, nil
}

// next moves past the member that ended at b[i]: it returns where the
// next member starts, or end and the index just after the container.
func next(b []byte, i int, closer byte) (int, bool, error) {
	k := skipSpace(b, i)
	if k >= len(b) {
		return 0, false, errSyntax
	}
	switch b[k] {
	case closer:
		return k + 1, true, nil
	case ',':
		return skipSpace(b, k+1), false, nil
	}
	return 0, false, errSyntax
}

// readKey reads the key of the object member at b[i]: the raw bytes
// between its quotes, and where the member's value starts.
func readKey(b []byte, i int) ([]byte, int, error) {
	if i >= len(b) || b[i] != '"' {
		return nil, 0, errSyntax
	}
	j, err := skipString(b, i)
	if err != nil {
		return nil, 0, err
	}
	k := skipSpace(b, j)
	if k >= len(b) || b[k] != ':' {
		return nil, 0, errSyntax
	}
	return b[i+1 : j-1], skipSpace(b, k+1), nil
}

// appendMembers appends the raw elements of the array at b[i] to ms and
// returns the index just after the array.
func appendMembers(ms [][]byte, b []byte, i int) ([][]byte, int, error) {
	i, end, err := open(b, i, ']')
	for err == nil && !end {
		var e int
		if e, err = skipValue(b, i); err == nil {
			ms = append(ms, b[i:e])
			i, end, err = next(b, e, ']')
		}
	}
	return ms, i, err
}

// commonPrefix returns how many leading bytes a and b share, comparing
// blocks at memory speed before single words and bytes.
func commonPrefix(a, b []byte) int {
	n := min(len(a), len(b))
	i := 0
	for block := 64; i+block <= n; block = min(2*block, 4096) {
		if !bytes.Equal(a[i:i+block], b[i:i+block]) {
			break
		}
		i += block
	}
	for i+8 <= n && binary.LittleEndian.Uint64(a[i:]) == binary.LittleEndian.Uint64(b[i:]) {
		i += 8
	}
	for i < n && a[i] == b[i] {
		i++
	}
	return i
}

// skipMembers scans the members of a container from the one starting at
// b[i], reading no byte at or after limit. It returns how many members
// ended before limit and where the next one starts (i if none), or, when
// the container itself ends before limit, closed and the index just after
// it.
func skipMembers(b []byte, i, limit int) (pos, n int, closed bool) {
	pos = i
	depth := 0
	for k := i; k < limit; k++ {
		switch b[k] {
		case '"':
			e, err := skipString(b[:limit], k)
			if err != nil {
				return pos, n, false
			}
			k = e - 1
		case '{', '[':
			depth++
		case '}', ']':
			if depth == 0 {
				return k + 1, n, true
			}
			depth--
		case ',':
			if depth == 0 {
				pos, n = k+1, n+1
			}
		}
	}
	return pos, n, false
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
