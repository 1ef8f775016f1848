package github

import (
	"regexp"
	"strings"
)

// Security: advisory ids, vulnerability classes and "security fix" words;
// tooling and marketing lines are not fixes.
var (
	reCVE       = regexp.MustCompile(`(?i)\bCVE[-\s]\d{4}[-\s]\d{4,7}\b`)
	reGHSA      = regexp.MustCompile(`(?i)\bGHSA(?:-[23456789cfghjmpqrvwx]{4}){3}\b`)
	reAdvisory  = regexp.MustCompile(`(?i)github\.com/(?:advisories/|[\w.-]+/[\w.-]+/security/advisories/)|\bsecurity\s+advisor(?:y|ies)\b`)
	reVulnClass = regexp.MustCompile(`(?i)\bvulnerab(?:le|ility|ilities)\b|\b(?:XSS|CSRF|XSRF|SSRF|RCE|XXE|ReDoS)\b|\bcross[\s-]site\s+(?:scripting|request\s+forgery)\b|\bserver[\s-]side\s+request\s+forgery\b|\b(?:remote\s+)?code\s+execution\b|\b(?:sql|nosql|command|code|header|template|html|script|ldap|xpath|log|crlf|prototype|argument|shell|os|host\s+header)[\s-]injection\b|\binjection\s+(?:attack|vulnerabilit\w+|flaw)\b|\bprototype\s+pollution\b|\bopen[\s-]redirects?\b|\b(?:path|directory)\s+traversal\b|\btiming\s+attacks?\b|\bside[\s-]channel\b|\bdenial[\s-]of[\s-]service\b|\bprivilege\s+escalation\b|\bauth(?:entication|orization)?\s+bypass\b|\bsession\s+fixation\b|\bclickjacking\b|\bunsafe\s+deserializ\w+\b|\bsecurity\s+(?:fix|fixes|fixed|issue|issues|patch|patches|release|releases|update|updates|upgrade|upgrades|bug|bugs|hole|holes|flaw|flaws|problem|problems|concern|concerns|reasons?|measures?|hardening|risks?|vulnerabilit\w+|exploit\w*)\b|\b(?:fix(?:es|ed|ing)?|address(?:es|ed|ing)?|resolv(?:e|es|ed|ing)|patch(?:es|ed|ing)?|mitigat(?:e|es|ed|ing))\s+(?:a\s+|an\s+|the\s+|some\s+|several\s+|potential\s+|possible\s+)*security\b|\bexploit(?:s|able|ed)?\b|\b(?:critical|high|moderate|medium|low)[\s-]severity\b`)
	reExposure  = regexp.MustCompile(`(?i)\b(?:exposure|leak(?:s|ed|ing|age)?|disclosure)\b[^.;]{0,30}?\b(?:private|secrets?|sensitive|credentials?|passwords?|tokens?|keys?|key\s+material|pii)\b|\b(?:private\s+keys?|secrets?|credentials?|passwords?|(?:access|refresh|id|session|bearer)\s+tokens?|key\s+material|sensitive\s+(?:data|information))\b[^.;]{0,30}?\b(?:exposed|leaked|disclosed|exposure|leak|logged)\b|\bexpos(?:e|es|ed|ing)\s+(?:the\s+|a\s+)?(?:private|secret|sensitive|client\s+secret)|\bno\s+longer\s+(?:log|logs|print|prints|output|outputs|include|includes|expose|exposes|leak|leaks|write|writes|show|shows|display|displays)\b[^.;]{0,30}?\b(?:passwords?|secrets?|tokens?|credentials?|private\s+keys?|api\s+keys?)\b`)
	// reTestOf ends the text before an advisory id that a test is about:
	// "fixed test cleanup for CVE-…" ships no fix.
	reCVEWord = regexp.MustCompile(`\b(?:fix(?:es|ed|ing)?|block(?:s|ed|ing)?|address(?:es|ed|ing)?|resolv(?:e|es|ed|ing)|patch(?:es|ed|ing)?|mitigat(?:e|es|ed|ing))\s+(?:a\s+|the\s+|an?\s+)?CVEs?\b`)
	reTestOf  = regexp.MustCompile(`(?i)\btests?\b[^.;]{0,30}$`)
	// reTLSOff is a fix for verification turned off behind the user's back.
	reTLSOff     = regexp.MustCompile(`(?i)\b(?:disabl\w*|bypass\w*|skip\w*|ignor\w*)\b[^.;]{0,40}?\b(?:cert(?:ificate)?|tls|ssl|hostname)\s+(?:verification|validation|checks?)\b`)
	reSecTooling = regexp.MustCompile(`(?i)\bcodeql\b|\bsemgrep\b|\bsnyk\s+(?:scan|test|monitor|integration|check|action|workflow)\b|\bscanner\b|\bscanning\b|\bsecurity\.md\b|\bdependabot(?:\.yml|\s+config\w*)\b|\bworkflows?\b|\bgithub[\s-]actions?\b|[\w.-]+/[\w.-]+-action\b|\bcodecov\b|\bci\b|\bpre-commit\b|\blint\w*\b|\bscorecard\b|\bdisclosure\s+policy\b|\bsecurity\s+policy\b|\breport(?:ing)?\s+(?:a\s+)?(?:security\s+)?vulnerabilit`)
	// reSecNegated ends the text before vulnerability words that says there
	// were none: "no known", "without any", "zero"; not "no longer".
	reSecNegated = regexp.MustCompile(`(?i)(?:\bno|\bwithout(?:\s+any)?|\bzero|\bnot\s+any|\bnor)\s+(?:(?:known|new|reported|outstanding|open|other|further|additional|real|relevant|significant|major|critical|direct)\s+)*$`)
	reSecMarket  = regexp.MustCompile(`(?i)\b(?:improv\w*|enhanc\w*|better|stronger|increas\w*|tighten\w*|bolster\w*|more)\s+(?:the\s+)?security\b`)
)

