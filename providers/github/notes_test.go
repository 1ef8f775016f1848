package github

import (
	"io/fs"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/driftwatch/driftwatch/providers/providertest"
)

func TestClassifyMarkers(t *testing.T) {
	cases := []struct {
		notes string
		want  []string // flags
	}{
		// The breaking markers seen in real changelogs.
		{"**⚠️ BREAKING CHANGES**\n- Update jsonwebtoken", []string{KindBreaking}},
		{"**⚠️ BREAKING CHANGES**.\n\nSignificant updates.", []string{KindBreaking}},
		{"**Breaking Changes**\n- Renamed `client.ClientCredentials`", []string{KindBreaking, KindRemoval}},
		{"- **BREAKING**: Module path changed", []string{KindBreaking}},
		{"**Breaking Change**\n- Allow custom `returnTo`", []string{KindBreaking}},
		{"- ⚠️ BREAKING CHANGES\n- fix: surface MfaRequiredError", []string{KindBreaking}},
		{"### Breaking Changes\n\n- Improve typing of Client Addons", []string{KindBreaking}},
		{"- feat!: drop the v1 client", []string{KindBreaking}},
		{"Please review the [migration guide](./MIGRATION_GUIDE.md).", []string{KindBreaking}},
		{"See the [V3_MIGRATION_GUIDE.md](./V3_MIGRATION_GUIDE.md).", []string{KindBreaking}},
		// Removals and end of life.
		{"This release drops support for Node <18.", []string{KindRemoval}},
		{"- Support for EOL Node versions 12 and 14 has been removed.", []string{KindRemoval}},
		// Removing what was deprecated is a removal, not a new deprecation.
		{"- Removed deprecated `EmailManager`", []string{KindRemoval}},
		{"- Remove `buildAuthorizeUrl`", []string{KindRemoval}},
		{"**Removed**\n- Remove bluebird", []string{KindRemoval}},
		{"- getUser and getIdTokenClaims no longer take any arguments", []string{KindRemoval}},
		{"Node 16 reaches end of life.", []string{KindRemoval}},
		// Deprecations.
		{"- feat: add loginWithCustomTokenExchange and deprecate exchangeToken", []string{KindDeprecation}},
		{"### Deprecated\n\n- Deprecated email manager", []string{KindDeprecation}},
		// Security.
		{"- Fixes CVE-2025-48947", []string{KindSecurity}},
		{"[advisory](https://github.com/advisories/GHSA-f82v-jwr5-mffw)", []string{KindSecurity}},
		{"**Security**\n- [Security] Bump axios from 0.19.2 to 0.21.1", []string{KindSecurity}},
		{"- fix: sanitize returnTo to prevent open redirect vulnerabilities", []string{KindSecurity}},

		// Housekeeping that is not an announcement.
		{"- fix: remove singlePromise from getTokenSilently", nil},
		{"- chore: remove unused logs", nil},
		{"- removed a bug in the cache", nil},
		{"**Removed**\n- Revert \"Release v2.3.0\"", nil},
		{"**Removed**\n- [DXEX-3404] chore: revert actions log sessions", nil},
		{"- Fix deprecation warning in importUserJobs", nil},
		{"- Update jwks-rsa to avoid DeprecationWarning Buffer()", nil},
		{"- Fully compatible Authentication API client — no breaking changes", nil},
		{"- This is a non-breaking change", nil},
		{"- chore: migration guide", nil},
		{"- fix/updateV4MigrationGuide", nil},
		{"- feat: add tenant security headers configuration (`TenantSettings.SecurityHeaders`)", nil},
		{"- Upgrade core-js ([crew-security](https://github.com/crew-security))", nil},
		{"- No longer acquires a browser lock on a cache hit", nil},
		{"", nil},

		// Structure: headings at any level, bold pseudo-headings,
		// release-please and Keep a Changelog sections.
		{"### ⚠ BREAKING CHANGES\n\n* drop the callback API (#12)", []string{KindBreaking, KindRemoval}},
		{"#### Removed\n- `Client.legacyLogin`", []string{KindRemoval}},
		{"## Security\n- Sanitize the returnTo parameter", []string{KindSecurity}},
		{"**Deprecated**\n* `getUser` in favour of `user`", []string{KindDeprecation}},
		{"### ⚠️ Changed\n* Options can no longer be passed positionally", []string{KindBreaking, KindRemoval}},
		{"- ⚠️ `init()` now returns a promise", []string{KindBreaking}},
		{"### ⚠️ Deprecations\n- `getUser()`, use `user`", []string{KindDeprecation}},
		{"- ⚠️ Deprecated: `getUser()`", []string{KindDeprecation}},
		{"- 💥 Removed `Client.legacy()`", []string{KindRemoval}},
		{"- [breaking] `connect()` is async", []string{KindBreaking}},
		{"> [!WARNING]\n> This release drops support for Node 16.", []string{KindRemoval}},
		// towncrier's setext sections.
		{"Deprecations and Removals\n-------------------------\n\n- Deprecate `Session.get_all`.\n- Remove the `legacy` module.", []string{KindDeprecation, KindRemoval}},
		{"Bugfixes\n--------\n\n- Remove a stray `print()` from `connect()`.", nil},
		{"Some text\n\n---\n\nMore text", nil},
		{":warning: This is a beta release and should not be used in production.", nil},
		// Conventional commits.
		{"- fix(auth)!: reject tokens without an exp claim", []string{KindBreaking}},
		{"- feat: new session store\n\n  BREAKING CHANGE: the cookie name changed", []string{KindBreaking}},
		{"BREAKING-CHANGE: `timeout` is now in seconds", []string{KindBreaking}},
		// Runtime requirements in any wording.
		{"- Requires Node 18 or later", []string{KindBreaking}},
		{"- This SDK is now only allowed on iOS 15 or later", []string{KindBreaking}},
		{"- Drop support for Python 3.8", []string{KindRemoval}},
		{"- The minimum supported version is now Node.js 20", []string{KindBreaking}},
		{"- Node.js >= 20 is required", []string{KindBreaking}},
		{"- Raise the minimum Go version to 1.23", []string{KindBreaking}},
		{"- Add Node.js 24 to the supported runtimes", nil},
		{"- Updated compile and target SDK version to 35", nil},
		{"- Update minimum `requests` version to 2.31", nil},
		// Removals in any verb form, with or without backticks.
		{"- Removing the `verify` option from `Client`", []string{KindRemoval}},
		{"- The legacyLogin method has been removed", []string{KindRemoval}},
		{"- removed getProfile() from the management client", []string{KindRemoval}},
		{"- Remove unused imports", nil},
		{"- chore: remove dependency on lodash", nil},
		{"- Removed `left-pad` dependency", nil},
		{"- Remove the beta flag from the passkeys API", nil},
		{"**Fixed**\n- Remove a stray console.log from `login()`", nil},
		// A fix or a regression is not a break; a default change called
		// out as breaking is.
		{"- Fix breaking change in v2.3.0 token parsing", nil},
		{"- fix: a regression in the cache", nil},
		{"- The default `cacheLocation` is now `localstorage` (breaking)", []string{KindBreaking}},
		// Security in any wording.
		{"- Fix prototype pollution in `merge()`", []string{KindSecurity}},
		{"- Prevent SSRF through the `issuer` URL", []string{KindSecurity}},
		{"- Fixed a timing attack in signature comparison", []string{KindSecurity}},
		{"- Fix remote code execution via crafted templates", []string{KindSecurity}},
		{"- Private key material could be logged at debug level", []string{KindSecurity}},
		{"- Versions before 4.2.1 are vulnerable to header injection", []string{KindSecurity}},
		{"- Fix ReDoS in the email validator", []string{KindSecurity}},
		{"See https://github.com/acme/sdk/security/advisories/GHSA-xxxx for details.", []string{KindSecurity}},
		// Security false alarms.
		{"- Add support for security questions", nil},
		{"- Add SECURITY.md", nil},
		{"- ci: add a vulnerability scanner to the test workflow", nil},
		{"**Security**\n- Bump github/codeql-action from 2 to 3", nil},
		{"- Improved security and performance", nil},
		{"- Handle SecurityException when launching the browser", nil},
		{"- Exposes the user profile from the id token", nil},
		// Deprecation false alarms.
		{"- Replace deprecated `request` package with `fetch`", nil},
		{"- Remove PHP 7.3 note (deprecated)", nil},
		{"- `util` has been deprecated as of v7.8.0", nil},
		{"- Add a deprecation warning for `virtual` routing", []string{KindDeprecation}},
		{"- Mark `MaxPrice` as obsolete", []string{KindDeprecation}},
		// More ecosystems' wordings.
		{"### 💥 Breaking Changes\n- `connect()` is async", []string{KindBreaking}},
		{"### Major Changes\n\n- Drop the `legacy` export", []string{KindBreaking, KindRemoval}},
		{"- Backwards-incompatible: `parse()` returns a Result", []string{KindBreaking}},
		{"* **deps:** drop node 14 support", []string{KindRemoval}},
		{"- Dropped Python 3.7 support", []string{KindRemoval}},
		{"- Python 3.8 is no longer supported", []string{KindRemoval}},
		{"- Minimum required Node.js version is now 18", []string{KindBreaking}},
		{"- Requires iOS 13.0+", []string{KindBreaking}},
		{"- Bump minimum Android SDK to 24", []string{KindBreaking}},
		{"- This release is only compatible with Node >= 18", []string{KindBreaking}},
		{"- Java 11 is now the minimum", []string{KindBreaking}},
		{"- Renamed `UserProfile` to `Profile`", []string{KindRemoval}},
		{"- `audience` is now required", []string{KindRemoval}},
		{"- Remove broken `list()` methods that never worked", nil},
		{"- Restrict web authentication to iOS", []string{KindRemoval}},
		{"**Fixed**\n- Restrict webAuth tests to iOS", nil},
		{"* Remove support for values `a` and `b` from enum `Charge.status`", nil},
		{"**Library - Chore**\n- remove the preview sync api", []string{KindRemoval}},
		{"**Library - Chore**\n- remove references to the old docs site", nil},
		{"**Library - Chore**\n- chore: remove the legacy api tests", nil},
		{"- Deprecated `foo()`; use `bar()` instead", []string{KindDeprecation}},
		{"- `foo` is deprecated and will be removed in v3", []string{KindDeprecation}},
		{"- Security: fix token leakage in logs", []string{KindSecurity}},
		{"- Fixed an issue where the refresh token could be leaked to third parties", []string{KindSecurity}},
		{"- Upgrade `jsonwebtoken` to 9.0.0 to address CVE-2022-23529", []string{KindSecurity}},
		{"- fix: escape HTML in the error page (XSS)", []string{KindSecurity}},
		{"- Fixed a high severity issue in token validation", []string{KindSecurity}},
		{"- feat(security): add a security headers option", nil},
		// A Deprecations heading whose items say otherwise.
		{"**Deprecations**\n- Added support for Python 3.14.\n- Dropped support for Python 3.8 following its end of support.", []string{KindRemoval}},
		{"**Deprecations**\n- Requests has officially stopped support for Python 3.4.", []string{KindRemoval}},
		{"**Deprecations**\n- Dropped support for pypy 3.9 following its end of support.", []string{KindRemoval}},
		{"- The `revokeAccessToken` name will change in a future version.", []string{KindDeprecation}},
		{"- Fixed test cleanup for CVE-2026-25645 to avoid leaving files behind", nil},
		{"- Fixed bug where an empty `CA_BUNDLE` would disable cert verification", []string{KindSecurity}},
		{"- Add an option to disable certificate verification in tests", nil},
		{"- The client no longer outputs the password in a warning", []string{KindSecurity}},
		{"- Existing custom adapters will need to migrate their code to the new API.", []string{KindBreaking}},
		{"- This release will require changes to your application.", []string{KindBreaking}},
		{"**Deprecations**\n- The `security` extra has been converted to a no-op install.", []string{KindRemoval}},
		// A change that says it breaks something; hedges and dependency
		// minimums that do not.
		{"- Fixed broken exports for common js. This fix breaks a prior fix.", []string{KindBreaking}},
		{"- This change will break apps that read `user.name`", []string{KindBreaking}},
		{"- Revert X as this change breaks older servers", nil},
		{"> **Warning** This SDK is in beta and is subject to breaking changes.", nil},
		{"- This preview may contain breaking changes", nil},
		{"- Set the minimum required version of importlib_metadata to 3.6.0, which is required on Python < 3.10.", nil},
		{"- Set the minimum required version of Python to 3.9", []string{KindBreaking}},
		{"- Added a clear() function so a user can ensure all interceptors have been removed", nil},
		{"- Added support for Python 3.13 and dropped support for Python 3.8", []string{KindRemoval}},
		{"- Replacing deprecated substr() with slice() as substr() is deprecated", nil},
		{"- `substr()` is deprecated; use `slice()`", []string{KindDeprecation}},
		// API changes in prose; a public name removed under a fixes heading.
		{"**Changed**\n- Change the JWT.decode() return type to DecodedJWT", []string{KindBreaking}},
		{"**Fixed**\n- Fixed return type for `listJwk`", nil},
		{"Reimplemented the library to improve the API and add algorithms", []string{KindBreaking}},
		{"- Rewrite some error messages to be more consistent.", nil},
		{"### Bug Fixes\n\n* Remove `apiclient.__version__` ([#871](https://example.com/871))", []string{KindRemoval}},
		{"### Bug Fixes\n\n* Remove a stray `print()` from `connect()`", nil},
		// The notes warn the user's code may break; a mistake repaired.
		{"There might be a rare occasion where this could break your application.", []string{KindBreaking}},
		{"- Handle empty headers so this does not break your application", nil},
		{"- Upgrading to 7.9.0 will require changing your implementations.", []string{KindBreaking}},
		{"This is in response to an unintended breaking change introduced in 1.6.0.", nil},
		// The runtime raised by a bump; not in CI.
		{"- Bump Go version to 1.23 and update example dependencies", []string{KindBreaking}},
		{"- chore: bump Go version to 1.23", nil},
		{"- Bump Node version to 20 in the CI workflow", nil},
		// More general forms: replaced, made private, a new required
		// argument, async now, ESM only, a runtime dropped without
		// "support", a deployment target, a CVE without its id.
		{"- The `foo` option has been replaced by `bar`", []string{KindRemoval}},
		{"- The `request` dependency has been replaced with `fetch`", nil},
		{"- Made `Client.request` private", []string{KindRemoval}},
		{"- `Auth0Client` constructor now requires a `domain`", []string{KindRemoval}},
		{"- `getUser()` now returns a Promise", []string{KindBreaking}},
		{"- `foo()` is now async", []string{KindBreaking}},
		{"- Changed the signature of `foo()`", []string{KindBreaking}},
		{"- The package is now ESM-only", []string{KindBreaking}},
		{"- Drop Node.js 16", []string{KindRemoval}},
		{"- Drop Node 16 from the CI matrix", nil},
		{"- Renamed package from `auth0-js` to `@auth0/auth0-js`", []string{KindRemoval}},
		{"- Minimum iOS deployment target raised to 13.0", []string{KindBreaking}},
		{"- Bump lodash from 4.17.20 to 4.17.21 (security)", []string{KindSecurity}},
		{"- Upgrade axios to fix CVE", []string{KindSecurity}},
		{"- Replaced `Client.foo()` with `Client.bar()` internally", nil},
		{"- [Beta] Rename some `Credit` refs", nil},
		{"- [Beta] Remove support for Node 14", nil},
		// changesets entries: the words start after the references.
		{"- [`2820674b8`](https://example.com/c) [#5927](https://example.com/p) - Prevent React Native from logging a warning about deprecation of `AsyncStorage`.", nil},
		{"- [`1ac3c9d41`](https://example.com/c) [#6151](https://example.com/p) - Deprecate `getRedirectResult()`", []string{KindDeprecation}},
		// Template sections left empty: a heading or label counts only
		// through the content under it; a placeholder or a negation is
		// no content.
		{"### Breaking Changes\nNone\n### Security\n- None\n### Fixed\n- typo", nil},
		{"Breaking changes: N/A", nil},
		{"**Breaking changes:** none", nil},
		{"### Breaking Changes\n_No breaking changes_", nil},
		{"## Deprecations\nNone", nil},
		{"No breaking changes in this release", nil},
		{"Security: no known issues", nil},
		{"### Security\n- n/a", nil},
		{"### Breaking Changes\nNothing", nil},
		{"### Breaking Changes\n-", nil},
		{"### Breaking Changes\nTBD", nil},
		{"### Breaking Changes\n<!-- describe breaking changes -->\n### Fixed\n- typo", nil},
		{"### Breaking Changes\n<!--\n  - describe them here\n-->\n\n### Fixed\n- typo", nil},
		{"### Breaking Changes\n### Fixed\n- typo", nil},
		{"**⚠️ BREAKING CHANGES**", nil},
		{"### Breaking Changes: None\n### Fixed\n- typo", nil},
		{"**Breaking changes:**\n- none\n\n**Fixed:**\n- typo", nil},
		{"BREAKING CHANGES:\n- None", nil},
		{"### Breaking Changes\n- N/A (initial release)", nil},
		{"### Breaking Changes\n\nNone. The public API remains backward-compatible.", nil},
		{"### Breaking Changes\n\nNone - all changes are additive", nil},
		{"### Security\n- No security issues reported in this release.", nil},
		{"### Deprecated\n- None.\n\n### Removed\n- None.", nil},
		{"Breaking changes: N/A\nSecurity: none", nil},
		// A template's instructions name breaking changes without
		// announcing one; so does a marker quoted as code.
		{"Breaking changes must start with `**Breaking:**` and link to migration guidance.", nil},
		{"- List any breaking changes here", nil},
		{"- Commits with a `BREAKING CHANGE:` footer now bump the major", nil},
		// Line-level negations are not signals.
		{"- Refactor the cache without breaking changes", nil},
		{"- non-breaking: add a `timeout` option", nil},
		{"- This is not a breaking change", nil},
		{"- Bug fixes only; no known security issues", nil},
		{"- Tighten a log message (no security impact)", nil},
		// Content under the same headings still counts.
		{"### Breaking Changes\n- Removed `foo()`", []string{KindBreaking, KindRemoval}},
		{"### Breaking Changes\nNone\n\n- Removed `foo()`", []string{KindBreaking, KindRemoval}},
		{"### Breaking Changes\n#### Client\n- `connect()` is async", []string{KindBreaking}},
		{"### Breaking Changes\n\n```js\nclient.connect()\n```", []string{KindBreaking}},
		{"BREAKING CHANGES:\n\n- the cookie name changed", []string{KindBreaking}},
		{"### Security\n- None\n- Fixes CVE-2026-1234", []string{KindSecurity}},
		{"### Breaking Changes\n\nNone, but `foo()` was removed", []string{KindBreaking, KindRemoval}},
		{"- No longer vulnerable to header injection", []string{KindSecurity}},
	}
	for _, tc := range cases {
		got := flagsOf(classify(tc.notes))
		if len(got) == 0 {
			got = nil
		}
		if !slices.Equal(got, tc.want) {
			t.Errorf("classify(%q) = %v, want %v", tc.notes, got, tc.want)
		}
	}
}

