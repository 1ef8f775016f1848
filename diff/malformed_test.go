package diff_test

import (
	"testing"

	"github.com/driftwatch/driftwatch/diff"
)

// TestDiffMalformedAfterKey: a document that breaks right after a key only
// one side has is an error, not a diff of whatever follows.
func TestDiffMalformedAfterKey(t *testing.T) {
	for _, tt := range []struct{ old, new string }{
		{`{"a":1 "z":2}`, `{"b":1}`}, // after a removed key
		{`{"b":1}`, `{"a":1 "z":2}`}, // after an added key
		{`{"a":1}`, `{"a":2 "z":2}`}, // after a changed key
	} {
		if ch, err := diff.Diff([]byte(tt.old), []byte(tt.new), diff.Options{}); err == nil {
			t.Errorf("Diff(%s, %s) = %v, want an error", tt.old, tt.new, ch)
		}
	}
}
