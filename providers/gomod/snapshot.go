package gomod

import (
	"golang.org/x/mod/modfile"
	"golang.org/x/mod/module"
	"golang.org/x/mod/semver"
)

// MaxVersions bounds the versions a snapshot keeps: the newest ones, the
// deployed one always among them.
const MaxVersions = 300

// snapshot builds the document (see README, "gomod"):
//
//	{"module", "deployed", "latest", "go",
//	 "deprecated": "<the latest go.mod's Deprecated: comment>",
//	 "retracted": {"v1.0.1" or "[v1.1.0, v1.2.0]": "<rationale>"},
//	 "versions": {"<version>": {"retracted": "<rationale>"}}}
//
// versions lists the deployed version and every newer one the proxy
// lists; "retracted" marks those the latest go.mod retracts.
func snapshot(cfg Config, listed []string, latest, latestTime string, mf *modfile.File) map[string]any {
	deployed := canonical(cfg.Deployed)
	retracted := map[string]any{}
	for _, r := range mf.Retract {
		key := r.Low
		if r.High != r.Low {
			key = "[" + r.Low + ", " + r.High + "]"
		}
		retracted[key] = r.Rationale
	}
	var keep []string
	for i := len(listed) - 1; i >= 0 && len(keep) < MaxVersions; i-- {
		if deployed == "" || semver.Compare(listed[i], deployed) >= 0 {
			keep = append(keep, listed[i])
		}
	}
	if deployed != "" && len(keep) == MaxVersions && semver.Compare(keep[len(keep)-1], deployed) != 0 {
		for _, v := range listed {
			if v == deployed {
				keep[len(keep)-1] = v
			}
		}
	}
	versions := map[string]any{}
	for _, v := range keep {
		entry := map[string]any{}
		if why, ok := retraction(mf, v); ok {
			entry["retracted"] = why
		}
		versions[v] = entry
	}
	doc := map[string]any{
		"module":    cfg.Module,
		"latest":    latest,
		"versions":  versions,
		"retracted": retracted,
	}
	if cfg.Deployed != "" {
		doc["deployed"] = cfg.Deployed
	}
	if latestTime != "" {
		doc["latest_time"] = latestTime
	}
	if mf.Go != nil {
		doc["go"] = mf.Go.Version
	}
	if mf.Module != nil && mf.Module.Deprecated != "" {
		doc["deprecated"] = mf.Module.Deprecated
	}
	return doc
}

// retraction returns the rationale of the retraction covering v.
func retraction(mf *modfile.File, v string) (string, bool) {
	for _, r := range mf.Retract {
		if semver.Compare(r.Low, v) <= 0 && semver.Compare(v, r.High) <= 0 {
			return r.Rationale, true
		}
	}
	return "", false
}

// canonical adds the "v" a configured version may lack ("1.4.0") and
// returns "" for anything but a canonical Go module version: "v1.1" is
// valid semver to the semver package, yet no module has such a version.
func canonical(v string) string {
	if v == "" {
		return ""
	}
	if v[0] != 'v' {
		v = "v" + v
	}
	if module.CanonicalVersion(v) != v {
		return ""
	}
	return v
}
