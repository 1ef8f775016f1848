package config

import (
	"fmt"
	"regexp"
	"strings"
	"time"
	"unicode/utf8"
)

// The TOML decoder says a value has the wrong type in Go's words
// ("TOML value has type int64; destination has type string"); a config
// error says it in the file's: "proxy: want a string, got an integer (5)".

var badTypeMsg = regexp.MustCompile(`^(?:incompatible types: )?TOML value has type (.+); destination has type (.+)$`)

// plainTypeError rewrites a decoder type mismatch about key (dotted, as
// the decoder names it) found on line of the file; ok is false for any
// other message.
func (l *loader) plainTypeError(key, detail string, line int) (string, bool) {
	m := badTypeMsg.FindStringSubmatch(detail)
	if m == nil {
		return "", false
	}
	return l.keyMessage(key, fmt.Sprintf("want %s, got %s", wantWords(m[2]), gotWords(m[1])), line), true
}

// keyMessage prefixes msg with the key's own name and follows it with the
// value as written on line, when it is there.
func (l *loader) keyMessage(key, msg string, line int) string {
	leaf := key
	if i := strings.LastIndex(key, "."); i >= 0 {
		leaf = key[i+1:]
	}
	msg = leaf + ": " + msg
	if v := l.valueOn(line, leaf); v != "" {
		msg += " (" + v + ")"
	}
	return msg
}

// wantWords names a decoder's destination type.
func wantWords(dst string) string {
	switch dst {
	case "string", "primitive (string-like)":
		return "a string"
	case "integer":
		return "a whole number"
	case "float":
		return "a number"
	case "boolean":
		return "true or false"
	case "slice":
		return "a list"
	case "map":
		return "a table"
	}
	return dst
}

// gotWords names the Go type the decoder gives a TOML value.
func gotWords(goType string) string {
	switch {
	case goType == "string":
		return "a string"
	case goType == "int64":
		return "an integer"
	case goType == "float64":
		return "a decimal number"
	case goType == "bool":
		return "a boolean"
	case strings.HasPrefix(goType, "[]"):
		return "a list"
	case strings.HasPrefix(goType, "map["):
		return "a table"
	case goType == "time.Time" || strings.HasPrefix(goType, "toml.Local"):
		return "a date or time"
	}
	return goType
}

// TypeWords names the TOML type of a decoded value, for the messages of
// custom decoders (StringList).
func TypeWords(v any) string {
	switch v.(type) {
	case time.Time:
		return "a date or time"
	}
	return gotWords(fmt.Sprintf("%T", v))
}

// valueOn quotes the value of key as written on line of the file, short,
// or "" when the line does not assign key on one line.
func (l *loader) valueOn(line int, key string) string {
	lines := strings.Split(l.text, "\n")
	if line < 1 || line > len(lines) {
		return ""
	}
	k, v, ok := strings.Cut(lines[line-1], "=")
	k = strings.TrimSpace(k)
	if i := strings.LastIndex(k, "."); i >= 0 {
		k = strings.TrimSpace(k[i+1:])
	}
	if !ok || strings.Trim(k, `"'`) != key {
		return ""
	}
	v = strings.TrimSpace(v)
	if v == "" {
		return ""
	}
	if q := v[0]; q == '"' || q == '\'' {
		if end := strings.IndexByte(v[1:], q); end >= 0 {
			v = v[:end+2]
		}
	} else if i := strings.Index(v, "#"); i >= 0 {
		v = strings.TrimSpace(v[:i])
	}
	if utf8.RuneCountInString(v) > 40 {
		v = string([]rune(v)[:39]) + "…"
	}
	return v
}
