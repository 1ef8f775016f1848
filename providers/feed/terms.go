package feed

import (
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/driftwatch/driftwatch/watcher"
)

// concern is one thing the deployed app uses, as the other sources show
// it, and how an announcement would name it.
type concern struct {
	id    string
	match func(text string) string // the words that name it, or ""
	where []string                 // who uses it, for the finding
	users []user                   // the same, as kind and name, in the same order
}

// user is one thing of the app that uses a concern: an action, a client,
// an SDK, by name.
type user struct{ kind, name, where string }

// reNode finds Node.js versions as announcements write them: "Node 18",
// "Node.js 18", "node18", "NodeJS v18.x", "Node 12, 14 and 16".
var (
	reNode     = regexp.MustCompile(`(?i)\bnode(?:\.?js)?[ \t-]*v?(\d+)(?:\.(?:x|\d+))*((?:\s*(?:,\s*(?:and|or)?|/|&|\band\b|\bor\b)\s*v?\d+(?:\.(?:x|\d+))*)*)`)
	reNodeMore = regexp.MustCompile(`v?(\d+)(?:\.(?:x|\d+))*`)
	reRuntime  = regexp.MustCompile(`^node(\d+)`)
)

// reTarget ends in the words that introduce where an announcement moves
// people to ("migrate your Actions to", "in favour of"): what follows is
// the replacement, not what is going away.
var reTarget = regexp.MustCompile(`(?i)(?:\b(?:migrat|upgrad|mov|switch|updat|chang|transition|port|bump)\w*\s+(?:\S+\s+){0,4}?(?:to|towards|onto)|\bin favou?r of|\breplaced (?:by|with)|\bnewer|\blatest)\s+(?:the\s+|a\s+)?$`)

// isTarget reports whether the words at text[i:] are a replacement the
// announcement points to.
func isTarget(text string, i int) bool {
	start := max(0, i-80)
	for start < i && !utf8.RuneStart(text[start]) {
		start++
	}
	// The expression backtracks; most words are not preceded by a
	// pointer word at all.
	w := strings.ToLower(strings.TrimRight(text[start:i], " \t\r\n"))
	for _, art := range []string{" the", " a"} {
		w = strings.TrimRight(strings.TrimSuffix(w, art), " \t\r\n")
	}
	switch w[strings.LastIndexAny(w, " \t\r\n")+1:] {
	case "to", "towards", "onto", "of", "by", "with", "newer", "latest":
		return reTarget.MatchString(text[start:i])
	}
	return false
}

// nodeMatch matches announcements naming Node major version want, and no
// other: "node1" is not "node18".
func nodeMatch(want int) func(string) string {
	return func(text string) string {
		for _, m := range reNode.FindAllStringSubmatchIndex(text, -1) {
			if isTarget(text, m[0]) {
				continue
			}
			if n, _ := strconv.Atoi(text[m[2]:m[3]]); n == want {
				return text[m[0]:m[1]]
			}
			for _, x := range reNodeMore.FindAllStringSubmatch(text[m[4]:m[5]], -1) {
				if n, _ := strconv.Atoi(x[1]); n == want {
					return text[m[0]:m[1]]
				}
			}
		}
		return ""
	}
}

// compiled caches the expressions built from the term tables and from
// strategy names, so judging does not compile them on every poll.
var compiled sync.Map // string -> *regexp.Regexp

// reMatch matches a regular expression.
func reMatch(expr string) func(string) string {
	re, ok := compiled.Load(expr)
	if !ok {
		re, _ = compiled.LoadOrStore(expr, regexp.MustCompile(expr))
	}
	return func(text string) string {
		for _, loc := range re.(*regexp.Regexp).FindAllStringIndex(text, -1) {
			if !isTarget(text, loc[0]) {
				return text[loc[0]:loc[1]]
			}
		}
		return ""
	}
}

// nameMatch matches a package or repository name as a whole word:
// "auth0-react" in "@auth0/auth0-react 2.0", not in "auth0-react-native".
func nameMatch(name string) func(string) string {
	low := strings.ToLower(name)
	inName := func(c byte) bool {
		return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_'
	}
	return func(text string) string {
		t := strings.ToLower(text)
		for off := 0; ; {
			i := strings.Index(t[off:], low)
			if i < 0 || low == "" {
				return ""
			}
			i += off
			end := i + len(low)
			before := i == 0 || !(inName(t[i-1]) || t[i-1] == '-')
			after := end == len(t) || !(inName(t[end]) || t[end] == '-' && end+1 < len(t) && inName(t[end+1]))
			if before && after && !isTarget(text, i) {
				return text[i:end]
			}
			off = i + 1
		}
	}
}

