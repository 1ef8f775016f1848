// Package diff compares two JSON documents by key into a list of changes
// with JSON Pointer paths, and writes documents canonically so that equal
// content has equal bytes. Objects are compared by key, so a snapshot keyed
// by name reads as "client X lost callback Y", not "element 7 changed".
//
// It is a leaf package: it imports nothing of driftwatch.
package diff

import (
	"bytes"
	"encoding/json"
	"slices"
	"strconv"
	"strings"
)

// Op is the kind of a change.
type Op string

// The three kinds of change.
const (
	Added   Op = "added"
	Removed Op = "removed"
	Changed Op = "changed"
)

// Change is one difference between two documents. A member joining or
// leaving a set is reported at the set's path, with the member as New or
// Old; a set that appears or goes as a whole is reported there too, with
// the whole array as the value (Apply tells them apart by the document).
type Change struct {
	Path string          `json:"path"`
	Op   Op              `json:"op"`
	Old  json.RawMessage `json:"old,omitempty"`
	New  json.RawMessage `json:"new,omitempty"`
}

// Diff compares two canonical documents (see Canonical) and returns their
// changes in document order. Arrays matched by opt.Sets compare as sets,
// even unsorted or with duplicates (a snapshot stored before the pattern
// was added); other arrays by position. The raw values in the changes
// share memory with old and new.
func Diff(old, new []byte, opt Options) ([]Change, error) {
	d := differ{opt: opt, a: trim(old), b: trim(new)}
	if bytes.Equal(d.a, d.b) {
		return nil, nil
	}
	i, j, err := d.value(0, 0)
	if err != nil {
		return nil, err
	}
	if !d.done && (i != len(d.a) || j != len(d.b)) {
		return nil, errSyntax
	}
	return d.out, nil
}

// skipBudget bounds how far one skip of equal members scans before the
// differ descends into the member it is in: a large member that holds a
// change is then scanned about once, not once per level.
const skipBudget = 32 << 10

// The differ walks both documents side by side, never building a tree.
// Where they hold the same bytes it only finds where members end, in the
// old document; it compares members one by one only around differences.
type differ struct {
	opt  Options
	a, b []byte
	path []string
	out  []Change
	// a[runFrom:runEnd] equals b at offset runDelta, and the byte after
	// differs: the stretch of equal bytes found last.
	runFrom, runEnd, runDelta int
	// done is set when the rest of both documents is equal.
	done bool
	// Reused buffers: set members, path segments of array indices.
	ma, mb [][]byte
	index  []string
}

func (d *differ) emit(op Op, old, new []byte) {
	d.out = append(d.out, Change{Path: Pointer(d.path), Op: op, Old: old, New: new})
}

func (d *differ) emitAt(seg string, op Op, old, new []byte) {
	d.path = append(d.path, seg)
	d.emit(op, old, new)
	d.path = d.path[:len(d.path)-1]
}

func (d *differ) indexSegment(i int) string {
	for len(d.index) <= i {
		d.index = append(d.index, strconv.Itoa(len(d.index)))
	}
	return d.index[i]
}

// equalRun returns how many bytes from a[i] equal those from b[j].
func (d *differ) equalRun(i, j int) int {
	if j-i == d.runDelta && i >= d.runFrom && i < d.runEnd {
		return d.runEnd - i
	}
	n := commonPrefix(d.a[i:], d.b[j:])
	d.runFrom, d.runEnd, d.runDelta = i, i+n, j-i
	return n
}

// skipEqual skips the members, starting at a[i] and b[j], that are equal
// in both. It returns where the next members start and how many were
// skipped, or, when the rest of the container is equal, closed and the
// indices just after it.
func (d *differ) skipEqual(i, j int) (ni, nj, skipped int, closed bool) {
	n := d.equalRun(i, j)
	if n == 0 {
		return i, j, 0, false
	}
	if i+n == len(d.a) && j+n == len(d.b) {
		d.done = true
		return i, j, 0, false
	}
	pos, skipped, closed := skipMembers(d.a, i, i+min(n, skipBudget))
	if closed || skipped == 0 {
		return pos, j + pos - i, skipped, closed
	}
	return skipSpace(d.a, pos), skipSpace(d.b, j+pos-i), skipped, false
}

// value compares the values at a[i] and b[j] and returns the indices
// just after them.
func (d *differ) value(i, j int) (int, int, error) {
	a, b := d.a, d.b
	if i >= len(a) || j >= len(b) {
		return 0, 0, errSyntax
	}
	switch {
	case a[i] == '{' && b[j] == '{':
		return d.object(i, j)
	case a[i] == '[' && b[j] == '[':
		if matchAny(d.opt.Sets, d.path) {
			return d.set(i, j)
		}
		return d.array(i, j)
	}
	ei, err := skipValue(a, i)
	if err != nil {
		return 0, 0, err
	}
	ej, err := skipValue(b, j)
	if err != nil {
		return 0, 0, err
	}
	if !bytes.Equal(a[i:ei], b[j:ej]) {
		d.emit(Changed, a[i:ei], b[j:ej])
	}
	return ei, ej, nil
}

