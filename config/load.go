package config

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/BurntSushi/toml"
)

// LookupEnv reads an environment variable; os.LookupEnv in production.
type LookupEnv func(name string) (string, bool)

// Load reads, decodes and validates the config file at path, resolving
// every *_env secret through env. The error, if any, joins one *Error per
// problem, each naming the file and line.
func Load(path string, env LookupEnv) (*Config, error) {
	return load(path, env, true)
}

// LoadReadOnly is Load for commands that only read the store (findings,
// history, check without --refresh, ...): an unset secret variable is not
// an error there, and its secret is left empty.
func LoadReadOnly(path string, env LookupEnv) (*Config, error) {
	return load(path, env, false)
}

// MaxSize is the largest config file read: a real one is a few KiB, and
// a mistaken -c (a log, a database, /dev/zero) must not be read whole.
const MaxSize = 10 << 20

func load(path string, env LookupEnv, secrets bool) (*Config, error) {
	b, err := readCapped(path)
	if err != nil {
		return nil, err
	}
	cfg, err := parse(path, b, env, secrets)
	if err != nil {
		return nil, err
	}
	// A config read from a device or a pipe (/dev/stdin, /dev/null) has no
	// folder of its own: relative paths there would put the store under
	// /dev. They are relative to the working directory instead.
	if fi, err := os.Stat(path); err == nil && !fi.Mode().IsRegular() {
		if wd, err := os.Getwd(); err == nil {
			cfg.Dir = wd
		}
	}
	return cfg, nil
}

// readCapped reads the config file, refusing one over MaxSize.
func readCapped(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return nil, &Error{File: path, Msg: "config file not found (use -c FILE or $DRIFTWATCH_CONFIG)"}
		}
		return nil, &Error{File: path, Msg: err.Error()}
	}
	defer f.Close()
	tooBig := &Error{File: path, Msg: fmt.Sprintf("config file is larger than %d MiB: is -c pointing at the right file?", MaxSize>>20)}
	if fi, err := f.Stat(); err == nil && fi.Mode().IsRegular() && fi.Size() > MaxSize {
		return nil, tooBig
	}
	b, err := io.ReadAll(io.LimitReader(f, MaxSize+1))
	if err != nil {
		return nil, &Error{File: path, Msg: err.Error()}
	}
	if len(b) > MaxSize {
		return nil, tooBig
	}
	return b, nil
}

// Parse decodes and validates config text; file names it in errors and
// anchors relative paths.
func Parse(file string, text []byte, env LookupEnv) (*Config, error) {
	return parse(file, text, env, true)
}

func parse(file string, text []byte, env LookupEnv, secrets bool) (*Config, error) {
	if env == nil {
		env = func(string) (string, bool) { return "", false }
	}
	// A UTF-8 byte order mark (left by some Windows editors) is not part
	// of the first line's text.
	text = bytes.TrimPrefix(text, []byte("\ufeff"))
	if !utf8.Valid(text) {
		return nil, &Error{File: file, Line: invalidUTF8Line(text), Msg: "the file is not UTF-8 text (TOML must be UTF-8: save it as UTF-8, not UTF-16 or Latin-1)"}
	}
	l := &loader{file: file, text: string(text), env: env, dir: cfg0Dir(file), lines: locateLines(string(text)), optionalSecrets: !secrets}

	var raw map[string]any
	if _, err := toml.Decode(string(text), &raw); err != nil {
		return nil, l.decodeError(err)
	}
	l.checkKeys(raw)
	if len(l.errs) > 0 {
		return nil, l.err()
	}
	cfg := &Config{File: file, Dir: l.dir}
	if _, err := toml.Decode(string(text), cfg); err != nil {
		return nil, l.decodeError(err)
	}
	if err := l.decodeSettings(text, cfg); err != nil {
		return nil, err
	}
	l.applyEnv(cfg)
	files := l.useSecretFiles(cfg)
	for i := range cfg.Sources {
		cfg.Sources[i].Line = l.lines.line("source[" + strconv.Itoa(i) + "]")
	}
	for i := range cfg.Expects {
		cfg.Expects[i].Line = l.lines.line("expect[" + strconv.Itoa(i) + "]")
	}
	for i := range cfg.Receivers {
		cfg.Receivers[i].Line = l.lines.line("receiver[" + strconv.Itoa(i) + "]")
	}
	for i := range cfg.Routes {
		cfg.Routes[i].Line = l.lines.line("route[" + strconv.Itoa(i) + "]")
	}
	l.validate(cfg)
	files.restore()
	cfg.sourceSecrets = l.sourceSecrets
	if len(l.errs) > 0 {
		return nil, l.err()
	}
	return cfg, nil
}