func TestExcerptKeepsMarkersAnywhere(t *testing.T) {
	var b strings.Builder
	b.WriteString("## Release notes\n\nA long list of improvements follows.\n\n**Added**\n")
	for i := 0; i < 200; i++ {
		b.WriteString("- feat: add support for another option in the management client [\\#1234](https://github.com/acme/sdk/pull/1234)\n")
	}
	b.WriteString("\n**Fixed**\n- Fixes CVE-2026-12345 in token parsing\n\n**⚠️ BREAKING CHANGES**\n- `login()` now returns a Promise\n")
	notes := b.String()
	ms := classify(notes)
	ex := excerpt(notes, ms)
	if n := utf8.RuneCountInString(ex); n > excerptMax {
		t.Fatalf("excerpt is %d runes, over %d", n, excerptMax)
	}
	for _, want := range []string{"## Release notes", "CVE-2026-12345", "**⚠️ BREAKING CHANGES**", "…"} {
		if !strings.Contains(ex, want) {
			t.Errorf("excerpt lacks %q:\n%s", want, ex)
		}
	}
	if got, want := flagsOf(classify(ex)), flagsOf(ms); !slices.Equal(got, want) {
		t.Errorf("excerpt flags %v, notes flags %v", got, want)
	}
	short := "**Fixed**\n- fix: a thing\n"
	if got := excerpt(short, classify(short)); got != strings.TrimSpace(short) {
		t.Errorf("short notes excerpt = %q, want them whole", got)
	}
}

