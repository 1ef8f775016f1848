package rules

import "regexp"

// securityWords are how a deprecation or retraction says the version is
// unsafe to run: "insecure", "vulnerable", "vulnerability", "security
// issue", a CVE or GHSA identifier.
var securityWords = regexp.MustCompile(`(?i)\b(?:insecure|vulnerab\w*|security|exploit\w*|CVE-\d{4}-\d+|GHSA(?:-[0-9a-z]{4}){3})\b`)

// MentionsSecurity reports whether upstream text (a deprecation message,
// a retraction's rationale) says the version is unsafe.
func MentionsSecurity(text string) bool { return securityWords.MatchString(text) }
