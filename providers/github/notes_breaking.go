package github

import (
	"regexp"
	"strings"
)

// The words of a line that announce a break: explicit markers, raised
// runtime requirements, removals and ends of support, and the words that
// take them back.

// Breaking: explicit words and markers.
var (
	reBreakingUpper = regexp.MustCompile(`\bBREAKING\b`)
	reBreaking      = regexp.MustCompile(`(?i)\bbreaking[\s_-]*changes?\b|\(breaking\)|\[breaking\]|\bbreaking:|\bbackwards?[\s-]+incompatib\w+|\bincompatible\s+(?:api\s+)?changes?\b`)
	reIncompatible  = regexp.MustCompile(`(?i)\bbackwards?[\s-]+incompatib\w+|\bincompatible\s+(?:api\s+)?changes?\b`)
	// reNegated ends the text before a match that takes it back: "no",
	// "non-", "not a", "without it being a", "zero".
	reNegated = regexp.MustCompile(`(?i)(?:\bno|\bnon|\bnot|\bwithout|\bzero|\bnever)(?:[\s-]+\w+){0,3}?[\s-]*$`)
	// reFixed ends the text before a match that a fix takes back: "fix a
	// breaking change" repairs a break, it does not make one.
	reFixed = regexp.MustCompile(`(?i)\b(?:fix(?:e[sd])?|fixing|revert(?:s|ed|ing)?|avoid(?:s|ed|ing)?|prevent(?:s|ed|ing)?|undo(?:es)?)\s*:?\s+(?:(?:a|an|the|some|for|potential|possible|accidental|unintended|unintentional|unexpected)\s+)*$`)
	// reMustChange: the notes tell users their code must change.
	reMustChange = regexp.MustCompile(`(?i)\b(?:need|needs|must|have\s+to|has\s+to|required)\s+to\s+(?:migrate|update|change|modify|rewrite|adapt)\s+(?:their|your|its)\s+` + userCode + `|\brequir(?:e|es|ed|ing)\s+(?:you\s+to\s+)?(?:changes\s+to|chang(?:e|ing)|updat(?:e|ing)|modif(?:y|ying)|rewrit(?:e|ing)|migrat(?:e|ing)|adapt(?:ing)?)\s+(?:your|their)\s+` + userCode)
	// userCode is what a user wrote against the SDK.
	userCode = `(?:code|codebase|application|applications|app|apps|integration|integrations|implementation|implementations|usage|calls?|adapters?|subclass(?:es)?|handlers?)\b`
	// reBreaksYours: the notes say the change can break the user's code:
	// "this could break your application", "will break existing apps".
	reBreaksYours = regexp.MustCompile(`(?i)\bbreak(?:s)?\s+(?:your|existing|some|older|their|users'?|any)\s+(?:\w+\s+)?` + userCode)
	// reUnintended ends the text before "breaking change" that was a
	// mistake a later release repairs: "an unintended breaking change".
	reUnintended = regexp.MustCompile(`(?i)\b(?:unintended|unintentional|accidental|inadvertent|unexpected)\s+$`)
	// reNoOp: a feature kept in name only.
	reNoOp = regexp.MustCompile(`(?i)\b(?:is|are|has\s+been|have\s+been|was|were)\s+(?:now\s+)?(?:(?:converted|turned|changed)\s+(?:in)?to\s+|made\s+)?(?:a\s+)?no-?op\b`)
	// reSelfBreaks: the notes say the change itself breaks something:
	// "this fix breaks a prior fix", "this change will break apps that…".
	reSelfBreaks = regexp.MustCompile(`(?i)\b(?:this|these)\s+(?:fix|fixes|change|changes|release|version|update|upgrade|behaviou?r)\s+(?:(?:also|now|may|might|can|could|will|does|do)\s+)?break(?:s|ing)?\b`)
	// reHedged ends the text before "breaking changes" that only warns they
	// may come: "subject to breaking changes", "may contain breaking
	// changes" (a beta's disclaimer, not an announcement).
	reHedged      = regexp.MustCompile(`(?i)\b(?:subject\s+to|(?:may|might|could|can)\s+(?:\w+\s+)?(?:contain|include|introduce|have|see|bring|get|receive|undergo))\s+(?:\w+\s+)?$`)
	reMigration   = regexp.MustCompile(`(?i)migration[\s_-]*guide|\bmigration required\b|\bupgrade[\s_-]*guide\b`)
	reNotBreaking = regexp.MustCompile(`(?i)\b(beta|alpha|preview|experimental|release candidate|known issues?|not (?:be )?(?:used|recommended) (?:in|for) production)\b`)
)