// securityWords returns the words that name a vulnerability fix, or "".
// Advisory ids count wherever they stand; the other words not on lines
// about tooling (a scanner added to CI) or marketing ("improved
// security").
func securityWords(t, plain, low string, c commit) (string, int) {
	tl := low
	if len(t) != len(plain) {
		tl = strings.ToLower(t)
	}
	if strings.Contains(tl, "cve") {
		if loc := reCVE.FindStringIndex(t); loc != nil && !reTestOf.MatchString(t[:loc[0]]) {
			return strings.ToUpper(t[loc[0]:loc[1]]), loc[0]
		}
	}
	if strings.Contains(tl, "ghsa") {
		if loc := reGHSA.FindStringIndex(t); loc != nil {
			return t[loc[0]:loc[1]], loc[0]
		}
	}
	if strings.Contains(tl, "advisor") {
		if loc := reAdvisory.FindStringIndex(t); loc != nil {
			return "security advisory", loc[0]
		}
	}
	if !securityCue(low) {
		return "", -1
	}
	term, at := securityProse(plain, low, c)
	if term == "" || reSecTooling.MatchString(plain) {
		return "", -1
	}
	return term, at
}

// securityProse finds the vulnerability words of a line, before the
// tooling test.
func securityProse(plain, low string, c commit) (string, int) {
	if (c.scope == "security" && c.typ != "feat" && c.typ != "feature") || c.typ == "security" {
		return "security", 0
	}
	if b := strings.TrimLeft(low, "-*+ _"); strings.HasPrefix(b, "[security]") {
		return "security", 0
	}
	// "Bump lodash to 4.17.21 (security)": a tag after the words.
	if i := strings.Index(low, " (security)"); i >= 0 {
		return "security", i + 1 // not a commit scope: "feat(security):"
	}
	// "Upgrade axios to fix CVE", "updated … to block CVE": an advisory
	// named without its id.
	if strings.Contains(low, "cve") {
		if loc := reCVEWord.FindStringIndex(plain); loc != nil && !reTestOf.MatchString(plain[:loc[0]]) {
			return plain[loc[0]:loc[1]], loc[0]
		}
	}
	if strings.Contains(low, "vulnerab") || strings.Contains(low, "secur") || strings.Contains(low, "inject") ||
		strings.Contains(low, "xss") || strings.Contains(low, "csrf") || strings.Contains(low, "ssrf") ||
		strings.Contains(low, "redirect") || strings.Contains(low, "attack") || strings.Contains(low, "exploit") ||
		strings.Contains(low, "code execution") || strings.Contains(low, "rce") || strings.Contains(low, "xxe") ||
		strings.Contains(low, "redos") || strings.Contains(low, "pollution") || strings.Contains(low, "traversal") ||
		strings.Contains(low, "denial") || strings.Contains(low, "bypass") || strings.Contains(low, "escalation") ||
		strings.Contains(low, "fixation") || strings.Contains(low, "clickjack") || strings.Contains(low, "side") ||
		strings.Contains(low, "deserializ") || strings.Contains(low, "severity") {
		if c.typ == "feat" || c.typ == "feature" {
			return "", -1 // a feature named after security ("add XSS protection option")
		}
		if loc := reVulnClass.FindStringIndex(plain); loc != nil {
			if reSecMarket.MatchString(plain) && !strings.Contains(low, "vulnerab") {
				return "", -1
			}
			if reSecNegated.MatchString(plain[:loc[0]]) {
				return "", -1 // "no known security issues", "without security impact"
			}
			return plain[loc[0]:loc[1]], loc[0]
		}
	}
	if strings.Contains(low, "verif") || strings.Contains(low, "validat") {
		// A fix for certificate checks that were silently off.
		fix := c.typ == "fix" || c.typ == "bugfix" || strings.HasPrefix(strings.TrimLeft(low, "-*+ _"), "fix")
		if loc := reTLSOff.FindStringIndex(plain); loc != nil && fix {
			return plain[loc[0]:loc[1]], loc[0]
		}
	}
	if strings.Contains(low, "expos") || strings.Contains(low, "leak") || strings.Contains(low, "disclos") || strings.Contains(low, "logged") ||
		strings.Contains(low, "no longer") {
		if loc := reExposure.FindStringIndex(plain); loc != nil {
			return plain[loc[0]:loc[1]], loc[0]
		}
	}
	return "", -1
}

// securityCues are the words without which a line names no
// vulnerability: a cheap test before the expressions.
var securityCues = []string{"cve", "secur", "vulnerab", "inject", "xss", "csrf", "xsrf", "ssrf", "redirect", "attack",
	"exploit", "execution", "rce", "xxe", "redos", "pollution", "traversal", "denial", "bypass", "escalation",
	"fixation", "clickjack", "side", "deserializ", "severity", "expos", "leak", "disclos", "logged", "no longer", "verif", "validat"}

func securityCue(low string) bool {
	for _, w := range securityCues {
		if strings.Contains(low, w) {
			return true
		}
	}
	return false
}

// securityTooling reports a line about security tooling rather than a fix:
// such a line under a Security heading is not a security fix.
func securityTooling(plain string) bool {
	return reSecTooling.MatchString(plain)
}
