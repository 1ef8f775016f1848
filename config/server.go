package config

import (
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
)

// validateServer checks the API's tokens and the public URL. A token comes
// from an environment variable or a file (a mounted secret), never both;
// read-only commands leave it unresolved, as they do other secrets.
func (l *loader) validateServer(c *Config) {
	s := &c.Server
	s.APIToken = l.serverToken(c, "api_token", s.APITokenEnv, s.APITokenFile)
	s.APIWriteToken = l.serverToken(c, "api_write_token", s.APIWriteTokenEnv, s.APIWriteTokenFile)
	if s.PublicURL != "" {
		u, err := url.Parse(s.PublicURL)
		switch {
		case err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.RawQuery != "" || u.Fragment != "":
			l.errorAt("server.public_url", fmt.Sprintf("server: public_url %q: want an absolute http(s) URL without query", s.PublicURL))
		case len(s.PublicURL) > 100 || strings.ContainsAny(s.PublicURL, "<>| &"):
			l.errorAt("server.public_url", fmt.Sprintf("server: public_url %q: at most 100 characters, none of <>|& or spaces (Slack links carry it)", s.PublicURL))
		}
	}
}

func (l *loader) serverToken(c *Config, key, envName, file string) Secret {
	switch {
	case envName != "" && file != "":
		l.errorAt("server."+key+"_file", fmt.Sprintf("server: set %s_env or %s_file, not both", key, key))
		return Secret{}
	case envName != "":
		return l.secret("server."+key+"_env", key+"_env", envName, "server")
	case file == "" || l.optionalSecrets:
		return Secret{}
	}
	path := file
	if !filepath.IsAbs(path) && c.Dir != "" {
		path = filepath.Join(c.Dir, path)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		l.errorAt("server."+key+"_file", fmt.Sprintf("server: %s_file: %v", key, err))
		return Secret{}
	}
	tok := strings.TrimSpace(string(b))
	if tok == "" {
		l.errorAt("server."+key+"_file", fmt.Sprintf("server: %s_file %s is empty", key, file))
		return Secret{}
	}
	return NewSecret(tok)
}