// explicitBreaking returns the words that call a line breaking, or "".
func explicitBreaking(plain, low string) (string, int) {
	if !strings.Contains(low, "breaking") && !strings.Contains(low, "incompatib") {
		return "", -1
	}
	if loc := reBreakingUpper.FindStringIndex(plain); loc != nil && !takenBack(plain[:loc[0]]) && !instruction(plain, loc) {
		return plain[loc[0]:loc[1]], loc[0]
	}
	for _, loc := range reBreaking.FindAllStringIndex(plain, -1) {
		if !takenBack(plain[:loc[0]]) && !instruction(plain, loc) {
			return plain[loc[0]:loc[1]], loc[0]
		}
	}
	return "", -1
}

// A template's instruction to its writer names breaking changes without
// announcing one: "Breaking changes must start with `**Breaking:**`",
// "List any breaking changes here".
var (
	reInstructBefore = regexp.MustCompile(`(?i)\b(?:list|describe|document|mention|highlight|explain|note|add|call\s+out|flag|mark|label)\s+(?:any|all|the|your|possible|potential)?\s*$`)
	reInstructAfter  = regexp.MustCompile(`(?i)^\W*\s*(?:must|should|need\s+to|needs\s+to|have\s+to|are\s+to)\s+(?:be\s+)?(?:start\w*|begin\w*|list\w*|describ\w*|document\w*|mark\w*|link\w*|includ\w*|go|prefix\w*|not\w*|call\w*|flag\w*|label\w*|explain\w*|mention\w*)\b|^\W*\s*here\b`)
)

// instruction reports a match at loc that a template's instruction holds,
// or that is quoted as code: "`BREAKING CHANGE:` footers" names the
// marker.
func instruction(plain string, loc []int) bool {
	return strings.Count(plain[:loc[0]], "`")%2 == 1 ||
		reInstructBefore.MatchString(plain[:loc[0]]) || reInstructAfter.MatchString(plain[loc[1]:])
}

// takenBack reports text before "breaking" that negates it, fixes it or
// only warns that it may come.
func takenBack(before string) bool {
	before = strings.TrimRight(before, "(*_")
	return reNegated.MatchString(before) || reFixed.MatchString(before) || reHedged.MatchString(before) ||
		reUnintended.MatchString(before)
}

// selfBreaks returns the words in which a change says it breaks
// something, or "".
func selfBreaks(plain, low string) (string, int) {
	if !strings.Contains(low, "break") {
		return "", -1
	}
	if loc := reSelfBreaks.FindStringIndex(plain); loc != nil {
		return plain[loc[0]:loc[1]], loc[0]
	}
	if loc := reBreaksYours.FindStringIndex(plain); loc != nil && !reNegated.MatchString(plain[:loc[0]]) &&
		!reFixed.MatchString(plain[:loc[0]]) && !reAvoidBreak.MatchString(plain[:loc[0]]) {
		return plain[loc[0]:loc[1]], loc[0]
	}
	return "", -1
}

// reAvoidBreak ends the text before "break your app" that the change
// prevents: "so that it does not", "to avoid", "could otherwise".
var reAvoidBreak = regexp.MustCompile(`(?i)\b(?:avoid(?:s|ed|ing)?|prevent(?:s|ed|ing)?|otherwise|won'?t|wouldn'?t|doesn'?t|don'?t|cannot|can'?t|no\s+longer|never)\b[^.;]{0,30}$`)

