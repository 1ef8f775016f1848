package config

import "fmt"

// Labels describe a source for routing (team = "identity"). A type of its
// own so that a value that is not a table of strings is an error: the TOML
// decoder would otherwise drop `labels = 5` without a word.
type Labels map[string]string

// UnmarshalTOML accepts only a table whose values are strings.
func (l *Labels) UnmarshalTOML(v any) error {
	m, ok := v.(map[string]any)
	if !ok {
		return fmt.Errorf("want a table of strings such as {team = \"identity\"}, got %s", TypeWords(v))
	}
	out := make(Labels, len(m))
	for k, e := range m {
		s, ok := e.(string)
		if !ok {
			return fmt.Errorf("want a table of strings such as {team = \"identity\"}, got %s for %q", TypeWords(e), k)
		}
		out[k] = s
	}
	*l = out
	return nil
}
