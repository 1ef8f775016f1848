package lockfile_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/driftwatch/driftwatch/lockfile"
)

// bigPackageLock is a package-lock.json v3 of n packages in the shape of
// the recorded one (a monorepo-sized file is tens of thousands).
func bigPackageLock(n int) []byte {
	var b strings.Builder
	b.WriteString(`{"name":"app","version":"1.0.0","lockfileVersion":3,"requires":true,"packages":{"":{"name":"app","dependencies":{"@auth0/nextjs-auth0":"^4.13.0"}}`)
	for i := 0; i < n; i++ {
		fmt.Fprintf(&b, `,"node_modules/pkg-%d":{"version":"1.%d.0","resolved":"https://registry.npmjs.org/pkg-%d/-/pkg-%d-1.%d.0.tgz","integrity":"sha512-YHh1H9s7Fi42c5k/9C5RnNc7tQYODdQwRy5X/L4doCJvRltEajOwEy7rQ7ERnuSoWd3mgk4YxPjCAMh4Dg1ceA==","license":"MIT","dependencies":{"jose":"^6.0.11"}}`, i, i, i, i, i)
	}
	b.WriteString(`,"node_modules/@auth0/nextjs-auth0":{"version":"4.13.0"}}}`)
	return []byte(b.String())
}

func BenchmarkVersionNPM(b *testing.B) {
	data := bigPackageLock(20000)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		if m, err := lockfile.Version(lockfile.NPM, data, "@auth0/nextjs-auth0"); err != nil || m.Version != "4.13.0" {
			b.Fatal(m, err)
		}
	}
}