// Runtime requirements: a raised minimum or a dropped version.
var (
	runtimeNames = `(?:node(?:\.?js)?|c?python|pypy\d*|php|java|jdk|jre|ruby|golang|go|\.net|dotnet|android(?:\s+(?:api|sdk))?(?:\s+level)?|min\s?sdk\w*(?:\s+version)?|ios|ipados|macos|tvos|watchos|kotlin|swift|xcode|react(?:\s+native)?|typescript|deno|bun|electron|rust|msrv|chrome|safari|firefox|edge|browsers?)`
	reRuntime    = regexp.MustCompile(`(?i)\b` + runtimeNames + `\b`)
	reVersionish = regexp.MustCompile(`\d`)
	reReqMinimum = regexp.MustCompile(`(?i)\b(?:minimum|min\.?|lowest|oldest)\b(?:[^.;]|\.\w){0,40}?\b(?:supported\s+)?(?:version|runtime|sdk|api(?:\s+level)?|requirements?|release|deployment\s+target|platform)s?\b|\bmin\s?sdk\w*`)
	reReqIsMin   = regexp.MustCompile(`(?i)\b` + runtimeNames + `\s*v?\d+(?:\.\d+)*\+?\s+(?:is|becomes|will\s+be)\s+(?:now\s+)?(?:the\s+)?(?:new\s+)?(?:minimum|min|lowest|oldest|baseline)\b`)
	reReqDropRt  = regexp.MustCompile(`(?i)\b(?:drop(?:s|ped|ping)?|remov(?:e|es|ed|ing)|end(?:s|ed)?|discontinu\w+)\s+(?:official\s+)?(?:support\s+for\s+)?` + runtimeNames + `\s*v?\d+(?:\.\d+)*(?:\s*(?:and|,|or)\s*v?\d+(?:\.\d+)*)*\s+support\b|\bsupport\s+for\s+` + runtimeNames + `\s*v?\d+(?:\.\d+)*(?:[^.;]|\.\w){0,20}?\b(?:has\s+)?ended\b`)
	reReqRequire = regexp.MustCompile(`(?i)\brequir(?:e|es|ed|ing)\b(?:[^.;]|\.\w){0,30}?\b` + runtimeNames + `\b(?:[^.;]|\.\w){0,12}?\d|\b` + runtimeNames + `\b(?:[^.;]|\.\w){0,25}?(?:>=?\s*v?\d|\d+(?:\.\d+)*\s*\+|or\s+(?:later|higher|newer|above|greater)|and\s+(?:above|later|newer|up))(?:[^.;]|\.\w){0,20}?\b(?:is|are)\s+(?:now\s+)?required\b`)
	reReqOnly    = regexp.MustCompile(`(?i)\bonly\s+(?:be\s+)?(?:allowed|supported|available|works?|runs?|compatible)\b(?:[^.;]|\.\w){0,40}?(?:\bor\s+(?:later|higher|newer|above|greater)|\band\s+(?:above|later|newer|up)|>=?\s*v?\d|\d+(?:\.\d+)*\s*\+)`)
	reReqRaise   = regexp.MustCompile(`(?i)\b(?:bump|bumped|bumps|raise[sd]?|raising|increase[sd]?|increasing|update[sd]?|upgrade[sd]?|set|sets)\b(?:[^.;]|\.\w){0,30}?\b(?:minimum|min|required|engines?(?:\s+field)?)\b`)
	reReqNot     = regexp.MustCompile(`(?i)\b(?:target|compile|build)\s*sdk\b|\bmatrix\b|\bci\b|\bdockerfile\b|\bdocker\b|\.nvmrc\b|\.python-version\b|\.tool-versions\b|\bworkflows?\b|\bgithub\s+actions?\b|\bdev(?:elopment)?\s+(?:environment|container)\b`)
)

