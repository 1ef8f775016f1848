package watcher

// Footprint is what one source's newest document says the deployed app
// uses, read by other sources' rules: an announcement naming Node 18
// concerns a tenant whose actions run on node18, a release that moves a
// callback path concerns the clients that still use the old one. Each
// source type reads its own documents into it, so no rule reads another
// type's document.
type Footprint struct {
	// Source is the source the footprint was read from.
	Source string
	// Clients are the identity provider's applications.
	Clients []AppClient
	// Uses are the things the app relies on that an announcement may name.
	Uses []Use
}

// AppClient is one application registered with an identity provider.
type AppClient struct {
	Name       string
	AppType    string
	Callbacks  []string
	GrantTypes []string
}

// UseKind says what a Use is.
type UseKind string

// The kinds of things a footprint lists.
const (
	// UseRuntime is a runtime code runs on: Name "node18".
	UseRuntime UseKind = "runtime"
	// UseFeature is a named feature in use, such as "rules" or "hooks".
	UseFeature UseKind = "feature"
	// UseGrant is an OAuth grant type a client uses.
	UseGrant UseKind = "grant"
	// UseStrategy is a connection strategy ("google-oauth2", "samlp").
	UseStrategy UseKind = "strategy"
	// UsePackage is a library the app ships, by the short name
	// announcements use ("auth0-react"), with Version deployed.
	UsePackage UseKind = "package"
)

// Use is one thing the deployed app relies on.
type Use struct {
	Kind UseKind
	Name string
	// Version is the deployed version, for packages; "" when unknown.
	Version string
	// User and UserName are what of the app uses it ("action",
	// "post-login"), for counting users of one thing.
	User, UserName string
	// Where says who uses it, for findings: `action "x" (tenant t) runs on node18`.
	Where string
}

// Peers gives rules read access to what the other sources' newest
// documents say the app uses, for cross-references ("this announcement
// concerns you").
type Peers interface {
	// Footprints returns the footprint of every configured source whose
	// type reads one and that has a document.
	Footprints() []Footprint
}

// NoPeers is a Peers with no other sources.
type NoPeers struct{}

// Footprints returns nothing.
func (NoPeers) Footprints() []Footprint { return nil }
