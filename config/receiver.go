package config

import (
	"fmt"
	"sort"
)

// The receiver types.
const (
	ReceiverSlack   = "slack"
	ReceiverMSTeams = "msteams"
	ReceiverWebhook = "webhook"
	ReceiverEmail   = "email"
)

// LegacySlackReceiver names the receiver [notify.slack] stands for.
const LegacySlackReceiver = "slack"

// Receiver is one [[receiver]] table: a named destination of notices.
// Which keys apply depends on its type.
type Receiver struct {
	Name         string `toml:"name"`
	Type         string `toml:"type"`
	MinSeverity  string `toml:"min_severity"`
	SendResolved *bool  `toml:"send_resolved,omitempty"`

	// slack: WebhookURLEnv, or TokenEnv with Channel. msteams:
	// WebhookURLEnv (a Workflows webhook URL).
	WebhookURLEnv  string `toml:"webhook_url_env"`
	WebhookURLFile string `toml:"webhook_url_file"`
	TokenEnv       string `toml:"token_env"`
	TokenFile      string `toml:"token_file"`
	Channel        string `toml:"channel"`
	DigestChannel  string `toml:"digest_channel"`
	APIURL         string `toml:"api_url"`

	// webhook
	URLEnv     string `toml:"url_env"`
	URLFile    string `toml:"url_file"`
	SecretEnv  string `toml:"secret_env"`
	SecretFile string `toml:"secret_file"`

	// email
	Host              string   `toml:"host"`
	Port              int      `toml:"port,omitempty"`
	From              string   `toml:"from"`
	To                []string `toml:"to,omitempty"`
	UsernameEnv       string   `toml:"username_env"`
	UsernameFile      string   `toml:"username_file"`
	PasswordEnv       string   `toml:"password_env"`
	PasswordFile      string   `toml:"password_file"`
	InsecurePlaintext bool     `toml:"insecure_plaintext,omitempty"`

	// Resolved secrets.
	WebhookURL Secret `toml:"-"`
	Token      Secret `toml:"-"`
	URL        Secret `toml:"-"`
	Secret     Secret `toml:"-"`
	Username   Secret `toml:"-"`
	Password   Secret `toml:"-"`

	// Legacy is set on the receiver [notify.slack] stands for.
	Legacy bool `toml:"-"`
	// Line is where the receiver is declared.
	Line int `toml:"-"`
}

// CanEdit reports whether the receiver keeps one message per finding
// current (Slack in bot mode).
func (r *Receiver) CanEdit() bool {
	return r.Type == ReceiverSlack && (r.TokenEnv != "" || r.TokenFile != "")
}

// GetsHandled reports whether the receiver is told when a finding is
// acknowledged or silenced: one that keeps a message per finding edits it
// to say so, and a webhook's machine consumer (a ticket bot) tracks the
// finding's state. A chat channel or mailbox without a message to edit is
// not: a new message saying someone handled it would be noise.
func (r *Receiver) GetsHandled() bool {
	return r.CanEdit() || r.Type == ReceiverWebhook
}

// MissingSecret reports whether a secret the receiver needs to deliver
// is unset: in a config read without its secrets.
func (r *Receiver) MissingSecret() bool {
	switch r.Type {
	case ReceiverSlack:
		return r.WebhookURL.Reveal() == "" && r.Token.Reveal() == ""
	case ReceiverMSTeams:
		return r.WebhookURL.Reveal() == ""
	case ReceiverWebhook:
		return r.URL.Reveal() == "" || ((r.SecretEnv != "" || r.SecretFile != "") && r.Secret.Reveal() == "")
	case ReceiverEmail:
		return (r.UsernameEnv != "" || r.UsernameFile != "") && r.Password.Reveal() == ""
	}
	return false
}

