package config_test

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"log/slog"
	"os"
	"strings"
	"testing"

	"github.com/driftwatch/driftwatch/config"
	"github.com/driftwatch/driftwatch/providers/github"
	"github.com/driftwatch/driftwatch/providers/httpjson"
)

func TestSecretRedacted(t *testing.T) {
	const value = "xoxb-very-secret"
	s := config.NewSecret(value)
	if got := s.Reveal(); got != value {
		t.Errorf("Reveal() = %q, want %q", got, value)
	}
	for _, tt := range []struct{ format, want string }{
		{"%v", "[redacted]"},
		{"%s", "[redacted]"},
		{"%+v", "[redacted]"},
		{"%#v", `"[redacted]"`},
		{"%q", `"[redacted]"`},
	} {
		if got := fmt.Sprintf(tt.format, s); got != tt.want {
			t.Errorf("Sprintf(%q) = %q, want %q", tt.format, got, tt.want)
		}
	}
	b, err := json.Marshal(map[string]config.Secret{"token": s})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := string(b), `{"token":"[redacted]"}`; got != want {
		t.Errorf("json = %s, want %s", got, want)
	}
	var buf bytes.Buffer
	slog.New(slog.NewTextHandler(&buf, nil)).Info("posting", "token", s)
	if !strings.Contains(buf.String(), "token=[redacted]") || strings.Contains(buf.String(), value) {
		t.Errorf("slog text = %q, want token=[redacted]", buf.String())
	}
	buf.Reset()
	slog.New(slog.NewJSONHandler(&buf, nil)).Info("posting", "token", s)
	if !strings.Contains(buf.String(), `"token":"[redacted]"`) || strings.Contains(buf.String(), value) {
		t.Errorf("slog json = %q, want \"token\":\"[redacted]\"", buf.String())
	}
}

// TestConfigNeverShowsSecrets prints, marshals and logs a whole loaded
// config every way a careless caller might and looks for the values.
func TestConfigNeverShowsSecrets(t *testing.T) {
	text, err := os.ReadFile("testdata/full.toml")
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := config.Parse("testdata/full.toml", text, env(fullEnv))
	if err != nil {
		t.Fatal(err)
	}
	// Wrong verbs make fmt print operands without calling String; those
	// outputs must not show values either, though they carry no marker.
	// A source's settings sit behind a pointer, which fmt shows as an
	// address inside a struct: printed whole, they show the marker.
	var outputs, wrongVerb []string
	for _, f := range []string{"%v", "%+v", "%#v", "%s"} {
		wrongVerb = append(wrongVerb, fmt.Sprintf(f, cfg), fmt.Sprintf(f, *cfg), fmt.Sprintf(f, cfg.Sources))
		for _, src := range cfg.Sources {
			if src.Type != "feed" {
				outputs = append(outputs, fmt.Sprintf(f, src.Settings))
			}
		}
	}
	for _, f := range []string{"%x", "%d", "%t"} {
		wrongVerb = append(wrongVerb, fmt.Sprintf(f, cfg), fmt.Sprintf(f, *cfg), fmt.Sprintf(f, cfg.Sources))
	}
	b, err := json.Marshal(cfg)
	if err != nil {
		t.Fatal(err)
	}
	outputs = append(outputs, string(b))
	var text1, json1 bytes.Buffer
	for _, h := range []slog.Handler{slog.NewTextHandler(&text1, nil), slog.NewJSONHandler(&json1, nil)} {
		l := slog.New(h)
		l.Info("loaded", "config", cfg, "slack", cfg.Notify.Slack, "source", cfg.Sources[0])
		l.Info("loaded", "headers", cfg.Sources[3].Settings.(*httpjson.Settings).Headers, "token", cfg.Sources[1].Settings.(*github.Settings).Token)
	}
	outputs = append(outputs, text1.String(), json1.String())

	for _, out := range outputs {
		if !strings.Contains(out, "[redacted]") {
			t.Errorf("output shows no redaction marker: %.200s", out)
		}
	}
	for _, out := range append(outputs, wrongVerb...) {
		for name, v := range fullEnv {
			if strings.Contains(out, v) || strings.Contains(out, hex.EncodeToString([]byte(v))) {
				t.Errorf("output reveals %s: %.300s", name, out)
			}
		}
	}
}
