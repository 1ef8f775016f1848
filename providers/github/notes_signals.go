package github

import (
	"regexp"
	"strings"
)

// The words of one line that announce something, and the words around
// them that take the announcement back. Each test reads one line (URLs
// already stripped); the section a line stands in is weighed by classify.

// Section classes: what a heading says about the lines under it.
const (
	sectNone       = ""
	sectBreaking   = "breaking"   // Breaking Changes, ⚠️ Changed, Before you upgrade
	sectRemoved    = "removed"    // Removed
	sectDeprecated = "deprecated" // Deprecated, Deprecations
	sectSecurity   = "security"   // Security, Security fixes
	sectFixed      = "fixed"      // Fixed, Bug Fixes
	sectChore      = "chore"      // Chores, Docs, Tests, Build, CI, Dependencies, Thanks
	sectDocs       = "docs"       // Documentation, Tests: nothing there is shipped
	sectOther      = "other"      // Added, Features, Changed, an area name
	warnSign       = "\u26a0"     // ⚠ with or without the emoji selector
	warnAlias      = ":warning:"  // GitHub's shortcode for it
	sirenSign      = "\U0001f6a8" // 🚨
)

var (
	reSectHousekeeping = regexp.MustCompile(`(?i)\b(chores?|maintenance|internal|refactor\w*|build|ci|perf\w*|performance|dependenc\w*|deps|thanks?|thank you|contributors?|contributions?|closed issues|other improvements|misc\w*|tooling|infrastructure)\b`)
	reSectDocs         = regexp.MustCompile(`(?i)\b(doc|docs|documentation|tests?|testing|examples?|samples?)\b`)
	reSectFixed        = regexp.MustCompile(`(?i)\b(fix|fixes|fixed|bug ?fix(es)?|bugs)\b`)
	reMajorChanges     = regexp.MustCompile(`(?i)^\W*major\s+changes?\b`) // changesets
	reSectUpgrade      = regexp.MustCompile(`(?i)\bbefore (you )?upgrad|\bupgrade notes?\b|\bupgrading\b|\bmigration\b|\bmigrating\b`)
)

// section reduces a heading to the class that qualifies the lines under it.
func section(h string) string {
	l := strings.ToLower(h)
	switch {
	case strings.Contains(l, "breaking") && !reNegated.MatchString(l[:strings.Index(l, "breaking")]):
		return sectBreaking
	case warningLed(h) || reIncompatible.MatchString(h) || reMajorChanges.MatchString(h):
		return sectBreaking
	case strings.Contains(l, "remov"):
		return sectRemoved
	case strings.Contains(l, "deprecat"):
		return sectDeprecated
	case strings.Contains(l, "security") || strings.Contains(l, "vulnerab"):
		return sectSecurity
	case reSectUpgrade.MatchString(h):
		return sectBreaking
	case reSectDocs.MatchString(h):
		return sectDocs
	case reSectFixed.MatchString(h):
		return sectFixed
	case reSectHousekeeping.MatchString(h):
		return sectChore
	}
	return sectOther
}

// warningLed reports text that starts with a warning sign.
func warningLed(t string) bool {
	t = strings.TrimLeft(t, "*_ ")
	return strings.HasPrefix(t, warnSign) || strings.HasPrefix(t, warnAlias) || strings.HasPrefix(t, sirenSign)
}

// Breaking: explicit words and markers.
var (
	reBreakingUpper = regexp.MustCompile(`\bBREAKING\b`)
	reBreaking      = regexp.MustCompile(`(?i)\bbreaking[\s_-]*changes?\b|\(breaking\)|\bbreaking:|\bbackwards?[\s-]+incompatib\w+|\bincompatible\s+(?:api\s+)?changes?\b`)
	reIncompatible  = regexp.MustCompile(`(?i)\bbackwards?[\s-]+incompatib\w+|\bincompatible\s+(?:api\s+)?changes?\b`)
	// reNegated ends the text before a match that takes it back: "no",
	// "non-", "not a", "without it being a", "zero".
	reNegated = regexp.MustCompile(`(?i)(?:\bno|\bnon|\bnot|\bwithout|\bzero|\bnever)(?:[\s-]+\w+){0,3}?[\s-]*$`)
	// reFixed ends the text before a match that a fix takes back: "fix a
	// breaking change" repairs a break, it does not make one.
	reFixed       = regexp.MustCompile(`(?i)\b(?:fix(?:e[sd])?|fixing|revert(?:s|ed|ing)?|avoid(?:s|ed|ing)?|prevent(?:s|ed|ing)?|undo(?:es)?)\s*:?\s+(?:(?:a|an|the|some|for|potential|possible|accidental|unintended|unintentional|unexpected)\s+)*$`)
	reMigration   = regexp.MustCompile(`(?i)migration[\s_-]*guide|\bmigration required\b|\bupgrade[\s_-]*guide\b`)
	reNotBreaking = regexp.MustCompile(`(?i)\b(beta|alpha|preview|experimental|release candidate|known issues?|not (?:be )?(?:used|recommended) (?:in|for) production)\b`)
)

