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
// Old.
type Change struct {
	Path string          `json:"path"`
	Op   Op              `json:"op"`
	Old  json.RawMessage `json:"old,omitempty"`
	New  json.RawMessage `json:"new,omitempty"`
}

// Diff compares two canonical documents (see Canonical) and returns their
// changes in document order. Arrays matched by opt.Sets compare as sets;
// other arrays by position. The raw values in the changes share memory
// with old and new.
func Diff(old, new []byte, opt Options) ([]Change, error) {
	d := differ{opt: opt}
	if err := d.walk(trim(old), trim(new)); err != nil {
		return nil, err
	}
	return d.out, nil
}

type differ struct {
	opt  Options
	path []string
	out  []Change
}

func (d *differ) emit(op Op, old, new []byte) {
	d.out = append(d.out, Change{Path: Pointer(d.path), Op: op, Old: old, New: new})
}

func kind(b []byte) byte {
	if len(b) == 0 {
		return 0
	}
	return b[0]
}

func (d *differ) walk(a, b []byte) error {
	if bytes.Equal(a, b) {
		return nil
	}
	ka, kb := kind(a), kind(b)
	switch {
	case ka == '{' && kb == '{':
		return d.objects(a, b)
	case ka == '[' && kb == '[':
		if matchAny(d.opt.Sets, d.path) {
			return d.sets(a, b)
		}
		return d.arrays(a, b)
	}
	if len(a) == 0 || len(b) == 0 {
		return errSyntax
	}
	d.emit(Changed, a, b)
	return nil
}

func (d *differ) objects(a, b []byte) error {
	ma, err := members(a, nil)
	if err != nil {
		return err
	}
	mb, err := members(b, nil)
	if err != nil {
		return err
	}
	i, j := 0, 0
	for i < len(ma) || j < len(mb) {
		var c int
		switch {
		case i == len(ma):
			c = 1
		case j == len(mb):
			c = -1
		default:
			c = compareKeys(ma[i].key, mb[j].key)
		}
		switch {
		case c < 0:
			d.path = append(d.path, keyString(ma[i].key))
			d.emit(Removed, ma[i].val, nil)
			i++
		case c > 0:
			d.path = append(d.path, keyString(mb[j].key))
			d.emit(Added, nil, mb[j].val)
			j++
		default:
			if bytes.Equal(ma[i].val, mb[j].val) {
				i++
				j++
				continue
			}
			d.path = append(d.path, keyString(ma[i].key))
			if err := d.walk(ma[i].val, mb[j].val); err != nil {
				return err
			}
			i++
			j++
		}
		d.path = d.path[:len(d.path)-1]
	}
	return nil
}

// compareKeys orders raw keys as Canonical sorts them: by their unescaped
// strings.
func compareKeys(a, b []byte) int {
	if bytes.IndexByte(a, '\\') < 0 && bytes.IndexByte(b, '\\') < 0 {
		return bytes.Compare(a, b)
	}
	ka, kb := keyString(a), keyString(b)
	switch {
	case ka < kb:
		return -1
	case ka > kb:
		return 1
	}
	return 0
}

func (d *differ) arrays(a, b []byte) error {
	ma, err := members(a, nil)
	if err != nil {
		return err
	}
	mb, err := members(b, nil)
	if err != nil {
		return err
	}
	n := min(len(ma), len(mb))
	for i := 0; i < n; i++ {
		if bytes.Equal(ma[i].val, mb[i].val) {
			continue
		}
		d.path = append(d.path, strconv.Itoa(i))
		err := d.walk(ma[i].val, mb[i].val)
		d.path = d.path[:len(d.path)-1]
		if err != nil {
			return err
		}
	}
	for i := n; i < len(mb); i++ {
		d.path = append(d.path, strconv.Itoa(i))
		d.emit(Added, nil, mb[i].val)
		d.path = d.path[:len(d.path)-1]
	}
	for i := n; i < len(ma); i++ {
		d.path = append(d.path, strconv.Itoa(i))
		d.emit(Removed, ma[i].val, nil)
		d.path = d.path[:len(d.path)-1]
	}
	return nil
}

func (d *differ) sets(a, b []byte) error {
	ma, err := members(a, nil)
	if err != nil {
		return err
	}
	mb, err := members(b, nil)
	if err != nil {
		return err
	}
	byVal := func(x, y member) int { return bytes.Compare(x.val, y.val) }
	if !slices.IsSortedFunc(ma, byVal) {
		slices.SortFunc(ma, byVal)
	}
	if !slices.IsSortedFunc(mb, byVal) {
		slices.SortFunc(mb, byVal)
	}
	i, j := 0, 0
	for i < len(ma) || j < len(mb) {
		var c int
		switch {
		case i == len(ma):
			c = 1
		case j == len(mb):
			c = -1
		default:
			c = bytes.Compare(ma[i].val, mb[j].val)
		}
		switch {
		case c < 0:
			d.emit(Removed, ma[i].val, nil)
			i++
		case c > 0:
			d.emit(Added, nil, mb[j].val)
			j++
		default:
			i++
			j++
		}
	}
	return nil
}
