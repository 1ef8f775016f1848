package feed_test

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/driftwatch/driftwatch/diff"
	"github.com/driftwatch/driftwatch/providers/feed"
)

func TestStripHTML(t *testing.T) {
	cases := map[string]string{
		"<p>Node <b>18</b> ends.</p><p>Migrate.</p>":               "Node 18 ends. Migrate.",
		"<script>alert('<p>x</p>')</script>after":                  "after",
		"<style>p{color:red}</style><ul><li>a</li><li>b</li></ul>": "a b",
		"a < b and c > d":                  "a < b and c > d",
		"&lt;!channel&gt; &amp; &#x1F600;": "<!channel> & 😀",
		"<!-- note -->text<br/>more":       "text more",
		"unclosed <a href=\"x":             "unclosed",
		"bad \xff bytes":                   "bad \uFFFD bytes",
	}
	for in, want := range cases {
		if got := feed.StripHTML(in); got != want {
			t.Errorf("StripHTML(%q) = %q, want %q", in, got, want)
		}
	}
}

func FuzzParse(f *testing.F) {
	f.Add([]byte(`<?xml version="1.0"?><rss version="2.0"><channel><title>t</title><item><guid>g</guid><title>Node 18 EOL</title><description>&lt;p&gt;x&lt;/p&gt;</description><pubDate>Mon, 02 Mar 2026 09:00:00 +0000</pubDate></item></channel></rss>`))
	f.Add([]byte(`<feed xmlns="http://www.w3.org/2005/Atom"><title>t</title><entry><id>1</id><title type="html">&lt;b&gt;x&lt;/b&gt;</title><link href="https://e/x"/><updated>2026-03-02T09:00:00Z</updated><summary>s</summary></entry></feed>`))
	f.Add([]byte(`{"version":"https://jsonfeed.org/version/1.1","title":"t","items":[{"id":"1","content_html":"<p>x</p>"}]}`))
	f.Add([]byte("<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><rss><channel><item><title>\xe9</title></item></channel></rss>"))
	f.Add([]byte("<rss><channel><item><title>\xff\xfe</title>"))
	f.Fuzz(func(t *testing.T, body []byte) {
		doc, err := feed.Parse(body)
		if err != nil {
			return
		}
		b, err := diff.Canonical(doc, diff.Options{})
		if err != nil {
			t.Fatalf("document does not encode: %v", err)
		}
		if !utf8.Valid(b) {
			t.Fatalf("document not valid UTF-8")
		}
		es := doc["entries"].(map[string]any)
		if len(es) > 500 {
			t.Fatalf("%d entries", len(es))
		}
		for k, x := range es {
			e := x.(map[string]any)
			if !utf8.ValidString(k) || utf8.RuneCountInString(e["summary"].(string)) > 1000 ||
				utf8.RuneCountInString(e["title"].(string)) > 300 {
				t.Fatalf("entry %q unbounded or invalid", k)
			}
			if p := e["published"].(string); p != "" && !strings.HasSuffix(p, "Z") {
				t.Fatalf("published %q not UTC", p)
			}
		}
	})
}