// Every corpus release's excerpt carries the same marker kinds as its
// full notes: the rules may judge from either.
func TestExcerptFlagsMatchCorpus(t *testing.T) {
	files, _ := fs.Glob(providertest.Corpus, "corpus/changelogs/*.md")
	n := 0
	for _, f := range files {
		for _, r := range providertest.CorpusReleases(strings.TrimPrefix(f, "corpus/changelogs/")) {
			ms := classify(r.Body)
			ex := excerpt(r.Body, ms)
			if utf8.RuneCountInString(ex) > excerptMax {
				t.Errorf("%s %s: excerpt over the bound", f, r.Tag)
			}
			if got, want := flagsOf(classify(ex)), flagsOf(ms); !slices.Equal(got, want) {
				t.Errorf("%s %s: excerpt flags %v, notes flags %v", f, r.Tag, got, want)
			}
			n++
		}
	}
	if n < 400 {
		t.Fatalf("only %d corpus releases", n)
	}
}

func TestParseVersion(t *testing.T) {
	cases := map[string]string{
		"v1.2.3":                    "1.2.3",
		"1.2.3":                     "1.2.3",
		"V2.0.0":                    "2.0.0",
		"v4.0.0-beta.14":            "4.0.0-beta.14",
		"@auth0/nextjs-auth0@4.1.0": "4.1.0",
		"pkg-v1.2.3":                "1.2.3",
		"sdk/v3.0.1":                "3.0.1",
		"release_2.1":               "2.1.0",
		"nightly":                   "",
		"release-2024":              "",
		"v1":                        "",
		"":                          "",
	}
	for tag, want := range cases {
		v, ok := ParseVersion(tag)
		got := ""
		if ok {
			got = v.String()
		}
		if got != want {
			t.Errorf("ParseVersion(%q) = %q, want %q", tag, got, want)
		}
	}
}

