package github_test

import (
	"crypto/sha256"
	"encoding/hex"
	"slices"
	"strings"
	"testing"

	"github.com/driftwatch/driftwatch/providers/github"
	"github.com/driftwatch/driftwatch/watcher"
)

// rel is a release for a hand-built document.
type rel struct {
	tag, notes string
	pre        bool
}

// doc builds a releases document the way the provider stores it (without
// notes_flags, so the rules read the excerpt themselves).
func doc(t *testing.T, deployed string, rels ...rel) any {
	t.Helper()
	rs := map[string]any{}
	for _, r := range rels {
		sum := sha256.Sum256([]byte(r.notes))
		rs[r.tag] = map[string]any{
			"name": r.tag, "published_at": "2026-07-01T00:00:00Z", "prerelease": r.pre,
			"url":          "https://github.com/acme/auth-sdk/releases/tag/" + r.tag,
			"notes_sha256": hex.EncodeToString(sum[:]), "notes_excerpt": r.notes,
		}
	}
	return decoded(t, map[string]any{"repo": "acme/auth-sdk", "deployed": deployed, "latest": "", "releases": rs, "advisories": map[string]any{}})
}

func only(rule string, fs []watcher.Finding) []string {
	var out []string
	for _, f := range fs {
		if f.Rule == rule {
			out = append(out, f.Subject)
		}
	}
	return out
}

const breakingV3 = "## What's changed\n\n**⚠️ BREAKING CHANGES**\n- `login()` now returns a Promise\n- Removed `legacyLogin()`\n"

func TestMajorAvailable(t *testing.T) {
	rules := []watcher.Rule{watcher.RuleFunc(github.Rules(github.RuleOptions{})[0].Judge)}
	all := []rel{{"v2.1.3", "", false}, {"v2.2.0", "", false}, {"v3.0.0", breakingV3, false}, {"v3.1.0", "", false},
		{"v4.0.0-beta.1", "", true}, {"v5.0.0", "", false}, {"nightly", "", false}}
	cases := []struct {
		name, deployed string
		want           []string
		title          string
	}{
		{"TwoMajorsAbove", "2.1.3", []string{"3", "5"}, "acme/auth-sdk v3.1.0: major release above deployed 2.1.3"},
		{"LeadingV", "v2.1.3", []string{"3", "5"}, "acme/auth-sdk v3.1.0: major release above deployed v2.1.3"},
		{"CaughtUpOnThree", "3.1.0", []string{"5"}, ""},
		{"Newest", "5.0.0", nil, ""},
		{"NoDeployed", "", nil, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			// A state rule: the baseline is judged like any snapshot.
			fs := judge(rules, nil, doc(t, tc.deployed, all...), nil, nil)
			if got := only(github.RuleMajorAvailable, fs); !slices.Equal(got, tc.want) {
				t.Fatalf("majors = %v, want %v", got, tc.want)
			}
			if tc.title != "" {
				f := find(t, fs, github.RuleMajorAvailable, "3")
				if f.Title != tc.title || f.Severity != watcher.Warning || f.Category != watcher.ThirdParty {
					t.Errorf("finding %s/%s %q, want warning/third-party %q", f.Severity, f.Category, f.Title, tc.title)
				}
			}
		})
	}
}