// object merge-joins the sorted members of two objects by key.
func (d *differ) object(i, j int) (int, int, error) {
	a, b := d.a, d.b
	i, endA, err := open(a, i, '}')
	if err != nil {
		return 0, 0, err
	}
	j, endB, err := open(b, j, '}')
	if err != nil {
		return 0, 0, err
	}
	for !endA || !endB {
		if !endA && !endB {
			var closed bool
			i, j, _, closed = d.skipEqual(i, j)
			if closed || d.done {
				return i, j, nil
			}
		}
		var ka, kb []byte
		var va, vb int
		if !endA {
			if ka, va, err = readKey(a, i); err != nil {
				return 0, 0, err
			}
		}
		if !endB {
			if kb, vb, err = readKey(b, j); err != nil {
				return 0, 0, err
			}
		}
		var c int
		switch {
		case endA:
			c = 1
		case endB:
			c = -1
		default:
			c = compareKeys(ka, kb)
		}
		switch {
		case c < 0:
			e, err := skipValue(a, va)
			if err != nil {
				return 0, 0, err
			}
			d.emitAt(keyString(ka), Removed, a[va:e], nil)
			if i, endA, err = next(a, e, '}'); err != nil {
				return 0, 0, err
			}
		case c > 0:
			e, err := skipValue(b, vb)
			if err != nil {
				return 0, 0, err
			}
			d.emitAt(keyString(kb), Added, nil, b[vb:e])
			if j, endB, err = next(b, e, '}'); err != nil {
				return 0, 0, err
			}
		default:
			d.path = append(d.path, keyString(ka))
			ei, ej, err := d.value(va, vb)
			d.path = d.path[:len(d.path)-1]
			if err != nil || d.done {
				return 0, 0, err
			}
			if i, endA, err = next(a, ei, '}'); err != nil {
				return 0, 0, err
			}
			if j, endB, err = next(b, ej, '}'); err != nil {
				return 0, 0, err
			}
		}
	}
	return i, j, nil
}

// compareKeys orders raw keys as Canonical sorts them: by their unescaped
// strings.
func compareKeys(a, b []byte) int {
	if bytes.IndexByte(a, '\\') < 0 && bytes.IndexByte(b, '\\') < 0 {
		return bytes.Compare(a, b)
	}
	return strings.Compare(keyString(a), keyString(b))
}

// array compares two arrays element by element; the longer one's extra
// elements are added or removed.
func (d *differ) array(i, j int) (int, int, error) {
	a, b := d.a, d.b
	i, endA, err := open(a, i, ']')
	if err != nil {
		return 0, 0, err
	}
	j, endB, err := open(b, j, ']')
	if err != nil {
		return 0, 0, err
	}
	k := 0
	for !endA && !endB {
		ni, nj, skipped, closed := d.skipEqual(i, j)
		if closed || d.done {
			return ni, nj, nil
		}
		i, j, k = ni, nj, k+skipped
		d.path = append(d.path, d.indexSegment(k))
		ei, ej, err := d.value(i, j)
		d.path = d.path[:len(d.path)-1]
		if err != nil || d.done {
			return 0, 0, err
		}
		if i, endA, err = next(a, ei, ']'); err != nil {
			return 0, 0, err
		}
		if j, endB, err = next(b, ej, ']'); err != nil {
			return 0, 0, err
		}
		k++
	}
	for ; !endB; k++ {
		e, err := skipValue(b, j)
		if err != nil {
			return 0, 0, err
		}
		d.emitAt(d.indexSegment(k), Added, nil, b[j:e])
		if j, endB, err = next(b, e, ']'); err != nil {
			return 0, 0, err
		}
	}
	for ; !endA; k++ {
		e, err := skipValue(a, i)
		if err != nil {
			return 0, 0, err
		}
		d.emitAt(d.indexSegment(k), Removed, a[i:e], nil)
		if i, endA, err = next(a, e, ']'); err != nil {
			return 0, 0, err
		}
	}
	return i, j, nil
}

// set compares two set arrays member by member: members of only the old
// one were removed, of only the new one added. Canonical sets are sorted
// and without duplicates; others are sorted here and duplicates skipped.
func (d *differ) set(i, j int) (int, int, error) {
	ma, ei, err := appendMembers(d.ma[:0], d.a, i)
	if err != nil {
		return 0, 0, err
	}
	mb, ej, err := appendMembers(d.mb[:0], d.b, j)
	if err != nil {
		return 0, 0, err
	}
	d.ma, d.mb = ma, mb
	if !slices.IsSortedFunc(ma, bytes.Compare) {
		slices.SortFunc(ma, bytes.Compare)
	}
	if !slices.IsSortedFunc(mb, bytes.Compare) {
		slices.SortFunc(mb, bytes.Compare)
	}
	x, y := 0, 0
	for x < len(ma) || y < len(mb) {
		var c int
		switch {
		case x == len(ma):
			c = 1
		case y == len(mb):
			c = -1
		default:
			c = bytes.Compare(ma[x], mb[y])
		}
		switch {
		case c < 0:
			d.emit(Removed, ma[x], nil)
			x = nextDistinct(ma, x)
		case c > 0:
			d.emit(Added, nil, mb[y])
			y = nextDistinct(mb, y)
		default:
			x, y = nextDistinct(ma, x), nextDistinct(mb, y)
		}
	}
	return ei, ej, nil
}

// nextDistinct returns the index of the first member after ms[i] that
// differs from it.
func nextDistinct(ms [][]byte, i int) int {
	j := i + 1
	for j < len(ms) && bytes.Equal(ms[j], ms[i]) {
		j++
	}
	return j
}
