package feed

import "testing"

func TestNodeMatch(t *testing.T) {
	cases := []struct {
		text string
		want int
		hit  string
	}{
		{"Node 18 end of life", 18, "Node 18"},
		{"The Node.js 18 runtime", 18, "Node.js 18"},
		{"runtime node18 is deprecated", 18, "node18"},
		{"node18-actions", 18, "node18"},
		{"NodeJS v18.x support ends", 18, "NodeJS v18.x"},
		{"Node 12, 14, and 16 are removed", 14, "Node 12, 14, and 16"},
		{"Node 12 and 16 reach end of life", 16, "Node 12 and 16"},
		{"Node 16/18 deprecation", 18, "Node 16/18"},
		{"node1 is ancient", 18, ""},
		{"node18 is current", 1, ""},
		{"Node 180 is a typo", 18, ""},
		{"Node 8.10", 10, ""},
		{"nodes 18 of the cluster", 18, ""},
		{"migrate your Actions to Node 18", 18, ""},
		{"migrate from Node 18 to Node 22", 18, "Node 18"},
		{"migrate from Node 18 to Node 22", 22, ""},
		{"deprecated in favour of Node 22", 22, ""},
		{"Deprecation applies to Node 18 actions", 18, "Node 18"},
	}
	for _, tc := range cases {
		if got := nodeMatch(tc.want)(tc.text); got != tc.hit {
			t.Errorf("nodeMatch(%d)(%q) = %q, want %q", tc.want, tc.text, got, tc.hit)
		}
	}
}

func TestNameMatch(t *testing.T) {
	cases := []struct {
		name, text, hit string
	}{
		{"auth0-react", "auth0-react v1 is deprecated", "auth0-react"},
		{"auth0-react", "@auth0/auth0-react 1.x end of life", "auth0-react"},
		{"auth0-react", "Auth0-React support ends.", "Auth0-React"},
		{"auth0-react", "auth0-react-native 2.0 deprecation", ""},
		{"auth0-react", "my-auth0-react fork", ""},
		{"auth0-react", "auth0-react-", "auth0-react"},
		{"auth0-spa-js", "(auth0-spa-js)", "auth0-spa-js"},
		{"go-auth0", "go-auth0v2", ""},
	}
	for _, tc := range cases {
		if got := nameMatch(tc.name)(tc.text); got != tc.hit {
			t.Errorf("nameMatch(%q)(%q) = %q, want %q", tc.name, tc.text, got, tc.hit)
		}
	}
}