// grantTerms name grant types as announcements do.
var grantTerms = map[string]string{
	"implicit": `(?i)\bimplicit\b`,
	"password": `(?i)\bresource owner password\b|\bROPG\b|\bpassword grant\b|\bpassword-realm\b`,
	"http://auth0.com/oauth/grant-type/password-realm": `(?i)\bresource owner password\b|\bROPG\b|\bpassword grant\b|\bpassword-realm\b`,
	"refresh_token":      `(?i)\brefresh[ _-]tokens?\b`,
	"client_credentials": `(?i)\bclient[ _-]credentials\b`,
	"authorization_code": `(?i)\bauthorization[ _-]code\b`,
	"urn:ietf:params:oauth:grant-type:device_code":    `(?i)\bdevice (?:code|authorization|flow)\b`,
	"urn:ietf:params:oauth:grant-type:token-exchange": `(?i)\btoken exchange\b`,
}

// strategyTerms name connection strategies as announcements do; others
// are matched by their own name.
var strategyTerms = map[string]string{
	"auth0":         `(?i)\bcustom database\b|\bdatabase connections?\b`,
	"google-oauth2": `(?i)\bgoogle\b`,
	"waad":          `(?i)\bazure ad\b|\bazure active directory\b|\bmicrosoft entra\b|\bwaad\b`,
	"samlp":         `(?i)\bsaml\b`,
	"oidc":          `(?i)\boidc connections?\b|\bopenid connect\b`,
	"okta":          `(?i)\bokta (?:workforce|connections?|enterprise)\b`,
	"adfs":          `\bADFS\b`,
	"sms":           `(?i)\bsms\b`,
	"email":         `(?i)\bpasswordless email\b|\bmagic links?\b|\bemail (?:otp|passwordless)\b`,
	"windowslive":   `(?i)\bmicrosoft account\b|\bwindows live\b`,
	"apple":         `(?i)\bsign in with apple\b|\bapple\b`,
	"oauth1":        `(?i)\bcustom social connections?\b|\boauth ?1\b`,
	"oauth2":        `(?i)\bcustom social connections?\b|\bcustom oauth ?2\b`,
}

// concerns gathers what the deployed app uses from the other sources'
// footprints.
func concerns(j *watcher.Judgement) []*concern {
	byID := map[string]*concern{}
	add := func(id string, match func(string) string, u user) {
		c, ok := byID[id]
		if !ok {
			c = &concern{id: id, match: match}
			byID[id] = c
		}
		c.users = append(c.users, u)
	}
	if j.Peers == nil {
		return nil
	}
	for _, fp := range j.Peers.Footprints() {
		for _, u := range fp.Uses {
			useConcern(u, add)
		}
	}
	out := make([]*concern, 0, len(byID))
	for _, c := range byID {
		sort.Slice(c.users, func(a, b int) bool { return c.users[a].where < c.users[b].where })
		for _, u := range c.users {
			c.where = append(c.where, u.where)
		}
		out = append(out, c)
	}
	sort.Slice(out, func(a, b int) bool { return out[a].id < out[b].id })
	return out
}

// useConcern turns one thing the app uses into the words that name it.
func useConcern(u watcher.Use, add func(string, func(string) string, user)) {
	who := user{u.User, u.UserName, u.Where}
	switch u.Kind {
	case watcher.UseRuntime:
		if m := reRuntime.FindStringSubmatch(u.Name); m != nil {
			n, _ := strconv.Atoi(m[1])
			add("node:"+m[1], nodeMatch(n), who)
		}
	case watcher.UseFeature:
		if u.Name == "" {
			return
		}
		word := strings.ToUpper(u.Name[:1]) + u.Name[1:]
		expr := `\b` + regexp.QuoteMeta(word) + `\b`
		if u.Name == "rules" || u.Name == "hooks" {
			expr += `|(?i:\brules (?:and|&) hooks\b)`
		}
		add(u.Name, reMatch(expr), who)
	case watcher.UseGrant:
		if expr, ok := grantTerms[u.Name]; ok {
			add("grant:"+expr, reMatch(expr), who)
		}
	case watcher.UseStrategy:
		expr, ok := strategyTerms[u.Name]
		if !ok {
			expr = `(?i)\b` + strings.NewReplacer("-", "[ _-]", "_", "[ _-]").Replace(regexp.QuoteMeta(u.Name)) + `\b`
		}
		add("strategy:"+u.Name, reMatch(expr), who)
	case watcher.UsePackage:
		if u.Name != "" {
			add("sdk:"+strings.ToLower(u.Name), nameMatch(u.Name), who)
		}
	}
}