// secretFiles lists the receiver's *_file keys with their *_env twins.
func (r *Receiver) secretFiles(at, owner string) []secretFile {
	sf := func(base string, file, env *string) secretFile {
		return secretFile{at + "." + base + "_file", owner, base + "_file", base + "_env", file, env}
	}
	return []secretFile{sf("webhook_url", &r.WebhookURLFile, &r.WebhookURLEnv), sf("token", &r.TokenFile, &r.TokenEnv),
		sf("url", &r.URLFile, &r.URLEnv), sf("secret", &r.SecretFile, &r.SecretEnv),
		sf("username", &r.UsernameFile, &r.UsernameEnv), sf("password", &r.PasswordFile, &r.PasswordEnv)}
}

// secretSlots lists the receiver's resolved secrets with their keys.
func (r *Receiver) secretSlots() []secretSlot {
	field := func(base, env, file string, p *Secret) secretSlot {
		return secretSlot{nil, base + "_env", base + "_file", env, file, *p, func(v Secret) { *p = v }}
	}
	return []secretSlot{field("webhook_url", r.WebhookURLEnv, r.WebhookURLFile, &r.WebhookURL),
		field("token", r.TokenEnv, r.TokenFile, &r.Token), field("url", r.URLEnv, r.URLFile, &r.URL),
		field("secret", r.SecretEnv, r.SecretFile, &r.Secret), field("username", r.UsernameEnv, r.UsernameFile, &r.Username),
		field("password", r.PasswordEnv, r.PasswordFile, &r.Password)}
}

// Route is one [[route]] table: which notices go to which receivers.
// Routes are checked in order; the first that matches decides, unless it
// says continue.
type Route struct {
	// Matchers; an empty one matches everything.
	Severity string            `toml:"severity"`           // at least this severe
	Source   StringList        `toml:"source,omitempty"`   // source names or globs
	Category StringList        `toml:"category,omitempty"` // finding categories
	Rule     StringList        `toml:"rule,omitempty"`     // rule names or globs
	Labels   map[string]string `toml:"labels,omitempty"`   // source labels, all must match (values may be globs)

	Receivers    []string `toml:"receivers"`
	MinSeverity  string   `toml:"min_severity"`
	SendResolved *bool    `toml:"send_resolved,omitempty"`
	Digest       bool     `toml:"digest,omitempty"`
	Continue     bool     `toml:"continue,omitempty"`

	// Line is where the route is declared.
	Line int `toml:"-"`
}

// StringList is a TOML string or array of strings.
type StringList []string

// UnmarshalTOML accepts "x" and ["x", "y"].
func (s *StringList) UnmarshalTOML(v any) error {
	switch x := v.(type) {
	case string:
		*s = StringList{x}
		return nil
	case []any:
		out := make(StringList, 0, len(x))
		for _, e := range x {
			str, ok := e.(string)
			if !ok {
				return fmt.Errorf("want a string or a list of strings, got %s in the list", TypeWords(e))
			}
			out = append(out, str)
		}
		*s = out
		return nil
	}
	return fmt.Errorf("want a string or a list of strings, got %s", TypeWords(v))
}

// receiverKeys are the keys each receiver type accepts beyond the common ones.
var (
	receiverCommonKeys = keySet("name", "type", "min_severity", "send_resolved")
	receiverTypeKeys   = map[string]map[string]bool{
		ReceiverSlack:   keySet("webhook_url_env", "webhook_url_file", "token_env", "token_file", "channel", "digest_channel", "api_url"),
		ReceiverMSTeams: keySet("webhook_url_env", "webhook_url_file"),
		ReceiverWebhook: keySet("url_env", "url_file", "secret_env", "secret_file"),
		ReceiverEmail: keySet("host", "port", "from", "to", "username_env", "username_file", "password_env", "password_file",
			"insecure_plaintext"),
	}
	routeKeys = keySet("severity", "source", "category", "rule", "labels", "receivers", "min_severity",
		"send_resolved", "digest", "continue")
)

// ReceiverTypes lists the known receiver types.
func ReceiverTypes() []string {
	out := make([]string, 0, len(receiverTypeKeys))
	for t := range receiverTypeKeys {
		out = append(out, t)
	}
	sort.Strings(out)
	return out
}