// explicitBreaking returns the words that call a line breaking, or "".
func explicitBreaking(plain, low string) (string, int) {
	if !strings.Contains(low, "breaking") && !strings.Contains(low, "incompatib") {
		return "", -1
	}
	if loc := reBreakingUpper.FindStringIndex(plain); loc != nil && !takenBack(plain[:loc[0]]) {
		return plain[loc[0]:loc[1]], loc[0]
	}
	for _, loc := range reBreaking.FindAllStringIndex(plain, -1) {
		if !takenBack(plain[:loc[0]]) {
			return plain[loc[0]:loc[1]], loc[0]
		}
	}
	return "", -1
}

// takenBack reports text before "breaking" that negates it or fixes it.
func takenBack(before string) bool {
	before = strings.TrimRight(before, "(*_")
	return reNegated.MatchString(before) || reFixed.MatchString(before)
}

// Runtime requirements: a raised minimum or a dropped version.
var (
	runtimeNames = `(?:node(?:\.?js)?|python|php|java|jdk|jre|ruby|golang|go|\.net|dotnet|android(?:\s+(?:api|sdk))?(?:\s+level)?|min\s?sdk\w*(?:\s+version)?|ios|ipados|macos|tvos|watchos|kotlin|swift|xcode|react(?:\s+native)?|typescript|deno|bun|electron|rust|msrv|chrome|safari|firefox|edge|browsers?)`
	reRuntime    = regexp.MustCompile(`(?i)\b` + runtimeNames + `\b`)
	reVersionish = regexp.MustCompile(`\d`)
	reReqMinimum = regexp.MustCompile(`(?i)\b(?:minimum|min\.?|lowest|oldest)\b(?:[^.;]|\.\w){0,40}?\b(?:supported\s+)?(?:version|runtime|sdk|api(?:\s+level)?|requirements?|release)s?\b|\bmin\s?sdk\w*`)
	reReqIsMin   = regexp.MustCompile(`(?i)\b` + runtimeNames + `\s*v?\d+(?:\.\d+)*\+?\s+(?:is|becomes|will\s+be)\s+(?:now\s+)?(?:the\s+)?(?:new\s+)?(?:minimum|min|lowest|oldest|baseline)\b`)
	reReqDropRt  = regexp.MustCompile(`(?i)\b(?:drop(?:s|ped|ping)?|remov(?:e|es|ed|ing)|end(?:s|ed)?|discontinu\w+)\s+(?:official\s+)?(?:support\s+for\s+)?` + runtimeNames + `\s*v?\d+(?:\.\d+)*(?:\s*(?:and|,|or)\s*v?\d+(?:\.\d+)*)*\s+support\b|\bsupport\s+for\s+` + runtimeNames + `\s*v?\d+(?:\.\d+)*(?:[^.;]|\.\w){0,20}?\b(?:has\s+)?ended\b`)
	reReqRequire = regexp.MustCompile(`(?i)\brequir(?:e|es|ed|ing)\b(?:[^.;]|\.\w){0,30}?\b` + runtimeNames + `\b(?:[^.;]|\.\w){0,12}?\d|\b` + runtimeNames + `\b(?:[^.;]|\.\w){0,25}?(?:>=?\s*v?\d|\d+(?:\.\d+)*\s*\+|or\s+(?:later|higher|newer|above|greater)|and\s+(?:above|later|newer|up))(?:[^.;]|\.\w){0,20}?\b(?:is|are)\s+(?:now\s+)?required\b`)
	reReqOnly    = regexp.MustCompile(`(?i)\bonly\s+(?:be\s+)?(?:allowed|supported|available|works?|runs?|compatible)\b(?:[^.;]|\.\w){0,40}?(?:\bor\s+(?:later|higher|newer|above|greater)|\band\s+(?:above|later|newer|up)|>=?\s*v?\d|\d+(?:\.\d+)*\s*\+)`)
	reReqRaise   = regexp.MustCompile(`(?i)\b(?:bump|bumped|bumps|raise[sd]?|raising|increase[sd]?|increasing|update[sd]?|upgrade[sd]?|set|sets)\b(?:[^.;]|\.\w){0,30}?\b(?:minimum|min|required|engines?(?:\s+field)?)\b`)
	reReqNot     = regexp.MustCompile(`(?i)\b(?:target|compile|build)\s*sdk\b|\bmatrix\b|\bci\b|\bdockerfile\b`)
)

