package github

import (
	"fmt"
	"strings"

	"github.com/driftwatch/driftwatch/watcher"
)

// Footprint reads what a releases snapshot says the app uses: the SDK,
// by the repository's name (what announcements call it), at the deployed
// version.
func Footprint(source string, doc any) watcher.Footprint {
	d, _ := doc.(map[string]any)
	repo, _ := d["repo"].(string)
	_, name, _ := strings.Cut(repo, "/")
	if name == "" {
		return watcher.Footprint{}
	}
	where := fmt.Sprintf("SDK %s (source %s)", repo, source)
	dep, _ := d["deployed"].(string)
	if dep != "" {
		where += " is deployed at " + dep
	}
	return watcher.Footprint{Uses: []watcher.Use{{Kind: watcher.UsePackage, Name: name, Version: dep, User: "SDK", UserName: repo, Where: where}}}
}
