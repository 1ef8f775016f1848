package diff

import (
	"bytes"
	"fmt"
	"strconv"
)

// Apply applies changes made by Diff to a decoded document and returns the
// result; doc may be modified. Applying Diff(a, b) to a yields b.
func Apply(doc any, changes []Change, opt Options) (any, error) {
	// Positional removals come last in their array, highest index last:
	// apply them in reverse so each takes the array's tail.
	for i := len(changes) - 1; i >= 0; i-- {
		c := changes[i]
		if c.Op != Removed {
			continue
		}
		var err error
		if doc, err = applyOne(doc, c, opt); err != nil {
			return nil, err
		}
	}
	for _, c := range changes {
		if c.Op == Removed {
			continue
		}
		var err error
		if doc, err = applyOne(doc, c, opt); err != nil {
			return nil, err
		}
	}
	return doc, nil
}

func applyOne(doc any, c Change, opt Options) (any, error) {
	segs, err := ParsePointer(c.Path)
	if err != nil {
		return nil, err
	}
	var val any
	if c.Op != Removed {
		if val, err = Decode(c.New); err != nil {
			return nil, fmt.Errorf("apply %s: %w", c.Path, err)
		}
	}
	// At a set's path, added and removed name a member, unless the set
	// itself appears or goes; changed always replaces the whole value.
	if c.Op != Changed && matchAny(opt.Sets, segs) {
		if arr, ok := setAt(doc, segs); ok {
			if c.Op == Added {
				return replace(doc, segs, append(arr, val))
			}
			out, err := removeMember(arr, segs, c, opt)
			if err != nil {
				return nil, err
			}
			if out != nil {
				return replace(doc, segs, out)
			}
		}
	}
	if len(segs) == 0 {
		return val, nil
	}
	parent, ok := GetSegments(doc, segs[:len(segs)-1])
	if !ok {
		return nil, fmt.Errorf("apply %s: parent not found", c.Path)
	}
	last := segs[len(segs)-1]
	switch p := parent.(type) {
	case map[string]any:
		if c.Op == Removed {
			delete(p, last)
		} else {
			p[last] = val
		}
		return doc, nil
	case []any:
		i, err := strconv.Atoi(last)
		if err != nil || i < 0 {
			return nil, fmt.Errorf("apply %s: bad index", c.Path)
		}
		switch {
		case c.Op == Changed && i < len(p):
			p[i] = val
		case c.Op == Added && i == len(p):
			p = append(p, val)
		case c.Op == Removed && i == len(p)-1:
			p = p[:i]
		default:
			return nil, fmt.Errorf("apply %s: index out of place", c.Path)
		}
		return replace(doc, segs[:len(segs)-1], p)
	}
	return nil, fmt.Errorf("apply %s: parent is not a container", c.Path)
}

// setAt returns the array at segs, if there is one.
func setAt(doc any, segs []string) ([]any, bool) {
	cur, ok := GetSegments(doc, segs)
	if !ok {
		return nil, false
	}
	arr, ok := cur.([]any)
	return arr, ok
}

// removeMember returns arr without the members equal to c.Old. It returns
// nil, nil when c.Old is the whole set rather than a member: the set
// itself was removed.
func removeMember(arr []any, segs []string, c Change, opt Options) ([]any, error) {
	memberPath := append(segs[:len(segs):len(segs)], "*")
	out := make([]any, 0, len(arr))
	for _, m := range arr {
		b, err := canonicalAt(m, opt, memberPath)
		if err != nil {
			return nil, fmt.Errorf("apply %s: %w", c.Path, err)
		}
		if !bytes.Equal(b, c.Old) {
			out = append(out, m)
		}
	}
	if len(out) < len(arr) {
		return out, nil
	}
	// No member matched: a member cannot encode like the set holding it,
	// so this is the set itself leaving.
	whole, err := canonicalAt(arr, opt, segs)
	if err != nil {
		return nil, fmt.Errorf("apply %s: %w", c.Path, err)
	}
	if !bytes.Equal(whole, c.Old) {
		return nil, fmt.Errorf("apply %s: member not in set", c.Path)
	}
	return nil, nil
}

// replace stores v at segs (slices may have moved when they grew).
func replace(doc any, segs []string, v any) (any, error) {
	if len(segs) == 0 {
		return v, nil
	}
	parent, _ := GetSegments(doc, segs[:len(segs)-1])
	last := segs[len(segs)-1]
	switch p := parent.(type) {
	case map[string]any:
		p[last] = v
	case []any:
		i, _ := strconv.Atoi(last)
		p[i] = v
	}
	return doc, nil
}