// requirement returns the words that raise a runtime requirement, or "".
func requirement(plain, low string) (string, int) {
	if !strings.Contains(low, "min") && !strings.Contains(low, "requir") && !strings.Contains(low, "only") &&
		!strings.Contains(low, "engine") {
		return "", -1
	}
	if !reRuntime.MatchString(plain) || !reVersionish.MatchString(plain) || reReqNot.MatchString(plain) {
		return "", -1
	}
	for _, re := range []*regexp.Regexp{reReqRequire, reReqMinimum, reReqIsMin, reReqOnly, reReqRaise} {
		if loc := re.FindStringIndex(plain); loc != nil {
			return plain[loc[0]:loc[1]], loc[0]
		}
	}
	return "", -1
}

// Removals and ends of support.
var (
	reEndOfLife   = regexp.MustCompile(`(?i)\bend[\s-]of[\s-]life\b|\bsunset(?:s|ting)?\b`)
	reDropSupport = regexp.MustCompile(`(?i)\bdrop(?:s|ped|ping)?\s+(?:the\s+)?support\b|\bno\s+longer\s+(?:be\s+)?supported\b|\bremov(?:e|es|ed|ing)\s+support\b`)
	reSupportGone = regexp.MustCompile(`(?i)\bsupport\s+for\b.{0,80}?\b(?:has\s+been|have\s+been|is|was|are|were|will\s+be)\s+(?:removed|dropped)\b`)
	reEOL         = regexp.MustCompile(`\bEOL\b`)
	reNoLonger    = regexp.MustCompile(`(?i)\bno\s+longer\s+(?:be\s+)?(?:accepts?|available|works?|takes?|returns?|supports?|sends?|allowed|exported|exposed|public|falls?\s+back|passed|included|provided)\b`)
	reRemoveVerb  = regexp.MustCompile(`(?i)^(?:remove[sd]?|removing|removal\s+of|delete[sd]?|deleting|drop(?:s|ped|ping)?|eliminat\w+|get\s+rid\s+of)\b`)
	reRemovedPass = regexp.MustCompile(`(?i)\b(?:has|have|had|was|were|is|are|got)\s+(?:now\s+)?(?:been\s+)?(?:removed|deleted|dropped|renamed)\b`)
	reRestrict    = regexp.MustCompile(`(?i)^restrict(?:s|ed|ing)?\b(?:[^.;]|\.\w){0,40}?\b(?:only\s+)?to\s+(?:the\s+)?` + runtimeNames + `\b`)
	reRenameVerb  = regexp.MustCompile(`(?i)^renam(?:e|es|ed|ing)\b`)
	reNowRequired = regexp.MustCompile(`(?i)\b(?:is|are)\s+now\s+(?:a\s+)?(?:required|mandatory)\b`)
	// What a removal takes away decides whether it breaks anything.
	reAPINoun   = regexp.MustCompile(`(?i)\b(?:apis?|endpoints?|resources?|methods?|functions?|class(?:es)?|options?|param(?:eter)?s?|arguments?|propert(?:y|ies)|fields?|exports?|modules?|props?|hooks?|components?|commands?|enums?|interfaces?|constructors?|sub-?clients?|domains?|namespaces?|packages?\s+(?:export|entry)|entry\s?points?|subpath)\b`)
	reCodeIdent = regexp.MustCompile("`[^`]+`|\\b[a-z]+[A-Z]\\w*\\b|\\b[A-Z][a-z]+[A-Z]\\w*\\b|\\b\\w+\\.\\w+\\(|\\b\\w+\\(\\)|\\b[a-z]+_[a-z_]+\\b")
	// Removals of things no user calls: internals, tests, docs, files,
	// dependencies, flags that held a feature back, and screen details.
	reRemovalNot  = regexp.MustCompile(`(?i)\b(?:unused|unnecessary|broken|redundant|duplicates?|duplicated|dead|internal(?:ly)?|private|no-?op|debug\w*|console|logs?|logging|comments?|typos?|tests?|specs?|docs?|documentation|readme|changelog|examples?|samples?|files?|badges?|scripts?|workflows?|lint\w*|warnings?|lock\s?files?|references?|dependenc(?:y|ies)|deps|devDependencies|polyfills?|checks?|validations?|restrictions?|limits?|limitations?|flags?|tags?|labels?|beta|experimental|default|defaults|never\s+(?:worked|functioned|used)|logo|icons?|padding|margins?|width|height|borders?|spacing|colou?rs?|fonts?|styles?|styling|css|animations?|shadows?|layout|steps?|screens?|modals?|dialogs?|cards?|forms?|buttons?|inputs?|menus?|dropdowns?|popovers?|tooltips?|widgets?)\b`)
	rePackagePath = regexp.MustCompile("`@?[\\w.-]+/[\\w.-]+`")
)

