package lockfile

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"strings"
)

// MaxSize bounds a lockfile read: large monorepos have package-lock.json
// files of tens of megabytes.
const MaxSize = 64 << 20

// Source is a lockfile an app is built from, read again on every poll: a
// local path or an http(s) URL.
type Source struct {
	// Location is a file path (resolved by the caller) or an http(s) URL.
	Location string
	// Package is the name to look up; empty means the names derived from
	// Repo for the lockfile's ecosystem.
	Package string
	// Repo is the "owner/name" GitHub repository of the package.
	Repo string
	// HTTP fetches URL locations; it must carry a timeout.
	HTTP *http.Client
	// MaxBytes caps the read (MaxSize when 0).
	MaxBytes int64
}

// IsURL reports whether a location is an http(s) URL rather than a path.
func IsURL(loc string) bool {
	u, err := url.Parse(loc)
	return err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != ""
}

// Display is the location as shown in messages: a URL without its query,
// fragment and credentials, which may carry a token.
func (s Source) Display() string {
	if !IsURL(s.Location) {
		return s.Location
	}
	u, _ := url.Parse(s.Location)
	u.User, u.RawQuery, u.Fragment = nil, "", ""
	return u.String()
}

// Names returns the package names to look up in a lockfile of format f:
// the configured package, or for a repo "owner/name" the npm names
// "@owner/name" then "name", or the Go module path github.com/owner/name.
func Names(pkg, repo string, f Format) []string {
	if pkg != "" {
		return []string{pkg}
	}
	owner, name, _ := strings.Cut(repo, "/")
	if f.Ecosystem() == "go" {
		return []string{"github.com/" + owner + "/" + name}
	}
	return []string{"@" + strings.ToLower(owner) + "/" + name, name}
}

// Version reads the lockfile and returns the version it resolves for the
// package. Any failure — unreadable, too large, unknown format, package
// absent — is an error: the caller must not fall back to a stale version.
func (s Source) Version(ctx context.Context) (Match, error) {
	data, err := s.Read(ctx)
	if err != nil {
		return Match{}, fmt.Errorf("deployed_from %s: %w", s.Display(), err)
	}
	f, err := Detect(s.Path(), data)
	if err != nil {
		return Match{}, fmt.Errorf("deployed_from %s: %w", s.Display(), err)
	}
	m, err := Version(f, data, Names(s.Package, s.Repo, f)...)
	if err != nil {
		return Match{}, fmt.Errorf("deployed_from %s: %w", s.Display(), err)
	}
	return m, nil
}

// Path is the location's file path: for a URL, its path part, which names
// the format.
func (s Source) Path() string {
	if !IsURL(s.Location) {
		return s.Location
	}
	u, _ := url.Parse(s.Location)
	return u.Path
}

// Read returns the lockfile's bytes, at most MaxBytes.
func (s Source) Read(ctx context.Context) ([]byte, error) {
	max := s.MaxBytes
	if max <= 0 {
		max = MaxSize
	}
	var r io.ReadCloser
	if IsURL(s.Location) {
		if s.HTTP == nil {
			return nil, errors.New("no HTTP client")
		}
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, s.Location, nil)
		if err != nil {
			return nil, err
		}
		resp, err := s.HTTP.Do(req)
		if err != nil {
			var ue *url.Error
			if errors.As(err, &ue) {
				err = ue.Err // the URL may carry a token
			}
			return nil, fmt.Errorf("fetch: %w", err)
		}
		if resp.StatusCode != http.StatusOK {
			_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
			resp.Body.Close()
			return nil, fmt.Errorf("fetch: HTTP %d", resp.StatusCode)
		}
		r = resp.Body
	} else {
		f, err := os.Open(s.Location)
		if err != nil {
			return nil, err
		}
		r = f
	}
	defer r.Close()
	b, err := io.ReadAll(io.LimitReader(r, max+1))
	if err != nil {
		return nil, fmt.Errorf("read: %w", err)
	}
	if int64(len(b)) > max {
		return nil, fmt.Errorf("larger than %d bytes", max)
	}
	return b, nil
}