func TestBreakingNotesLifecycle(t *testing.T) {
	rules := github.Rules(github.RuleOptions{})
	base := doc(t, "3.0.0", rel{"v3.0.0", breakingV3, false}, rel{"v3.0.1", "**Fixed**\n- fix: typo", false})
	// Baseline: the change rule does not speak.
	fs := judge(rules, nil, base, nil, nil)
	if got := only(github.RuleBreakingNotes, fs); got != nil {
		t.Fatalf("baseline breaking_notes = %v, want none", got)
	}

	withNew := doc(t, "3.0.0", rel{"v3.0.0", breakingV3, false}, rel{"v3.0.1", "**Fixed**\n- fix: typo", false},
		rel{"v3.1.0", "**Deprecated**\n- `getUser()` is deprecated in favour of `user`", false},
		rel{"v3.1.1", "**Fixed**\n- fix: remove unused logs", false},
		rel{"v2.0.9", "**Breaking Changes**\n- backport", false}, // older than deployed
		rel{"v4.0.0", breakingV3, false})                         // a new major: major_available's
	fs = judge(rules, base, withNew, nil, nil)
	if got, want := only(github.RuleBreakingNotes, fs), []string{"v3.1.0"}; !slices.Equal(got, want) {
		t.Fatalf("breaking_notes = %v, want %v (new, above deployed, in its major, announcing)", got, want)
	}
	if got := only(github.RuleMajorAvailable, fs); !slices.Equal(got, []string{"4"}) {
		t.Fatalf("major_available = %v, want [4]", got)
	}
	f := find(t, fs, github.RuleBreakingNotes, "v3.1.0")
	if f.Path != "/releases/v3.1.0" || !strings.Contains(f.Title, "deprecations") || !strings.Contains(f.Excerpt, "deprecated") {
		t.Errorf("finding %q at %s, excerpt %q", f.Title, f.Path, f.Excerpt)
	}

	// Next poll, nothing new: carried forward.
	again := judge(rules, withNew, withNew, fs, nil)
	if got := only(github.RuleBreakingNotes, again); !slices.Equal(got, []string{"v3.1.0"}) {
		t.Fatalf("carried forward = %v", got)
	}
	// Notes of an older release edited to announce a removal: fires.
	edited := doc(t, "3.0.0", rel{"v3.0.0", breakingV3, false}, rel{"v3.0.1", "**Fixed**\n- fix: typo\n- Dropped support for Node 16", false},
		rel{"v3.1.0", "**Deprecated**\n- `getUser()` is deprecated in favour of `user`", false})
	got := only(github.RuleBreakingNotes, judge(rules, withNew, edited, again, nil))
	if !slices.Equal(got, []string{"v3.0.1", "v3.1.0"}) {
		t.Fatalf("after editing v3.0.1 notes = %v", got)
	}
	// The app upgrades to 3.1.0: nothing above it announces anything.
	upgraded := doc(t, "3.1.0", rel{"v3.0.1", "- Dropped support for Node 16", false}, rel{"v3.1.0", "**Deprecated**\n- `getUser()` is deprecated", false})
	if got := only(github.RuleBreakingNotes, judge(rules, edited, upgraded, again, nil)); got != nil {
		t.Fatalf("after upgrade = %v, want resolved", got)
	}
}

func TestBreakingNotesTitles(t *testing.T) {
	rules := github.Rules(github.RuleOptions{})
	old := doc(t, "3.0.0", rel{"v3.0.0", "", false})
	cases := map[string]string{
		breakingV3:                                "acme/auth-sdk v3.1.0: release notes announce breaking changes (deployed 3.0.0)",
		"**Removed**\n- `legacyLogin()`\n":        "acme/auth-sdk v3.1.0: release notes announce removals (deployed 3.0.0)",
		"This release drops support for Node 16.": "acme/auth-sdk v3.1.0: release notes announce removals (deployed 3.0.0)",
	}
	for notes, want := range cases {
		fs := judge(rules, old, doc(t, "3.0.0", rel{"v3.0.0", "", false}, rel{"v3.1.0", notes, false}), nil, nil)
		if f := find(t, fs, github.RuleBreakingNotes, "v3.1.0"); f.Title != want {
			t.Errorf("title = %q, want %q", f.Title, want)
		}
	}
}