// reRuntimeBump: an item that raises the runtime itself, "Bump Go version
// to 1.23", "Upgrade the minimum Node.js to 20" (CI, Docker and version
// files are excluded by reReqNot).
var reRuntimeBump = regexp.MustCompile(`(?i)^(?:bump(?:s|ed)?|raise[sd]?|update[sd]?|upgrade[sd]?|increase[sd]?)\s+(?:the\s+)?(?:minimum\s+|required\s+|supported\s+)?` + runtimeNames + `\s+(?:runtime\s+)?(?:version\s+)?(?:requirement\s+)?(?:from\s+v?[\d.]+\s+)?to\s+v?\d+(?:\.\d+)*`)

// runtimeBump returns the words of an item that raises the runtime, or "".
func runtimeBump(subj string) (string, int) {
	if len(subj) < 4 {
		return "", -1
	}
	if p := subj[:3]; !strings.EqualFold(p, "bum") && !strings.EqualFold(p, "rai") && !strings.EqualFold(p, "upd") &&
		!strings.EqualFold(p, "upg") && !strings.EqualFold(p, "inc") {
		return "", -1 // the cheap test before the expression
	}
	if loc := reRuntimeBump.FindStringIndex(subj); loc != nil && !reReqNot.MatchString(subj) {
		return subj[loc[0]:loc[1]], -1
	}
	return "", -1
}

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
		if loc := re.FindStringIndex(plain); loc != nil && !otherMinimum(plain[loc[0]:loc[1]], plain[loc[1]:]) {
			return plain[loc[0]:loc[1]], loc[0]
		}
	}
	return "", -1
}

// reMinimumOf names what a minimum is of: "minimum required version of
// importlib_metadata" is a dependency's, not the runtime's.
var reMinimumOf = regexp.MustCompile(`(?i)^\s*(?:(?:required|supported)\s+)?(?:versions?\s+)?(?:of|for)\s+(?:the\s+)?` + "`*" + `([\w.@/-]+)`)

// reUpperBound: a runtime below a version is the condition of a line
// ("required on Python < 3.10"), not a new floor.
var reUpperBound = regexp.MustCompile(`(?i)\b` + runtimeNames + `\s*(?:<|<=|older\s+than|before|below)\s*v?\d`)

// otherMinimum reports a match that raises something other than the
// runtime: a dependency's minimum, or a runtime named only as the upper
// bound of a condition.
func otherMinimum(match, after string) bool {
	if m := reMinimumOf.FindStringSubmatch(after); m != nil && !reRuntime.MatchString(m[1]) {
		return true
	}
	if reUpperBound.MatchString(match) {
		return true
	}
	return false
}

