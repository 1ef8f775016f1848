package diff

import (
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
	if matchAny(opt.Sets, segs) {
		return setMember(doc, segs, c, val, opt)
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

func setMember(doc any, segs []string, c Change, val any, opt Options) (any, error) {
	cur, ok := GetSegments(doc, segs)
	if !ok {
		return nil, fmt.Errorf("apply %s: set not found", c.Path)
	}
	arr, ok := cur.([]any)
	if !ok {
		return nil, fmt.Errorf("apply %s: not an array", c.Path)
	}
	if c.Op == Added {
		return replace(doc, segs, append(arr, val))
	}
	out := arr[:0:0]
	for _, m := range arr {
		b, err := Canonical(m, Options{Sets: opt.Sets})
		if err != nil {
			return nil, err
		}
		if string(b) != string(c.Old) {
			out = append(out, m)
		}
	}
	return replace(doc, segs, out)
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