// removal returns the words that announce something taken away, or "".
// subj is the line past any commit prefix; dependency tells that the line
// or its parent item speaks of dependencies.
func removal(plain, low, subj string, dependency bool) (string, int) {
	if strings.Contains(low, "life") || strings.Contains(low, "sunset") {
		if loc := reEndOfLife.FindStringIndex(plain); loc != nil {
			return plain[loc[0]:loc[1]], loc[0]
		}
	}
	if strings.Contains(low, "support") && (strings.Contains(low, "drop") || strings.Contains(low, "remov") ||
		strings.Contains(low, "longer") || strings.Contains(low, "end") || strings.Contains(low, "discontinu")) {
		if loc := reDropSupport.FindStringIndex(plain); loc != nil {
			return plain[loc[0]:loc[1]], loc[0]
		}
		if strings.Contains(low, "support for") {
			if loc := reSupportGone.FindStringIndex(plain); loc != nil {
				return plain[loc[0]:loc[1]], loc[0]
			}
		}
		if loc := reReqDropRt.FindStringIndex(plain); loc != nil {
			return plain[loc[0]:loc[1]], loc[0]
		}
	}
	if strings.Contains(plain, "EOL") {
		if loc := reEOL.FindStringIndex(plain); loc != nil {
			return "EOL", loc[0]
		}
	}
	if strings.Contains(low, "no longer") {
		if loc := reNoLonger.FindStringIndex(plain); loc != nil {
			return plain[loc[0]:loc[1]], loc[0]
		}
	}
	if !removalCue(low) || dependency || rePackagePath.MatchString(subj) {
		return "", -1
	}
	var term, object string
	at := -1
	if loc := reRemoveVerb.FindStringIndex(subj); loc != nil {
		term, object = subj[loc[0]:loc[1]], subj[loc[1]:]
		at = strings.Index(plain, term)
	} else if loc := reRestrict.FindStringIndex(subj); loc != nil {
		// "Restrict WebAuth to iOS": the other platforms lose it.
		term, object = "restrict", subj[:loc[1]]
		at = strings.Index(strings.ToLower(plain), "restrict")
	} else if loc := reRenameVerb.FindStringIndex(subj); loc != nil {
		term, object = subj[loc[0]:loc[1]], subj[loc[1]:]
		at = strings.Index(plain, term)
	} else if loc := reNowRequired.FindStringIndex(plain); loc != nil && reCodeIdent.MatchString(plain) {
		// "`domain` is now required": a call that worked fails now.
		term, object, at = plain[loc[0]:loc[1]], plain, loc[0]
	} else if loc := reRemovedPass.FindStringIndex(plain); loc != nil {
		term, object, at = plain[loc[0]:loc[1]], plain[:loc[0]], loc[0]
	} else {
		return "", -1
	}
	// The thing removed is the object up to a clause that explains why.
	if i := strings.IndexAny(object, ".;"); i > 0 {
		object = object[:i]
	}
	if reRemovalNot.MatchString(object) {
		return "", -1
	}
	if !reAPINoun.MatchString(object) && !reCodeIdent.MatchString(object) {
		return "", -1
	}
	return term, max(at, 0)
}