// Removals and ends of support.
var (
	reEndOfLife   = regexp.MustCompile(`(?i)\bend[\s-]of[\s-]life\b|\bsunset(?:s|ting)?\b`)
	reDropSupport = regexp.MustCompile(`(?i)\b(?:drop(?:s|ped|ping)?|stop(?:s|ped|ping)?|end(?:s|ed|ing)?|discontinu\w+)\s+(?:the\s+|official\s+|its\s+)?support\b|\bno\s+longer\s+(?:be\s+)?supported\b|\bremov(?:e|es|ed|ing)\s+support\b(?:\s+for\s+(?:the\s+)?values?\b)?`)
	// reEnumValues: values dropped from an enum of a generated API client
	// mirror what the API stopped returning; SDKs such as Stripe's list
	// them in every minor, and they are not announced as breaking.
	reEnumValues = regexp.MustCompile(`(?i)\bvalues?\b[^.;]{0,200}?\bfrom\s+(?:the\s+)?enums?\b`)
	// reServiceNoun names what a service SDK exposes: an API, a domain, a
	// resource, an endpoint.
	reServiceNoun = regexp.MustCompile(`(?i)\b(?:apis?|domains?|resources?|endpoints?)\b`)
	reSupportGone = regexp.MustCompile(`(?i)\bsupport\s+for\b.{0,80}?\b(?:has\s+been|have\s+been|is|was|are|were|will\s+be)\s+(?:removed|dropped)\b`)
	reEOL         = regexp.MustCompile(`\bEOL\b`)
	reNoLonger    = regexp.MustCompile(`(?i)\bno\s+longer\s+(?:be\s+)?(?:accepts?|available|works?|takes?|returns?|supports?|sends?|allowed|exported|exposed|public|falls?\s+back|passed|included|provided)\b`)
	reRemoveVerb  = regexp.MustCompile(`(?i)^(?:remove[sd]?|removing|removal\s+of|delete[sd]?|deleting|drop(?:s|ped|ping)?|eliminat\w+|get\s+rid\s+of)\b`)
	reRemovedPass = regexp.MustCompile(`(?i)\b(?:has|have|had|was|were|is|are|got)\s+(?:now\s+)?(?:been\s+)?(?:removed|deleted|dropped|renamed|replaced\s+(?:by|with))\b`)
	reRestrict    = regexp.MustCompile(`(?i)^restrict(?:s|ed|ing)?\b(?:[^.;]|\.\w){0,40}?\b(?:only\s+)?to\s+(?:the\s+)?` + runtimeNames + `\b`)
	reRenameVerb  = regexp.MustCompile(`(?i)^renam(?:e|es|ed|ing)\b`)
	reMadePrivate = regexp.MustCompile("(?i)^(?:made|makes?|making)\\s+(?:the\\s+)?`[^`]+`(?:\\s+\\w+)?\\s+(?:private|internal|non-public)\\b|^`[^`]+`(?:\\s+\\w+)?\\s+(?:is|are)\\s+now\\s+(?:private|internal)\\b")
	reNowRequires = regexp.MustCompile("(?i)\\bnow\\s+requires?\\s+(?:a|an|the)?\\s*`[^`]+`")
	reNowRequired = regexp.MustCompile(`(?i)\b(?:is|are)\s+now\s+(?:a\s+)?(?:required|mandatory)\b`)
	// What a removal takes away decides whether it breaks anything.
	reAPINoun   = regexp.MustCompile(`(?i)\b(?:apis?|endpoints?|resources?|methods?|functions?|class(?:es)?|options?|param(?:eter)?s?|arguments?|propert(?:y|ies)|fields?|exports?|modules?|props?|hooks?|components?|commands?|enums?|interfaces?|constructors?|sub-?clients?|domains?|namespaces?|packages?\s+(?:export|entry)|entry\s?points?|subpath)\b`)
	reCodeIdent = regexp.MustCompile("`[^`]+`|\\b[a-z]+[A-Z]\\w*\\b|\\b[A-Z][a-z]+[A-Z]\\w*\\b|\\b\\w+\\.\\w+\\(|\\b\\w+\\(\\)|\\b[a-z]+_[a-z_]+\\b")
	// Removals of things no user calls: internals, tests, docs, files,
	// dependencies, flags that held a feature back, and screen details.
	reRemovalNot  = regexp.MustCompile(`(?i)\b(?:unused|unnecessary|broken|redundant|duplicates?|duplicated|dead|internal(?:ly)?|private|no-?op|debug\w*|console|logs?|logging|comments?|typos?|tests?|specs?|docs?|documentation|readme|changelog|examples?|samples?|files?|badges?|scripts?|workflows?|lint\w*|warnings?|lock\s?files?|references?|dependenc(?:y|ies)|deps|devDependencies|polyfills?|checks?|validations?|restrictions?|limits?|limitations?|flags?|tags?|labels?|beta|experimental|default|defaults|never\s+(?:worked|functioned|used)|logo|icons?|padding|margins?|width|height|borders?|spacing|colou?rs?|fonts?|styles?|styling|css|animations?|shadows?|layout|steps?|screens?|modals?|dialogs?|cards?|forms?|buttons?|inputs?|menus?|dropdowns?|popovers?|tooltips?|widgets?)\b`)
	reSentenceEnd = regexp.MustCompile(`[.;](?:\s|$)`)
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
	if strings.Contains(low, "enum") && reEnumValues.MatchString(plain) {
		return "", -1
	}
	if strings.Contains(low, "support") && (strings.Contains(low, "drop") || strings.Contains(low, "remov") || strings.Contains(low, "stop") ||
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
	if strings.Contains(low, "drop") {
		if loc := reDropRuntime.FindStringIndex(plain); loc != nil && !reReqNot.MatchString(plain) {
			return plain[loc[0]:loc[1]], loc[0]
		}
	}
	if strings.Contains(low, "no longer") {
		if loc := reNoLonger.FindStringIndex(plain); loc != nil {
			return plain[loc[0]:loc[1]], loc[0]
		}
	}
	if !removalCue(low) || dependency || (rePackagePath.MatchString(subj) && !reRenameVerb.MatchString(subj)) {
		return "", -1
	}
	var term, object string
	var at int
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
	} else if loc := reMadePrivate.FindStringIndex(subj); loc != nil && reCodeIdent.MatchString(subj[:loc[1]]) {
		// "Made `Client.request` private", "`foo` is now internal".
		term, object = subj[loc[0]:loc[1]], reCodeIdent.FindString(subj)
		at = strings.Index(plain, term)
	} else if loc := reNowRequires.FindStringIndex(plain); loc != nil && !reRuntime.MatchString(plain[loc[1]:]) {
		// "`Auth0Client` constructor now requires a `domain`".
		term, object, at = plain[loc[0]:loc[1]], plain[:loc[0]], loc[0]
	} else if loc := reNowRequired.FindStringIndex(plain); loc != nil && reCodeIdent.MatchString(plain) {
		// "`domain` is now required": a call that worked fails now.
		term, object, at = plain[loc[0]:loc[1]], plain, loc[0]
	} else if loc := reRemovedPass.FindStringIndex(plain); loc != nil {
		term, object, at = plain[loc[0]:loc[1]], plain[:loc[0]], loc[0]
	} else {
		return "", -1
	}
	// The thing removed is the object up to a clause that explains why.
	if loc := reSentenceEnd.FindStringIndex(object); loc != nil && loc[0] > 0 {
		object = object[:loc[0]]
	}
	if reRemovalNot.MatchString(object) {
		return "", -1
	}
	if !reAPINoun.MatchString(object) && !reCodeIdent.MatchString(object) {
		return "", -1
	}
	return term, max(at, 0)
}