func TestSecurityNotes(t *testing.T) {
	rules := github.Rules(github.RuleOptions{})
	old := doc(t, "2.1.3", rel{"v2.1.3", "", false})
	cases := []struct {
		notes, want string
	}{
		{"**Security**\n- Fix reflected XSS [CVE-2021-32702](https://github.com/auth0/nextjs-auth0/security/advisories/GHSA-954c-jjx6-cxv7)",
			"acme/auth-sdk v2.1.4: security fix (CVE-2021-32702) above deployed 2.1.3"},
		{"The above security fix prevents [Authorization Bypass](https://github.com/advisories/GHSA-f82v-jwr5-mffw).",
			"acme/auth-sdk v2.1.4: security fix (GHSA-f82v-jwr5-mffw) above deployed 2.1.3"},
		{"- security: upgrade form-data to address a critical vulnerability",
			"acme/auth-sdk v2.1.4: security fix above deployed 2.1.3"},
		{"- feat: add tenant security headers configuration", ""},
		{"- ci: bump [crew-security](https://github.com/crew-security) bot", ""},
	}
	for _, tc := range cases {
		fs := judge(rules, old, doc(t, "2.1.3", rel{"v2.1.3", "", false}, rel{"v2.1.4", tc.notes, false}), nil, nil)
		got := only(github.RuleSecurity, fs)
		if tc.want == "" {
			if got != nil {
				t.Errorf("%q: security findings %v, want none", tc.notes, got)
			}
			continue
		}
		if f := find(t, fs, github.RuleSecurity, "v2.1.4"); f.Title != tc.want {
			t.Errorf("title = %q, want %q", f.Title, tc.want)
		}
	}
}

func TestAdvisoryRanges(t *testing.T) {
	rules := github.Rules(github.RuleOptions{})
	cases := []struct {
		rng  string
		want bool
	}{
		{">= 2.0.0, < 2.1.4", true},
		{"< 2.1.3", false},
		{"<= 2.1.3", true},
		{"= 2.1.3", true},
		{"< 1.0.0 || >= 2.1.0, < 2.2.0", true},
		{">= 3.0.0", false},
		{"not a range", false},
		{"", false},
	}
	for _, tc := range cases {
		d := decoded(t, map[string]any{"repo": "acme/auth-sdk", "deployed": "2.1.3", "releases": map[string]any{},
			"advisories": map[string]any{"GHSA-aaaa-bbbb-cccc": map[string]any{
				"summary": "Token leak", "severity": "critical", "cve_id": "", "vulnerable_version_range": tc.rng,
				"first_patched": "2.1.4", "url": "https://github.com/acme/auth-sdk/security/advisories/GHSA-aaaa-bbbb-cccc"}}})
		got := only(github.RuleAdvisory, judge(rules, nil, d, nil, nil))
		if (got != nil) != tc.want {
			t.Errorf("range %q: findings %v, want affected=%v", tc.rng, got, tc.want)
		}
	}
}

func TestDeployedMissing(t *testing.T) {
	rules := github.Rules(github.RuleOptions{})
	before := doc(t, "2.1.3", rel{"v2.1.3", "", false}, rel{"v2.2.0", "", false})
	gone := doc(t, "2.1.3", rel{"v2.2.0", "", false})
	fs := judge(rules, before, gone, nil, nil)
	f := find(t, fs, github.RuleDeployedMissing, "v2.1.3")
	if f.Path != "/releases/v2.1.3" || !strings.Contains(f.Title, "gone") {
		t.Errorf("finding %q at %s", f.Title, f.Path)
	}
	// Still gone at the next poll: carried forward with what was known.
	again := judge(rules, gone, gone, fs, nil)
	if g := find(t, again, github.RuleDeployedMissing, "v2.1.3"); g.Detail != f.Detail {
		t.Errorf("carried detail %q, want %q", g.Detail, f.Detail)
	}
	// Back again, or the app moved on: resolved.
	if got := only(github.RuleDeployedMissing, judge(rules, gone, before, again, nil)); got != nil {
		t.Errorf("release back: %v", got)
	}
	moved := doc(t, "2.2.0", rel{"v2.2.0", "", false})
	if got := only(github.RuleDeployedMissing, judge(rules, gone, moved, again, nil)); got != nil {
		t.Errorf("deployed moved on: %v", got)
	}
	// Never listed (a typo in deployed) is not "vanished".
	if got := only(github.RuleDeployedMissing, judge(rules, gone, gone, nil, nil)); got != nil {
		t.Errorf("never listed: %v", got)
	}
}