func FuzzClassifyNotes(f *testing.F) {
	files, _ := fs.Glob(providertest.Corpus, "corpus/changelogs/*.md")
	for _, p := range files {
		for i, r := range providertest.CorpusReleases(strings.TrimPrefix(p, "corpus/changelogs/")) {
			if i%10 == 0 {
				f.Add(r.Body)
			}
		}
	}
	f.Add("**⚠️ BREAKING CHANGES**\r\n- x\xff\xfe")
	f.Add(strings.Repeat("BREAKING ", 400))
	f.Add("### Breaking Changes\nNone\n### Security\n- None\n<!-- unclosed\n### Fixed\n- typo")
	f.Add("BREAKING CHANGES:\n```\n<!--\n```\n- Breaking changes: N/A")
	f.Fuzz(func(t *testing.T, notes string) {
		ms := classify(notes)
		for _, m := range ms {
			if utf8.RuneCountInString(m.text) > lineMax || !utf8.ValidString(m.text) {
				t.Fatalf("marker text unbounded or invalid: %q", m.text)
			}
		}
		ex := excerpt(notes, ms)
		if utf8.RuneCountInString(ex) > excerptMax {
			t.Fatalf("excerpt %d runes", utf8.RuneCountInString(ex))
		}
		if !utf8.ValidString(ex) {
			t.Fatalf("excerpt not valid UTF-8: %q", ex)
		}
	})
}

// BenchmarkClassifyNotes classifies and excerpts every release of the
// largest corpus changelog.
func BenchmarkClassifyNotes(b *testing.B) {
	rels := providertest.CorpusReleases("auth0__go-auth0.md")
	var bytes int64
	for _, r := range rels {
		bytes += int64(len(r.Body))
	}
	b.SetBytes(bytes)
	b.ReportAllocs()
	for b.Loop() {
		for _, r := range rels {
			_ = excerpt(r.Body, classify(r.Body))
		}
	}
}