// API changes named in prose: a method's return type changed, the library
// rewritten, a public name removed in so many words.
var (
	reReturnType = regexp.MustCompile(`(?i)\bchang(?:e|es|ed|ing)\b(?:[^.;]|\.\w){0,60}?\breturn\s+types?\b|\breturn\s+types?\b(?:[^.;]|\.\w){0,60}?\b(?:changed|is\s+now|are\s+now)\b`)
	// reAsyncNow: a call that returned a value returns a promise now, or
	// its signature changed.
	reAsyncNow = regexp.MustCompile(`(?i)\b(?:is|are)\s+now\s+async(?:hronous)?\b|\bnow\s+returns?\s+(?:a\s+|an\s+)?(?:promises?|futures?|tasks?|observables?|async\s+iterators?)\b|\bchang(?:e|es|ed|ing)\s+(?:the\s+)?(?:method\s+|function\s+)?signatures?\s+of\b|\bsignatures?\s+(?:of\s+\S+\s+)?(?:has\s+|have\s+)?changed\b`)
	// reESMOnly: a JavaScript package that no longer loads with require().
	reESMOnly  = regexp.MustCompile(`(?i)\b(?:esm|es\s+modules?)[\s-]+only\b|\bpure\s+esm\b`)
	reRewrite  = regexp.MustCompile(`(?i)\b(?:re-?implement(?:s|ed|ing)?|rewr(?:ite|ites|itten|ote)|restructur(?:e|es|ed|ing)|re-?architect\w*|overhaul(?:s|ed)?|redesign(?:s|ed)?)\b`)
	reWholeLib = regexp.MustCompile(`(?i)\b(?:the|this|whole|entire)\s+(?:library|sdk|package|client\s+library)\b|\b(?:improve\w*|new|redesign\w*|overhaul\w*|better)\s+(?:the\s+)?(?:public\s+)?api\b`)
	// reNamedRemoval: an item that removes one named thing and nothing
	// else ("Remove `apiclient.__version__`"): a public name taken away,
	// even under a fixes heading.
	reNamedRemoval = regexp.MustCompile("(?i)^(?:remove[sd]?|removing|delete[sd]?|drop(?:s|ped)?)\\s+(?:the\\s+)?`[^`]+`(?:\\s+(?:methods?|functions?|propert(?:y|ies)|attributes?|options?|param(?:eter)?s?|arguments?|fields?|class(?:es)?|modules?|exports?|apis?|endpoints?))?\\s*(?:[(\\[.;:]|$)")
)

