package lockfile_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/driftwatch/driftwatch/lockfile"
)

// FuzzVersion: a lockfile is upstream text; no input makes a reader panic,
// and a version found is one the input holds.
func FuzzVersion(f *testing.F) {
	files, _ := filepath.Glob(filepath.Join("testdata", "*"))
	for _, file := range files {
		if b, err := os.ReadFile(file); err == nil {
			f.Add(b)
		}
	}
	f.Add([]byte(`{"lockfileVersion":3,"packages":{"node_modules/x":{"version":"1.0.0","link":true,"resolved":"node_modules/x"}}}`))
	f.Add([]byte("lockfileVersion: '9.0'\nimporters:\n  .:\n    dependencies:\n      x: {specifier: '1', version: 'link:../x'}\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, format := range []lockfile.Format{lockfile.NPM, lockfile.PNPM, lockfile.Yarn, lockfile.GoMod} {
			m, err := lockfile.Version(format, data, "x", "@auth0/nextjs-auth0", "github.com/auth0/go-auth0")
			if err == nil && m.Version == "" {
				t.Errorf("%s: found %q with no version", format, m.Name)
			}
		}
	})
}
