package config

import (
	"fmt"
	"net/mail"
	"net/url"
	"path"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/driftwatch/driftwatch/watcher"
)

// validateReceivers checks the [[receiver]] and [[route]] tables, and
// turns [notify.slack] into the one receiver it stands for, with a hint
// on how to move to [[receiver]].
func (l *loader) validateReceivers(c *Config) {
	if s := c.Notify.Slack; s != nil {
		if len(c.Receivers) > 0 {
			l.errorAt("notify.slack", "notify.slack: use [[receiver]] tables or [notify.slack], not both: move it to a [[receiver]] with type = \"slack\"")
			return
		}
		plain := func(env string) string { // a *_file secret's twin is restored to "" after loading
			if strings.HasPrefix(env, fileRef) {
				return ""
			}
			return env
		}
		c.LegacySlack = &Receiver{Name: LegacySlackReceiver, Type: ReceiverSlack, MinSeverity: s.MinSeverity,
			SendResolved: s.SendResolved, WebhookURLEnv: plain(s.WebhookURLEnv), TokenEnv: plain(s.TokenEnv),
			WebhookURLFile: s.WebhookURLFile, TokenFile: s.TokenFile, Channel: s.Channel,
			DigestChannel: c.Digest.Channel, APIURL: s.APIURL, WebhookURL: s.WebhookURL, Token: s.Token, Legacy: true,
			Line: l.lines.line("notify.slack")}
		key := "webhook_url_env = " + strconv.Quote(s.WebhookURLEnv)
		switch {
		case s.WebhookURLFile != "":
			key = "webhook_url_file = " + strconv.Quote(s.WebhookURLFile)
		case s.TokenFile != "":
			key = "token_file = " + strconv.Quote(s.TokenFile) + ", channel = " + strconv.Quote(s.Channel)
		case s.TokenEnv != "":
			key = "token_env = " + strconv.Quote(s.TokenEnv) + ", channel = " + strconv.Quote(s.Channel)
		}
		c.Hints = append(c.Hints, fmt.Sprintf("%s: [notify.slack] still works, as one Slack receiver for every notice; "+
			"to route notices or add receivers, replace it with [[receiver]] name = %q, type = \"slack\", %s "+
			"(min_severity and send_resolved move along; [digest] channel becomes digest_channel)",
			c.File, LegacySlackReceiver, key))
		if len(c.Routes) > 0 {
			l.errorAt("route[0]", "route: [[route]] needs [[receiver]] tables: move [notify.slack] to a [[receiver]] named \"slack\"")
		}
		return
	}
	switch {
	case c.Digest.Channel != "" && len(c.Receivers) == 0:
		l.errorAt("digest.channel", "digest: channel needs [notify.slack] with token_env (bot mode); a webhook posts to its own channel")
	case c.Digest.Channel != "":
		l.errorAt("digest.channel", "digest: channel belongs to [notify.slack]; with [[receiver]], set digest_channel on a Slack receiver in bot mode")
	}
	for i := range c.Sources {
		for _, k := range sortedStrings(c.Sources[i].Labels) {
			if !labelRE.MatchString(k) {
				l.errorAt("source["+strconv.Itoa(i)+"].labels", fmt.Sprintf("source %q: label name %q: want letters, digits, _ . -", c.Sources[i].Name, k))
			}
		}
	}
	seen := map[string]int{}
	for i := range c.Receivers {
		l.validateReceiver(i, &c.Receivers[i], seen)
	}
	for i := range c.Routes {
		l.validateRoute(c, i, &c.Routes[i], seen)
	}
	if len(c.Routes) > 0 && !slices.ContainsFunc(c.Routes, func(r Route) bool { return r.Digest }) {
		c.Warnings = append(c.Warnings, fmt.Sprintf("%s: no receiver gets the digest: with [[route]] tables, "+
			"the digest goes only to the receivers of routes with digest = true, and none has it", c.File))
	}
}

var labelRE = regexp.MustCompile(`^[A-Za-z0-9_.-]+$`)