// apiChange returns the words that change an API in prose, or "": a
// return type changed, the library reimplemented or rewritten.
func apiChange(plain, low string) (string, int) {
	if strings.Contains(low, "async") || strings.Contains(low, "returns") || strings.Contains(low, "signature") {
		if loc := reAsyncNow.FindStringIndex(plain); loc != nil && reCodeIdent.MatchString(plain) {
			return plain[loc[0]:loc[1]], loc[0]
		}
	}
	if strings.Contains(low, "esm") {
		if loc := reESMOnly.FindStringIndex(plain); loc != nil {
			return plain[loc[0]:loc[1]], loc[0]
		}
	}
	if strings.Contains(low, "return type") {
		if loc := reReturnType.FindStringIndex(plain); loc != nil && reCodeIdent.MatchString(plain) {
			return plain[loc[0]:loc[1]], loc[0]
		}
	}
	if strings.Contains(low, "impl") || strings.Contains(low, "rewr") || strings.Contains(low, "restruct") ||
		strings.Contains(low, "architect") || strings.Contains(low, "overhaul") || strings.Contains(low, "redesign") {
		if loc := reRewrite.FindStringIndex(plain); loc != nil && reWholeLib.MatchString(plain) {
			return plain[loc[0]:loc[1]], loc[0]
		}
	}
	return "", -1
}

// mustChange returns the words that tell users their code must change.
func mustChange(plain, low string) (string, int) {
	if !strings.Contains(low, "your") && !strings.Contains(low, "their") && !strings.Contains(low, "its ") {
		return "", -1 // the expression needs the user's code named
	}
	if loc := reMustChange.FindStringIndex(plain); loc != nil {
		return plain[loc[0]:loc[1]], loc[0]
	}
	return "", -1
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
	if strings.Contains(low, "no-op") || strings.Contains(low, "noop") || strings.Contains(low, "no op") {
		if loc := reNoOp.FindStringIndex(plain); loc != nil {
			return plain[loc[0]:loc[1]], loc[0]
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
	if strings.Contains(low, "drop") {
		// "Drop Node.js 16", "dropped Python 3.7": a runtime and its
		// version straight after the verb, not in CI.
		if loc := reDropRuntime.FindStringIndex(plain); loc != nil && !reReqNot.MatchString(plain) {
			return plain[loc[0]:loc[1]], loc[0]
		}
	}
	return "", -1
}

// reDropRuntime is a runtime version dropped with no "support" word.
var reDropRuntime = regexp.MustCompile(`(?i)\bdrop(?:s|ped|ping)?\s+(?:official\s+)?` + runtimeNames + `\s*v?\d+(?:\.\d+)*\b`)

// removalCue is the cheap test before the removal expressions.
func removalCue(low string) bool {
	for _, w := range []string{"remov", "delet", "drop", "elimin", "rid of", "renam", "restrict", "required", "mandatory",
		"replaced", "private", "internal", "now require"} {
		if strings.Contains(low, w) {
			return true
		}
	}
	return false
}
