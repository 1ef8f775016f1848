package config

import (
	"fmt"
	"reflect"
	"strconv"
	"strings"
)

// EnvPrefix starts every variable that overrides a config key.
const EnvPrefix = "DRIFTWATCH_"

// The environment overrides every scalar key of the file, by one rule:
//
//	[store] path                     DRIFTWATCH_STORE_PATH
//	[server] listen                  DRIFTWATCH_SERVER_LISTEN
//	[notify.slack] webhook_url_env   DRIFTWATCH_NOTIFY_SLACK_WEBHOOK_URL_ENV
//	[[source]] name = "auth0-prod"   DRIFTWATCH_SOURCE_AUTH0_PROD_SCHEDULE
//	[[receiver]] name = "oncall"     DRIFTWATCH_RECEIVER_ONCALL_URL_ENV
//
// that is DRIFTWATCH_, the table's path, then the key, upper-cased, with
// "." and "-" as "_". A set, non-empty variable wins over the file (and a
// command-line flag such as --store wins over both). A [notify.slack]
// table missing from the file is created when one of its variables is
// set. Lists and tables ([[expect]], [[source.threshold]], ignore,
// headers_env, headers_file) and a source's name and type stay in the
// file. Values are parsed as their key's type: a number, true or false.
func (l *loader) applyEnv(c *Config) {
	l.envTable("store", "store", &c.Store)
	l.envTable("digest", "digest", &c.Digest)
	l.envTable("server", "server", &c.Server)
	slack := c.Notify.Slack
	if slack == nil {
		slack = &Slack{}
	}
	if l.envTable("notify.slack", "notify.slack", slack) {
		c.Notify.Slack = slack
	}
	for i := range c.Sources {
		s := &c.Sources[i]
		if s.Name == "" || s.Settings == nil {
			continue
		}
		at := "source[" + strconv.Itoa(i) + "]"
		l.envFields("source."+s.Name, at, reflect.ValueOf(s).Elem(), map[string]bool{"schedule": true, "timeout": true})
		l.envFields("source."+s.Name, at, reflect.ValueOf(s.Settings).Elem(), nil)
	}
	for i := range c.Receivers {
		r := &c.Receivers[i]
		allowed, known := receiverTypeKeys[r.Type]
		if !known || r.Name == "" {
			continue
		}
		keys := map[string]bool{"min_severity": true, "send_resolved": true}
		for k := range allowed {
			keys[k] = true
		}
		l.envFields("receiver."+r.Name, "receiver["+strconv.Itoa(i)+"]", reflect.ValueOf(r).Elem(), keys)
	}
}

// EnvName is the variable that overrides a key: EnvName("store.path") is
// DRIFTWATCH_STORE_PATH; a source's key is "source.NAME.KEY".
func EnvName(key string) string {
	return EnvPrefix + strings.ToUpper(strings.NewReplacer(".", "_", "-", "_").Replace(key))
}

// envTable overrides the scalar fields of one table; it reports whether
// any variable was set.
func (l *loader) envTable(table, path string, dst any) bool {
	return l.envFields(table, path, reflect.ValueOf(dst).Elem(), nil)
}

func (l *loader) envFields(table, path string, v reflect.Value, only map[string]bool) bool {
	set := false
	t := v.Type()
	for i := 0; i < t.NumField(); i++ {
		key, _, _ := strings.Cut(t.Field(i).Tag.Get("toml"), ",")
		if key == "" || key == "-" || (only != nil && !only[key]) {
			continue
		}
		name := EnvName(table + "." + key)
		val, ok := l.env(name)
		if !ok || val == "" {
			continue
		}
		if err := setScalar(v.Field(i), val); err != nil {
			l.errs = append(l.errs, &Error{File: l.file, Msg: fmt.Sprintf("%s=%q (overrides %s): %v", name, val, key, err)})
			continue
		}
		// Problems with the value are the variable's, not the file's line.
		l.lines[path+"."+key] = 0
		if l.fromEnv == nil {
			l.fromEnv = map[string]string{}
		}
		l.fromEnv[path+"."+key] = name
		set = true
	}
	return set
}

// setScalar parses s into a string, number or boolean field; lists and
// maps are not taken from the environment.
func setScalar(f reflect.Value, s string) error {
	if f.Kind() == reflect.Pointer && f.Type().Elem().Kind() == reflect.Bool {
		b, err := strconv.ParseBool(s)
		if err != nil {
			return fmt.Errorf("want true or false")
		}
		f.Set(reflect.ValueOf(&b))
		return nil
	}
	switch f.Kind() {
	case reflect.String:
		f.SetString(s)
	case reflect.Bool:
		b, err := strconv.ParseBool(s)
		if err != nil {
			return fmt.Errorf("want true or false")
		}
		f.SetBool(b)
	case reflect.Int, reflect.Int64:
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			return fmt.Errorf("want an integer")
		}
		f.SetInt(n)
	case reflect.Float64:
		n, err := strconv.ParseFloat(s, 64)
		if err != nil {
			return fmt.Errorf("want a number")
		}
		f.SetFloat(n)
	default:
		return fmt.Errorf("lists and tables are set in the file only")
	}
	return nil
}