// endOfSupport returns the words that end support for a runtime or a
// product, or "": "Node 16 reaches end of life", "Sync for IoT has reached
// EOL", "drop support for Python 3.8".
func endOfSupport(plain, low string) (string, int) {
	if strings.Contains(low, "life") || strings.Contains(low, "sunset") {
		if loc := reEndOfLife.FindStringIndex(plain); loc != nil {
			return plain[loc[0]:loc[1]], loc[0]
		}
	}
	if strings.Contains(plain, "EOL") {
		if loc := reEOL.FindStringIndex(plain); loc != nil {
			return "EOL", loc[0]
		}
	}
	if strings.Contains(low, "support") {
		if loc := reReqDropRt.FindStringIndex(plain); loc != nil {
			return plain[loc[0]:loc[1]], loc[0]
		}
		if loc := reDropSupport.FindStringIndex(plain); loc != nil && reRuntime.MatchString(plain[loc[1]:]) && reVersionish.MatchString(plain[loc[1]:]) {
			return plain[loc[0]:loc[1]], loc[0]
		}
	}
	return "", -1
}

// removalCue is the cheap test before the removal expressions.
func removalCue(low string) bool {
	for _, w := range []string{"remov", "delet", "drop", "elimin", "rid of", "renam", "restrict", "required", "mandatory"} {
		if strings.Contains(low, w) {
			return true
		}
	}
	return false
}

// Deprecations.
var (
	reDeprecat    = regexp.MustCompile(`(?i)\bdeprecat(?:e|es|ed|ing|ion|ions)\b`)
	reObsolete    = regexp.MustCompile(`(?i)\b(?:mark(?:s|ed|ing)?\b[^.;]{0,60}?\bas\s+obsolete|(?:is|are)\s+(?:now\s+)?obsolete)\b|\bwill\s+be\s+removed\s+in\s+(?:a|the)\s+(?:future|next|upcoming|coming)\b`)
	reDeprecNotBf = regexp.MustCompile(`(?i)\b(?:remov\w*|drop\w*|delet\w*|replac\w*|updat\w*|upgrad\w*|migrat\w*|mov(?:e|es|ed|ing)|switch\w*|stop\w*\s+using|instead\s+of|usages?\s+of|uses?\s+of|using|avoid\w*|fix\w*|silenc\w*|suppress\w*|resolv\w*|address\w*|hid(?:e|es|ing)|clean\w*\s+up|test\w*|away\s+from|get\s+rid\s+of)\b(?:[^.;]|\.\d){0,30}$`)
	reDeprecPast  = regexp.MustCompile(`(?i)^\w*\s+(?:as\s+of|since|in)\s+\[?v?\d`)
)

// deprecation returns the words that deprecate something, or "".
func deprecation(plain, low string) (string, int) {
	if strings.Contains(low, "obsolete") || strings.Contains(low, "will be removed") {
		if loc := reObsolete.FindStringIndex(plain); loc != nil {
			return plain[loc[0]:loc[1]], loc[0]
		}
	}
	if !strings.Contains(low, "deprecat") {
		return "", -1
	}
	for _, loc := range reDeprecat.FindAllStringIndex(plain, -1) {
		before, after := plain[:loc[0]], plain[loc[1]:]
		if reDeprecNotBf.MatchString(before) || reDeprecPast.MatchString(after) {
			continue
		}
		// "DeprecationWarning" is Node's runtime warning class; a warning
		// added by the SDK ("add a deprecation warning") is a deprecation.
		if strings.HasPrefix(after, "Warning") {
			continue
		}
		return plain[loc[0]:loc[1]], loc[0]
	}
	return "", -1
}

