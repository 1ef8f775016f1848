package config

import (
	"fmt"
	"reflect"
	"sort"
	"strconv"
	"strings"
	"sync"
)

// SourceConfig is a source type's own keys, decoded strictly from its
// [[source]] table beside the common ones (name, type, schedule, ignore,
// timeout). Its struct's toml tags are the keys the type accepts.
type SourceConfig interface {
	// Validate checks the keys, fills defaults and resolves secrets,
	// reporting each problem through c.
	Validate(c *Check)
}

// The known source types, by name: each a constructor of a fresh config
// with its defaults. The providers package fills it from its registry, the
// only list of types.
var (
	typesMu sync.RWMutex
	types   = map[string]func() SourceConfig{}
)

// RegisterType makes a source type known to the loader. A second
// registration of a name panics: two types cannot share a name.
func RegisterType(name string, newConfig func() SourceConfig) {
	typesMu.Lock()
	defer typesMu.Unlock()
	if _, dup := types[name]; dup {
		panic("config: source type " + strconv.Quote(name) + " registered twice")
	}
	if t := reflect.TypeOf(newConfig()); t.Kind() != reflect.Pointer || t.Elem().Kind() != reflect.Struct {
		panic("config: source type " + strconv.Quote(name) + ": its config must be a pointer to a struct")
	}
	types[name] = newConfig
}

// Types lists the known source types.
func Types() []string {
	typesMu.RLock()
	defer typesMu.RUnlock()
	out := make([]string, 0, len(types))
	for t := range types {
		out = append(out, t)
	}
	sort.Strings(out)
	return out
}

func newTypeConfig(name string) (SourceConfig, bool) {
	typesMu.RLock()
	defer typesMu.RUnlock()
	f, ok := types[name]
	if !ok {
		return nil, false
	}
	return f(), true
}

// typeKeys returns the keys a type accepts, read from its struct's tags.
func typeKeys(name string) (reflect.Type, bool) {
	c, ok := newTypeConfig(name)
	if !ok {
		return nil, false
	}
	return reflect.TypeOf(c).Elem(), true
}

// tomlFields maps each toml key of a struct to its field's type.
func tomlFields(t reflect.Type) map[string]reflect.Type {
	out := map[string]reflect.Type{}
	for i := range t.NumField() {
		f := t.Field(i)
		if !f.IsExported() {
			continue
		}
		tag, _, _ := strings.Cut(f.Tag.Get("toml"), ",")
		switch {
		case tag == "-":
			continue
		case f.Anonymous && tag == "":
			ft := f.Type
			if ft.Kind() == reflect.Pointer {
				ft = ft.Elem()
			}
			if ft.Kind() == reflect.Struct {
				for k, v := range tomlFields(ft) {
					out[k] = v
				}
				continue
			}
		case tag == "":
			tag = f.Name
		}
		out[tag] = f.Type
	}
	return out
}

// tableType returns the struct a key's value decodes into as a table (or
// array of tables), if any.
func tableType(t reflect.Type) (reflect.Type, bool) {
	for t.Kind() == reflect.Pointer || t.Kind() == reflect.Slice || t.Kind() == reflect.Array {
		t = t.Elem()
	}
	return t, t.Kind() == reflect.Struct
}

// unknownIn reports every key of a nested table that its struct does not
// declare, with its line.
func (l *loader) unknownIn(at string, raw map[string]any, t reflect.Type, where string) {
	fields := tomlFields(t)
	for _, k := range sortedKeys(raw) {
		ft, ok := fields[k]
		if !ok {
			l.errorAt(at+"."+k, fmt.Sprintf("unknown key %q %s", k, where))
			continue
		}
		st, isTable := tableType(ft)
		if !isTable {
			continue
		}
		if m, ok := table(raw[k]); ok {
			l.unknownIn(at+"."+k, m, st, where)
			continue
		}
		for j, m := range tables(raw[k]) {
			l.unknownIn(at+"."+k+"["+strconv.Itoa(j)+"]", m, st, where)
		}
	}
}

// Check is what a source type's Validate reports problems through: each
// message names the source and the line of the key it is about.
type Check struct {
	l   *loader
	at  string
	src *Source
	// Label names the source in messages: source "auth0-prod".
	Label string
	// Name and Type are the source's name and type.
	Name, Type string
	// Dir is the config file's folder, for relative paths.
	Dir string
}

// Errorf reports a problem with key ("" for the source as a whole); the
// message is prefixed with the source's label.
func (c *Check) Errorf(key, format string, args ...any) {
	path := c.at
	if key != "" {
		path += "." + key
	}
	c.l.errorAt(path, c.Label+": "+fmt.Sprintf(format, args...))
}

// Required reports a key left empty; it returns whether the value is set.
func (c *Check) Required(key, value string) bool {
	if value == "" {
		c.Errorf("", "%s is required for %s sources", key, c.Type)
		return false
	}
	return true
}

// URL checks an http(s) URL, when set.
func (c *Check) URL(key, value string) {
	if value != "" {
		c.l.checkURL(c.at+"."+key, c.Label+": "+key, value)
	}
}

// Secret resolves the secret of a key pair: base+"_env" names the
// environment variable holding it, base+"_file" a file (a Docker or
// systemd credential); at most one of them is set. An unset variable or
// an unreadable file is reported (except for commands that only read the
// store). The value is stored in dst.
func (c *Check) Secret(base, env, file string, dst *Secret) {
	c.SecretFrom(base+"_env", env, base+"_file", file, func(v Secret) { *dst = v })
}

// SecretFrom resolves one secret named by the variable env (under key
// envKey) or the file file (under fileKey), never both, and keeps it with
// set; a key may name a table entry, as "headers_env.Authorization".
func (c *Check) SecretFrom(envKey, env, fileKey, file string, set func(Secret)) {
	if env != "" && file != "" {
		c.Errorf(fileKey, "set %s or %s, not both", envKey, fileKey)
		return
	}
	key, name := envKey, env
	if file != "" {
		key, name = fileKey, fileRef+fileKey+"\x00"+file
	}
	v := c.l.secret(c.at+"."+key, key, name, c.Label)
	set(v)
	if c.src != nil {
		c.l.sourceSecrets = append(c.l.sourceSecrets, secretSlot{source: c.src, envKey: envKey, fileKey: fileKey,
			env: env, file: file, value: v, set: set})
	}
}

// SecretOf is SecretFrom for an entry of a table of variables and its
// table of files, such as headers_env and headers_file.
func (c *Check) SecretOf(envKey, fileKey, name string, env, file map[string]string, set func(Secret)) {
	c.SecretFrom(envKey+"."+name, env[name], fileKey+"."+name, file[name], set)
}

// Thresholds validates a source's [[source.threshold]] tables under key
// and fills their defaults.
func (c *Check) Thresholds(key string, ts []Threshold) {
	for j := range ts {
		c.l.validateThreshold(c.at+"."+key+"["+strconv.Itoa(j)+"]", c.Label, &ts[j])
	}
}
