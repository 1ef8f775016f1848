package store

import (
	"os"
	"path/filepath"
)

// resolvePath follows symlinks to the file a path names, even when that
// file does not exist yet (a dangling link to the store SQLite will
// create): the store's identity is the real file, not the name a config
// gave it.
func resolvePath(path string) string {
	p := path
	for range 40 { // the kernel's own limit on a chain of links
		fi, err := os.Lstat(p)
		if err != nil {
			break // not there yet: resolve its folder below
		}
		if fi.Mode()&os.ModeSymlink == 0 {
			break
		}
		target, err := os.Readlink(p)
		if err != nil {
			break
		}
		if !filepath.IsAbs(target) {
			target = filepath.Join(filepath.Dir(p), target)
		}
		p = target
	}
	dir, base := filepath.Split(p)
	if dir == "" {
		dir = "."
	}
	if real, err := filepath.EvalSymlinks(dir); err == nil {
		dir = real
	}
	if abs, err := filepath.Abs(filepath.Join(dir, base)); err == nil {
		return abs
	}
	return filepath.Join(dir, base)
}