// Security.
var (
	reCVE        = regexp.MustCompile(`(?i)\bCVE[-\s]\d{4}[-\s]\d{4,7}\b`)
	reGHSA       = regexp.MustCompile(`(?i)\bGHSA(?:-[23456789cfghjmpqrvwx]{4}){3}\b`)
	reAdvisory   = regexp.MustCompile(`(?i)github\.com/(?:advisories/|[\w.-]+/[\w.-]+/security/advisories/)|\bsecurity\s+advisor(?:y|ies)\b`)
	reVulnClass  = regexp.MustCompile(`(?i)\bvulnerab(?:le|ility|ilities)\b|\b(?:XSS|CSRF|XSRF|SSRF|RCE|XXE|ReDoS)\b|\bcross[\s-]site\s+(?:scripting|request\s+forgery)\b|\bserver[\s-]side\s+request\s+forgery\b|\b(?:remote\s+)?code\s+execution\b|\b(?:sql|nosql|command|code|header|template|html|script|ldap|xpath|log|crlf|prototype|argument|shell|os|host\s+header)[\s-]injection\b|\binjection\s+(?:attack|vulnerabilit\w+|flaw)\b|\bprototype\s+pollution\b|\bopen[\s-]redirects?\b|\b(?:path|directory)\s+traversal\b|\btiming\s+attacks?\b|\bside[\s-]channel\b|\bdenial[\s-]of[\s-]service\b|\bprivilege\s+escalation\b|\bauth(?:entication|orization)?\s+bypass\b|\bsession\s+fixation\b|\bclickjacking\b|\bunsafe\s+deserializ\w+\b|\bsecurity\s+(?:fix|fixes|fixed|issue|issues|patch|patches|release|releases|update|updates|upgrade|upgrades|bug|bugs|hole|holes|flaw|flaws|problem|problems|concern|concerns|reasons?|measures?|hardening|risks?|vulnerabilit\w+|exploit\w*)\b|\b(?:fix(?:es|ed|ing)?|address(?:es|ed|ing)?|resolv(?:e|es|ed|ing)|patch(?:es|ed|ing)?|mitigat(?:e|es|ed|ing))\s+(?:a\s+|an\s+|the\s+|some\s+|several\s+|potential\s+|possible\s+)*security\b|\bexploit(?:s|able|ed)?\b|\b(?:critical|high|moderate|medium|low)[\s-]severity\b`)
	reExposure   = regexp.MustCompile(`(?i)\b(?:exposure|leak(?:s|ed|ing|age)?|disclosure)\b[^.;]{0,30}?\b(?:private|secrets?|sensitive|credentials?|passwords?|tokens?|keys?|key\s+material|pii)\b|\b(?:private\s+keys?|secrets?|credentials?|passwords?|(?:access|refresh|id|session|bearer)\s+tokens?|key\s+material|sensitive\s+(?:data|information))\b[^.;]{0,30}?\b(?:exposed|leaked|disclosed|exposure|leak|logged)\b|\bexpos(?:e|es|ed|ing)\s+(?:the\s+|a\s+)?(?:private|secret|sensitive|client\s+secret)`)
	reSecTooling = regexp.MustCompile(`(?i)\bcodeql\b|\bsemgrep\b|\bsnyk\s+(?:scan|test|monitor|integration|check|action|workflow)\b|\bscanner\b|\bscanning\b|\bsecurity\.md\b|\bdependabot(?:\.yml|\s+config\w*)\b|\bworkflows?\b|\bgithub[\s-]actions?\b|[\w.-]+/[\w.-]+-action\b|\bcodecov\b|\bci\b|\bpre-commit\b|\blint\w*\b|\bscorecard\b|\bdisclosure\s+policy\b|\bsecurity\s+policy\b|\breport(?:ing)?\s+(?:a\s+)?(?:security\s+)?vulnerabilit`)
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
		if loc := reCVE.FindStringIndex(t); loc != nil {
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
			return plain[loc[0]:loc[1]], loc[0]
		}
	}
	if strings.Contains(low, "expos") || strings.Contains(low, "leak") || strings.Contains(low, "disclos") || strings.Contains(low, "logged") {
		if loc := reExposure.FindStringIndex(plain); loc != nil {
			return plain[loc[0]:loc[1]], loc[0]
		}
	}
	return "", -1
}

// securityCues are the words without which a line names no
// vulnerability: a cheap test before the expressions.
var securityCues = []string{"secur", "vulnerab", "inject", "xss", "csrf", "xsrf", "ssrf", "redirect", "attack",
	"exploit", "execution", "rce", "xxe", "redos", "pollution", "traversal", "denial", "bypass", "escalation",
	"fixation", "clickjack", "side", "deserializ", "severity", "expos", "leak", "disclos", "logged"}

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

// isRevert reports a line that takes back an earlier change.
func isRevert(c commit) bool {
	return c.typ == "revert" || strings.HasPrefix(strings.ToLower(c.rest), "revert")
}