func TestCrossCheckNamesTenantClients(t *testing.T) {
	rules := github.Rules(github.RuleOptions{})
	mk := func(deployed string, rels ...rel) any {
		d := doc(t, deployed, rels...).(map[string]any)
		d["repo"] = "auth0/nextjs-auth0"
		return d
	}
	old := mk("3.5.0", rel{"v3.5.0", "", false})
	cur := mk("3.5.0", rel{"v3.5.0", "", false}, rel{"v4.0.0",
		"**⚠️ BREAKING CHANGES**.\n\nPlease refer to the V3 → V4 [MIGRATION GUIDE](./V4_MIGRATION_GUIDE.md).", false})
	tenant := decoded(t, map[string]any{"clients": map[string]any{
		"Acme Web": map[string]any{"app_type": "regular_web", "callbacks": []any{"https://app.acme.com/api/auth/callback"}},
		"Admin": map[string]any{"app_type": "regular_web", "callbacks": []any{
			"https://admin.acme.com/api/auth/callback", "https://admin.acme.com/auth/callback"}},
		"Jobs": map[string]any{"app_type": "non_interactive"},
	}})
	ps := newPeers().add("auth0-prod", "auth0", tenant).add("other-feed", "feed", map[string]any{})
	fs := judge(rules, old, cur, nil, ps)
	for _, rule := range []string{github.RuleMajorAvailable} {
		f := find(t, fs, rule, "4")
		if !strings.Contains(f.Detail, "auth0-prod") || !strings.Contains(f.Detail, `"Acme Web"`) ||
			strings.Contains(f.Detail, `"Admin"`) || !strings.Contains(f.Detail, "/auth/callback") {
			t.Errorf("%s detail does not name the tenant and only the client still on /api/auth/callback:\n%s", rule, f.Detail)
		}
	}
	// Already on v4: the release notes are not cross-checked again; the
	// deployed version itself is (release.tenant_change_needed).
	up := mk("4.0.0", rel{"v4.0.0", "", false}, rel{"v4.1.0", "", false})
	for _, f := range judge(rules, cur, up, nil, ps) {
		if f.Rule != github.RuleTenantChangeNeeded && strings.Contains(f.Detail, "auth0-prod") {
			t.Errorf("deployed 4.0.0 still cross-checked: %s", f.Detail)
		}
	}
}

// A breaking minor inside a newer major is not lost: the major's one
// finding lists every release of that major, above the deployed version,
// whose notes announce breaking changes, each with its excerpt.
func TestMajorAvailableListsBreakingReleases(t *testing.T) {
	rules := []watcher.Rule{watcher.RuleFunc(github.Rules(github.RuleOptions{})[0].Judge)}
	d := doc(t, "2.1.3",
		rel{"v2.1.3", "", false},
		rel{"v3.0.0", breakingV3, false},
		rel{"v3.1.0", "### Features\n- feat: passkeys", false},
		rel{"v3.2.0", "**Changed**\n- PHP 8.1 is now the minimum supported runtime", false},
		rel{"v3.3.0", "### Bug Fixes\n- fix: remove unused logs", false},
		rel{"v3.4.0-beta.1", "**Removed**\n- `authorize()`", true}, // a prerelease: not listed
		rel{"v4.0.0", "### Features\n- a new major with quiet notes", false},
		rel{"v4.1.0", "- The `legacy` option has been removed", false},
	)
	fs := judge(rules, nil, d, nil, nil)
	if got := only(github.RuleMajorAvailable, fs); !slices.Equal(got, []string{"3", "4"}) {
		t.Fatalf("majors = %v, want one finding per new major [3 4]", got)
	}
	three := find(t, fs, github.RuleMajorAvailable, "3")
	if !strings.Contains(three.Detail, "whose notes announce breaking changes: v3.0.0, v3.2.0.") {
		t.Errorf("major 3 detail does not list v3.0.0 and v3.2.0: %q", three.Detail)
	}
	for _, want := range []string{"v3.0.0:", "BREAKING CHANGES", "v3.2.0:", "PHP 8.1 is now the minimum supported runtime"} {
		if !strings.Contains(three.Excerpt, want) {
			t.Errorf("major 3 excerpt lacks %q: %q", want, three.Excerpt)
		}
	}
	for _, not := range []string{"v3.1.0", "v3.3.0", "v3.4.0-beta.1", "unused logs"} {
		if strings.Contains(three.Excerpt, not) {
			t.Errorf("major 3 excerpt names %q, whose notes announce nothing breaking", not)
		}
	}
	if !strings.Contains(three.Title, "v3.3.0") {
		t.Errorf("major 3 title %q, want the newest release v3.3.0", three.Title)
	}
	// The X.0.0 is quiet; the breaking minor is still found.
	four := find(t, fs, github.RuleMajorAvailable, "4")
	if !strings.Contains(four.Detail, "breaking changes: v4.1.0.") || !strings.Contains(four.Excerpt, "has been removed") {
		t.Errorf("major 4 does not carry its breaking minor v4.1.0: %q / %q", four.Detail, four.Excerpt)
	}
	// Deployed inside major 3 above v3.2.0: only major 4 is left.
	fs = judge(rules, nil, doc(t, "3.2.0", rel{"v3.2.0", "", false}, rel{"v4.1.0", "- The `legacy` option has been removed", false}), nil, nil)
	if got := only(github.RuleMajorAvailable, fs); !slices.Equal(got, []string{"4"}) {
		t.Fatalf("deployed 3.2.0: majors = %v, want [4]", got)
	}
}

