package config

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// Every *_env secret has a *_file twin naming a file that holds the value:
// a Docker or Kubernetes secret, or a systemd credential
// ("${CREDENTIALS_DIRECTORY}/slack_webhook_url"; ${VAR} is expanded from
// the environment). A relative path is relative to the config's folder.
// One trailing newline is stripped, since editors and `echo` add one. A
// secret takes *_env or *_file, not both.

// fileRef marks, in an *_env field, a secret that comes from a file, so the
// one code path that resolves and reports secrets (loader.secret) serves
// both: its lookups go through loader.lookup, which reads the file.
const fileRef = "\x00file:"

// secretFile is one *_file key and its *_env twin.
type secretFile struct {
	path    string // the key's path, for the line of errors
	owner   string // "notify.slack" or `source "x"`, for messages
	fileKey string // "token_file"
	envKey  string // "token_env"
	file    *string
	env     *string
}

func secretFiles(c *Config) []secretFile {
	var out []secretFile
	if s := c.Notify.Slack; s != nil {
		at := "notify.slack"
		out = append(out,
			secretFile{at + ".webhook_url_file", at, "webhook_url_file", "webhook_url_env", &s.WebhookURLFile, &s.WebhookURLEnv},
			secretFile{at + ".token_file", at, "token_file", "token_env", &s.TokenFile, &s.TokenEnv})
	}
	for i := range c.Receivers {
		r := &c.Receivers[i]
		out = append(out, r.secretFiles("receiver["+strconv.Itoa(i)+"]", fmt.Sprintf("receiver %q", r.Name))...)
	}
	return out
}

// fileSecrets points every *_env field of [notify.slack] whose *_file
// twin is set at the file, for validation; restore puts the fields back.
// A source's secrets go through Check.Secret, which takes both keys.
type fileSecrets struct {
	envs []*string
}

func (l *loader) useSecretFiles(c *Config) *fileSecrets {
	fs := &fileSecrets{}
	for _, sf := range secretFiles(c) {
		if *sf.file == "" {
			continue
		}
		if *sf.env != "" {
			l.errorAt(sf.path, fmt.Sprintf("%s: set %s or %s, not both", sf.owner, sf.envKey, sf.fileKey))
			continue
		}
		*sf.env = fileRef + sf.fileKey + "\x00" + *sf.file
		fs.envs = append(fs.envs, sf.env)
	}
	return fs
}

// restore empties the *_env fields that pointed at files.
func (fs *fileSecrets) restore() {
	for _, e := range fs.envs {
		*e = ""
	}
}

// lookup reads a secret's value: from its file when the name is a file
// reference, else from the environment. A file that cannot be read is
// reported here, naming the file and key; then a placeholder is returned,
// so the caller adds no second message (the load fails either way).
func (l *loader) lookup(path, name string) (string, bool) {
	ref, ok := strings.CutPrefix(name, fileRef)
	if !ok {
		return l.env(name)
	}
	key, file, _ := strings.Cut(ref, "\x00")
	file = os.Expand(file, func(v string) string { s, _ := l.env(v); return s })
	if !filepath.IsAbs(file) && l.dir != "" {
		file = filepath.Join(l.dir, file)
	}
	b, err := os.ReadFile(file)
	if err != nil && l.optionalSecrets && errors.Is(err, os.ErrNotExist) {
		return "", false
	}
	if err != nil {
		l.errorAt(path, fmt.Sprintf("%s: %s", key, fileError(err)))
		return "x", true
	}
	v := strings.TrimSuffix(strings.TrimSuffix(string(b), "\n"), "\r")
	if v == "" && !l.optionalSecrets {
		l.errorAt(path, fmt.Sprintf("%s: %s is empty", key, file))
		return "x", true
	}
	return v, v != ""
}

// fileError keeps the path and the reason, not Go's operation name.
func fileError(err error) string {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return pe.Path + ": " + pe.Err.Error()
	}
	return err.Error()
}

// secretSlot is one resolved secret and the keys that name it.
type secretSlot struct {
	source          *Source // nil for Slack's
	envKey, fileKey string
	env, file       string
	value           Secret
	set             func(Secret)
}

func secretSlots(c *Config) []secretSlot {
	var out []secretSlot
	field := func(src *Source, envKey, fileKey, env, file string, p *Secret) secretSlot {
		return secretSlot{src, envKey, fileKey, env, file, *p, func(v Secret) { *p = v }}
	}
	if s := c.Notify.Slack; s != nil {
		out = append(out,
			field(nil, "webhook_url_env", "webhook_url_file", s.WebhookURLEnv, s.WebhookURLFile, &s.WebhookURL),
			field(nil, "token_env", "token_file", s.TokenEnv, s.TokenFile, &s.Token))
	}
	for i := range c.Receivers {
		out = append(out, c.Receivers[i].secretSlots()...)
	}
	return append(out, c.sourceSecrets...)
}

// missing reports whether the slot names a secret that has no value.
func (s secretSlot) missing() bool {
	return (s.env != "" || s.file != "") && s.value.Reveal() == ""
}

// MissingSourceSecrets names the secrets of the sources (not the
// notifiers') that a config loaded with LoadReadOnly lacks: what `check
// --refresh` needs to poll, without the notifiers' secrets it never uses.
func (c *Config) MissingSourceSecrets() error {
	var errs []error
	for _, s := range secretSlots(c) {
		if s.source != nil && s.missing() {
			errs = append(errs, c.missingError(fmt.Sprintf("source %q", s.source.Name), s.source.Line, s))
		}
	}
	return errors.Join(errs...)
}

// MissingNotifierSecrets names the secrets of [notify.slack] and the
// receivers (not the sources') that a config loaded with LoadReadOnly
// lacks: what `digest --post` needs to post, without the credentials of
// sources it never fetches.
func (c *Config) MissingNotifierSecrets() error {
	var errs []error
	check := func(owner string, slots []secretSlot) {
		for _, s := range slots {
			if s.missing() {
				errs = append(errs, c.missingError(owner, 0, s))
			}
		}
	}
	if c.Notify.Slack != nil {
		check("notify.slack", secretSlots(&Config{Notify: c.Notify}))
	}
	for i := range c.Receivers {
		check(fmt.Sprintf("receiver %q", c.Receivers[i].Name), c.Receivers[i].secretSlots())
	}
	return errors.Join(errs...)
}

func (c *Config) missingError(owner string, line int, s secretSlot) error {
	msg := fmt.Sprintf("%s: environment variable %s (%s) is not set", owner, s.env, s.envKey)
	if s.env == "" {
		msg = fmt.Sprintf("%s: %s %s is missing or empty", owner, s.fileKey, s.file)
	}
	return &Error{File: c.File, Line: line, Msg: msg}
}

// FillMissingSecrets gives every named secret that has no value a
// placeholder, so `validate --no-env` can build the providers and check
// everything but the secrets themselves.
func (c *Config) FillMissingSecrets(placeholder string) {
	for _, s := range secretSlots(c) {
		if s.missing() {
			s.set(NewSecret(placeholder))
		}
	}
}

// varLabel names where a secret comes from in a message: "$VAR", or "the
// file PATH" for a *_file secret.
func varLabel(env string) string {
	if ref, ok := strings.CutPrefix(env, fileRef); ok {
		_, file, _ := strings.Cut(ref, "\x00")
		return "the file " + file
	}
	return "$" + env
}
