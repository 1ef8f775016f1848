package providers

import (
	"fmt"
	"sync"

	"github.com/driftwatch/driftwatch/config"
	"github.com/driftwatch/driftwatch/providers/auth0"
	"github.com/driftwatch/driftwatch/providers/feed"
	"github.com/driftwatch/driftwatch/providers/github"
	"github.com/driftwatch/driftwatch/providers/gomod"
	"github.com/driftwatch/driftwatch/providers/httpjson"
	"github.com/driftwatch/driftwatch/providers/npm"
	"github.com/driftwatch/driftwatch/providers/sourcetype"
)

// builtin lists every source type driftwatch ships, the only list of
// them: adding a type is its package and one line here.
var builtin = []sourcetype.Type{
	auth0.Type,
	github.Type,
	feed.Type,
	httpjson.Type,
	npm.Type,
	gomod.Type,
}

var (
	mu    sync.RWMutex
	known = map[string]sourcetype.Type{}
)

func init() {
	for _, t := range builtin {
		Register(t)
	}
}

// Register makes a source type known to the config loader and to Build.
// It panics when the type is incomplete or its name is taken.
func Register(t sourcetype.Type) {
	if t.Name == "" || t.Config == nil || t.Build == nil {
		panic(fmt.Sprintf("providers: source type %q needs a name, a config and a build", t.Name))
	}
	mu.Lock()
	defer mu.Unlock()
	config.RegisterType(t.Name, t.Config)
	known[t.Name] = t
}

// Lookup returns the source type of a name.
func Lookup(name string) (sourcetype.Type, bool) {
	mu.RLock()
	defer mu.RUnlock()
	t, ok := known[name]
	return t, ok
}