func TestTenantChangeNeeded(t *testing.T) {
	rules := github.Rules(github.RuleOptions{})
	mk := func(deployed string) any {
		d := doc(t, deployed, rel{"v3.5.0", "", false}, rel{"v4.0.0", "", false}).(map[string]any)
		d["repo"] = "auth0/nextjs-auth0"
		return d
	}
	tenant := func(callbacks ...any) any {
		return decoded(t, map[string]any{"clients": map[string]any{
			"Acme Web": map[string]any{"app_type": "regular_web", "callbacks": callbacks},
			"Jobs":     map[string]any{"app_type": "non_interactive"},
		}})
	}
	old := tenant("https://app.acme.com/api/auth/callback")
	both := tenant("https://app.acme.com/api/auth/callback", "https://app.acme.com/auth/callback")
	tests := []struct {
		name     string
		deployed string
		tenant   any
		want     bool
	}{
		{"v4 on a tenant with only the old callback", "4.0.0", old, true},
		{"v4 on a tenant with the new callback", "4.0.0", both, false},
		{"v3 on a tenant with only the old callback", "3.5.0", old, false},
		{"no deployed version", "", old, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ps := newPeers().add("auth0-prod", "auth0", tt.tenant)
			var got []watcher.Finding
			for _, f := range judge(rules, nil, mk(tt.deployed), nil, ps) {
				if f.Rule == github.RuleTenantChangeNeeded {
					got = append(got, f)
				}
			}
			if (len(got) == 1) != tt.want {
				t.Fatalf("findings = %v, want one: %v", keys(got), tt.want)
			}
			if !tt.want {
				return
			}
			f := got[0]
			if f.Severity != watcher.Breaking || !strings.Contains(f.Title, `"Acme Web"`) || strings.Contains(f.Title, "Jobs") ||
				!strings.Contains(f.Title, "auth0-prod") || !strings.Contains(f.Detail, "/auth/callback") {
				t.Errorf("finding = %+v", f)
			}
			// It links the migration guide and the release that brought
			// the change.
			if f.URL != "https://github.com/auth0/nextjs-auth0/blob/main/V4_MIGRATION_GUIDE.md" ||
				len(f.Links) != 1 || f.Links[0].URL != "https://github.com/acme/auth-sdk/releases/tag/v4.0.0" {
				t.Errorf("links: url %q, links %+v", f.URL, f.Links)
			}
		})
	}
}
