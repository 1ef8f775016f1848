package notify

import (
	"fmt"

	"github.com/driftwatch/driftwatch/watcher"
)

// FindingCounts says how many of a source's unresolved findings are open
// and how many were handled ("2 open, 3 acknowledged, 1 silenced"); empty
// when there are none.
func FindingCounts(s *watcher.DigestSource) string {
	if s.Open()+s.Acked+s.Silenced == 0 {
		return ""
	}
	c := fmt.Sprintf("%d open", s.Open())
	if s.Acked > 0 {
		c += fmt.Sprintf(", %d acknowledged", s.Acked)
	}
	if s.Silenced > 0 {
		c += fmt.Sprintf(", %d silenced", s.Silenced)
	}
	return c
}