type loader struct {
	file  string
	text  string // the file's text, to quote a value a message is about
	dir   string // the config's folder, for relative paths and *_file secrets
	env   LookupEnv
	lines lines
	// fromEnv names the variable that set a key (its path, as lines
	// has it): a problem with the value names the variable, not a line
	// of the file, which does not hold it.
	fromEnv map[string]string
	errs    []*Error
	// sourceSecrets collects the sources' secrets as Check resolves them.
	sourceSecrets []secretSlot
	// optionalSecrets leaves unset secret variables empty instead of
	// reporting them.
	optionalSecrets bool
}

func (l *loader) errorAt(path, msg string) {
	if name, ok := l.fromEnv[path]; ok {
		l.errs = append(l.errs, &Error{File: l.file, Msg: name + ": " + msg})
		return
	}
	l.errs = append(l.errs, &Error{File: l.file, Line: l.lines.line(path), Msg: msg})
}

func (l *loader) err() error {
	sort.SliceStable(l.errs, func(i, j int) bool { return l.errs[i].Line < l.errs[j].Line })
	errs := make([]error, len(l.errs))
	for i, e := range l.errs {
		errs[i] = e
	}
	return errors.Join(errs...)
}

var lineInMsg = regexp.MustCompile(`^toml: line (\d+)(?: \(last key "([^"]*)"\))?: (.*)$`)

// decodeError turns a TOML error into one located line.
func (l *loader) decodeError(err error) error {
	var pe toml.ParseError
	if errors.As(err, &pe) {
		if pe.LastKey != "" && strings.HasPrefix(pe.Message, "want ") { // a value our decoder (StringList) refused
			return &Error{File: l.file, Line: pe.Position.Line, Msg: l.keyMessage(pe.LastKey, pe.Message, pe.Position.Line)}
		}
		return &Error{File: l.file, Line: pe.Position.Line, Msg: "invalid TOML: " + pe.Message}
	}
	msg := err.Error()
	if m := lineInMsg.FindStringSubmatch(msg); m != nil {
		n, _ := strconv.Atoi(m[1])
		detail := m[3]
		if plain, ok := l.plainTypeError(m[2], detail, n); ok && m[2] != "" {
			detail = plain
		} else if m[2] != "" {
			detail = fmt.Sprintf("%s: %s", m[2], strings.TrimPrefix(detail, "incompatible types: "))
		}
		return &Error{File: l.file, Line: n, Msg: detail}
	}
	return &Error{File: l.file, Msg: strings.TrimPrefix(msg, "toml: ")}
}

// secret resolves an *_env setting; an unset or empty variable is an error.
func (l *loader) secret(path, key, varName, owner string) Secret {
	if varName == "" {
		return Secret{}
	}
	v, ok := l.lookup(path, varName)
	if (!ok || v == "") && l.optionalSecrets {
		return Secret{}
	}
	if !ok || v == "" {
		l.errorAt(path, fmt.Sprintf("%s: environment variable %s (%s) is not set", owner, varName, key))
		return Secret{}
	}
	return NewSecret(v)
}

// invalidUTF8Line is the line of the first byte that is not UTF-8.
func invalidUTF8Line(b []byte) int {
	line := 1
	for len(b) > 0 {
		r, n := utf8.DecodeRune(b)
		if r == utf8.RuneError && n <= 1 {
			return line
		}
		if r == '\n' {
			line++
		}
		b = b[n:]
	}
	return line
}

// cfg0Dir is the folder of the config file, "" when unknown.
func cfg0Dir(file string) string {
	if abs, err := filepath.Abs(file); err == nil {
		return filepath.Dir(abs)
	}
	return ""
}

// decodeSettings decodes each source's own keys into the config struct of
// its type; the common keys are already decoded into Source.
func (l *loader) decodeSettings(text []byte, cfg *Config) error {
	var prims struct {
		Source []toml.Primitive `toml:"source"`
	}
	md, err := toml.Decode(string(text), &prims)
	if err != nil {
		return l.decodeError(err)
	}
	for i := range cfg.Sources {
		if i >= len(prims.Source) {
			break
		}
		sc, ok := newTypeConfig(cfg.Sources[i].Type)
		if !ok {
			continue // reported by validate
		}
		if err := md.PrimitiveDecode(prims.Source[i], sc); err != nil {
			return l.decodeError(err)
		}
		cfg.Sources[i].Settings = sc
	}
	return nil
}