func (l *loader) validateReceiver(i int, r *Receiver, seen map[string]int) {
	at := "receiver[" + strconv.Itoa(i) + "]"
	label := fmt.Sprintf("receiver %q", r.Name)
	switch {
	case r.Name == "":
		label = fmt.Sprintf("receiver #%d", i+1)
		l.errorAt(at, label+": name is required")
	case !nameRE.MatchString(r.Name):
		l.errorAt(at+".name", label+": name must match [a-z0-9][a-z0-9._-]*")
	default:
		if prev, dup := seen[r.Name]; dup {
			l.errorAt(at+".name", fmt.Sprintf("%s: name already used by receiver #%d", label, prev+1))
		}
		seen[r.Name] = i
	}
	if _, ok := receiverTypeKeys[r.Type]; !ok {
		msg := fmt.Sprintf("%s: unknown type %q (want one of %s)", label, r.Type, strings.Join(ReceiverTypes(), ", "))
		if r.Type == "" {
			msg = label + ": type is required (one of " + strings.Join(ReceiverTypes(), ", ") + ")"
		}
		l.errorAt(at+".type", msg)
		return
	}
	if r.MinSeverity == "" {
		r.MinSeverity = DefaultMinSeverity
	} else if !validSeverity(r.MinSeverity) {
		l.errorAt(at+".min_severity", fmt.Sprintf("%s: min_severity %q: want info, warning or breaking", label, r.MinSeverity))
	}
	secret := func(key, varName string) Secret { return l.secret(at+"."+key, key, varName, label) }
	httpURL := func(key, varName string, s Secret, want string) {
		v := s.Reveal()
		if v == "" {
			return
		}
		// The value is a secret: the message names its variable only.
		if u, err := url.Parse(v); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || !validPort(u.Port()) {
			l.errorAt(at+"."+key, fmt.Sprintf("%s: %s does not hold an http(s) URL (want %s)", label, varLabel(varName), want))
		}
	}
	switch r.Type {
	case ReceiverSlack:
		switch {
		case r.WebhookURLEnv == "" && r.TokenEnv == "":
			l.errorAt(at, label+": set webhook_url_env or token_env")
		case r.WebhookURLEnv != "" && r.TokenEnv != "":
			l.errorAt(at+".token_env", label+": set webhook_url_env or token_env, not both")
		case r.TokenEnv != "" && r.Channel == "":
			l.errorAt(at+".token_env", label+": channel is required with token_env")
		case r.WebhookURLEnv != "" && (r.Channel != "" || r.DigestChannel != ""):
			l.errorAt(at+".channel", label+": channel and digest_channel apply to token_env (bot mode) only; a webhook posts to its own channel")
		}
		if r.APIURL != "" {
			l.checkURL(at+".api_url", label+": api_url", r.APIURL)
		}
		r.WebhookURL = secret("webhook_url_env", r.WebhookURLEnv)
		httpURL("webhook_url_env", r.WebhookURLEnv, r.WebhookURL, "https://hooks.slack.com/services/...")
		r.Token = secret("token_env", r.TokenEnv)
	case ReceiverMSTeams:
		if r.WebhookURLEnv == "" {
			l.errorAt(at, label+": webhook_url_env is required (the URL of a Teams Workflows webhook)")
		}
		r.WebhookURL = secret("webhook_url_env", r.WebhookURLEnv)
		httpURL("webhook_url_env", r.WebhookURLEnv, r.WebhookURL, "the HTTP POST URL of a Teams workflow")
	case ReceiverWebhook:
		if r.URLEnv == "" {
			l.errorAt(at, label+": url_env is required")
		}
		r.URL = secret("url_env", r.URLEnv)
		httpURL("url_env", r.URLEnv, r.URL, "https://...")
		r.Secret = secret("secret_env", r.SecretEnv)
	case ReceiverEmail:
		if r.Host == "" || strings.ContainsAny(r.Host, "/: ") && !strings.HasPrefix(r.Host, "[") {
			l.errorAt(at+".host", label+": host is required: the SMTP server's name, without scheme or port")
		}
		if r.Port == 0 {
			r.Port = 587
		} else if r.Port < 0 || r.Port > 65535 {
			l.errorAt(at+".port", fmt.Sprintf("%s: port %d: want a number up to 65535", label, r.Port))
		}
		if _, err := mail.ParseAddress(r.From); err != nil {
			l.errorAt(at+".from", fmt.Sprintf("%s: from %q: want an email address", label, r.From))
		}
		if len(r.To) == 0 {
			l.errorAt(at, label+": to is required (one or more addresses)")
		}
		for _, to := range r.To {
			if _, err := mail.ParseAddress(to); err != nil {
				l.errorAt(at+".to", fmt.Sprintf("%s: to %q: want an email address", label, to))
			}
		}
		if (r.UsernameEnv == "") != (r.PasswordEnv == "") {
			l.errorAt(at, label+": set both username_env and password_env, or neither")
		}
		r.Username = secret("username_env", r.UsernameEnv)
		r.Password = secret("password_env", r.PasswordEnv)
	}
}

func (l *loader) validateRoute(c *Config, i int, r *Route, receivers map[string]int) {
	at := "route[" + strconv.Itoa(i) + "]"
	label := fmt.Sprintf("route #%d", i+1)
	if len(r.Receivers) == 0 {
		l.errorAt(at, label+": receivers is required")
	}
	for _, name := range r.Receivers {
		if _, ok := receivers[name]; !ok {
			l.errorAt(at+".receivers", fmt.Sprintf("%s: unknown receiver %q", label, name))
		}
	}
	for key, v := range map[string]string{"severity": r.Severity, "min_severity": r.MinSeverity} {
		if v != "" && !validSeverity(v) {
			l.errorAt(at+"."+key, fmt.Sprintf("%s: %s %q: want info, warning or breaking", label, key, v))
		}
	}
	globs := func(key string, pats []string) {
		for _, p := range pats {
			if _, err := path.Match(p, ""); err != nil || p == "" {
				l.errorAt(at+"."+key, fmt.Sprintf("%s: %s %q is not a valid glob", label, key, p))
			}
		}
	}
	globs("source", r.Source)
	globs("rule", r.Rule)
	for _, cat := range r.Category {
		if !watcher.Category(cat).Valid() {
			l.errorAt(at+".category", fmt.Sprintf("%s: category %q: want third-party, configuration, infrastructure or usage-growth", label, cat))
		}
	}
	for _, k := range sortedStrings(r.Labels) {
		globs("labels", []string{r.Labels[k]})
	}
	for _, s := range r.Source {
		if strings.ContainsAny(s, "*?[") {
			continue
		}
		if _, ok := c.Source(s); !ok {
			l.errorAt(at+".source", fmt.Sprintf("%s: unknown source %q", label, s))
		}
	}
}
