package auth0

import (
	"fmt"
	"sort"

	"github.com/driftwatch/driftwatch/watcher"
)

// Footprint reads what a tenant snapshot says the app uses: action
// runtimes, enabled rules and hooks (and the Node version they run on),
// the grants and connection strategies in use, and each client's app
// type, callbacks and grants.
func Footprint(tenant string, doc any) watcher.Footprint {
	d, _ := doc.(map[string]any)
	var fp watcher.Footprint
	use := func(kind watcher.UseKind, name, user, userName, where string) {
		fp.Uses = append(fp.Uses, watcher.Use{Kind: kind, Name: name, User: user, UserName: userName, Where: where})
	}
	for _, name := range keysOf(d, "actions") {
		a := objOf(d, "actions", name)
		rts := map[string]bool{}
		if rt, _ := a["runtime"].(string); rt != "" {
			rts[rt] = true
		}
		if dv, ok := a["deployed_version"].(map[string]any); ok {
			if rt, _ := dv["runtime"].(string); rt != "" {
				rts[rt] = true
			}
		}
		for _, rt := range sortedSet(rts) {
			use(watcher.UseRuntime, rt, "action", name, fmt.Sprintf("action %q (tenant %s) runs on %s", name, tenant, rt))
		}
	}
	sandbox := ""
	if t, ok := d["tenant"].(map[string]any); ok {
		sandbox, _ = t["sandbox_version"].(string)
	}
	for _, kind := range []string{"rules", "hooks"} {
		for _, name := range keysOf(d, kind) {
			if on, _ := objOf(d, kind, name)["enabled"].(bool); !on {
				continue
			}
			one := kind[:len(kind)-1]
			use(watcher.UseFeature, kind, one, name, fmt.Sprintf("%s %q (tenant %s) is enabled", one, name, tenant))
			if sandbox != "" {
				use(watcher.UseRuntime, "node"+sandbox, one, name, fmt.Sprintf("%s %q (tenant %s) runs on Node %s (sandbox_version)", one, name, tenant, sandbox))
			}
		}
	}
	for _, name := range keysOf(d, "clients") {
		c := objOf(d, "clients", name)
		client := watcher.AppClient{Name: name, Callbacks: stringsOf(c["callbacks"]), GrantTypes: stringsOf(c["grant_types"])}
		client.AppType, _ = c["app_type"].(string)
		fp.Clients = append(fp.Clients, client)
		for _, g := range client.GrantTypes {
			use(watcher.UseGrant, g, "client", name, fmt.Sprintf("client %q (tenant %s) uses the %s grant", name, tenant, g))
		}
	}
	for _, name := range keysOf(d, "connections") {
		if s, _ := objOf(d, "connections", name)["strategy"].(string); s != "" {
			use(watcher.UseStrategy, s, "connection", name, fmt.Sprintf("connection %q (tenant %s) uses strategy %s", name, tenant, s))
		}
	}
	return fp
}

// keysOf lists the names of an object member, sorted.
func keysOf(d map[string]any, member string) []string {
	m, _ := d[member].(map[string]any)
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// objOf returns d[member][name] as an object.
func objOf(d map[string]any, member, name string) map[string]any {
	m, _ := d[member].(map[string]any)
	o, _ := m[name].(map[string]any)
	return o
}

func stringsOf(v any) []string {
	xs, _ := v.([]any)
	out := make([]string, 0, len(xs))
	for _, x := range xs {
		if s, ok := x.(string); ok {
			out = append(out, s)
		}
	}
	return out
}

func sortedSet(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
