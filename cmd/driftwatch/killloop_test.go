package main

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/driftwatch/driftwatch/providers/providertest"
)

// killLoopKills is how many times TestKillLoop kills the binary;
// DRIFTWATCH_KILLS overrides it, DRIFTWATCH_KILL_SEED replays a run.
const killLoopKills = 60

// killLoopConfig is three http_json sources with thresholds, notifying a
// Slack bot.
func killLoopConfig(urls []string, apiURL string, metrics int) string {
	var b strings.Builder
	fmt.Fprintf(&b, `
[store]
path = "dw.db"

[notify.slack]
token_env = "SLACK_BOT_TOKEN"
channel = "#alerts"
api_url = %q
min_severity = "warning"
`, apiURL)
	for i, u := range urls {
		fmt.Fprintf(&b, "\n[[source]]\nname = \"db-%d\"\ntype = \"http_json\"\nurl = %q\n", i, u)
		for m := 0; m < metrics; m++ {
			fmt.Fprintf(&b, "\n  [[source.threshold]]\n  path = \"/m/%d\"\n  above = 90\n", m)
		}
	}
	return b.String()
}

// killLoopDoc is a metrics document whose values cross the threshold at
// random, so each poll opens and resolves findings.
func killLoopDoc(rng *rand.Rand, metrics int) string {
	parts := make([]string, metrics)
	for i := range parts {
		parts[i] = "10"
		if rng.IntN(2) == 0 {
			parts[i] = "99"
		}
	}
	return `{"m":[` + strings.Join(parts, ",") + `]}`
}

// TestKillLoop kills `driftwatch poll` with SIGKILL at random points of
// its fetch, commit and delivery (Slack in bot mode answers after a random
// pause, so kills land between Slack taking a message and the store
// marking it sent), over and over. Between kills, the dead process's
// claims are expired (as two minutes would). After each kill the store
// must pass integrity_check and hold no partial snapshot; at the end,
// every notice must be in Slack exactly once.
func TestKillLoop(t *testing.T) {
	t.Parallel() // runs only the built binary
	binary(t)
	kills := killLoopKills
	if v, err := strconv.Atoi(os.Getenv("DRIFTWATCH_KILLS")); err == nil && v > 0 {
		kills = v
	}
	seed := uint64(time.Now().UnixNano())
	if v, err := strconv.ParseUint(os.Getenv("DRIFTWATCH_KILL_SEED"), 10, 64); err == nil {
		seed = v
	}
	t.Logf("seed %d (DRIFTWATCH_KILL_SEED replays it)", seed)
	rng := rand.New(rand.NewPCG(seed, 13))

	const metrics = 4
	sim := providertest.NewSlack()
	defer sim.Close()
	sim.RequireToken("xoxb-kill-loop")
	pause := make(chan time.Duration, 1)
	pause <- 0
	sim.OnRequest(func(string) {
		d := <-pause
		pause <- d
		time.Sleep(d)
	})
	setPause := func(d time.Duration) { <-pause; pause <- d }

	var ups []*upstream
	var urls []string
	for range 3 {
		u := newUpstream(t, killLoopDoc(rng, metrics))
		ups = append(ups, u)
		urls = append(urls, u.URL)
	}
	c := newCLI(t, killLoopConfig(urls, sim.APIURL(), metrics))
	c.env["SLACK_BOT_TOKEN"] = "xoxb-kill-loop"

	// A whole poll, Slack answering at once, sets the scale of the kill
	// points.
	start := time.Now()
	if r := c.exec("poll"); r.code != 0 {
		t.Fatalf("first poll: exit %d\n%s", r.code, r.stderr)
	}
	whole := time.Since(start)
	db := storeDB(t, c)

	var st killStats
	for i := 0; st.kills < kills && i < 4*kills; i++ {
		for _, u := range ups {
			u.set(200, "application/json", killLoopDoc(rng, metrics))
		}
		expireClaims(t, db)
		setPause(time.Duration(rng.IntN(30)) * time.Millisecond)
		if i%10 == 9 {
			// Now and then a poll runs to its end: it drains what piled
			// up and sets the scale of the kill points anew.
			start := time.Now()
			r := c.exec("poll")
			if r.code != 0 {
				t.Fatalf("poll: exit %d\n%s", r.code, r.stderr)
			}
			whole = time.Since(start)
			st.recovered += strings.Count(r.stderr, "found already posted")
			st.check(t, db)
			continue
		}
		p := c.start("poll")
		time.Sleep(time.Duration(rng.Int64N(int64(whole*3/2) + 1)))
		if p.kill(t) {
			st.kills++
		} else {
			st.finished++
		}
		st.recovered += strings.Count(p.stderr.String(), "found already posted")
		st.check(t, db)
		st.inDoubt += count(t, db, "SELECT count(*) FROM outbox WHERE sent_at IS NULL AND attempt_started_at IS NOT NULL AND claimed_until IS NOT NULL")
	}
	// Let the last notices out.
	setPause(0)
	for range 5 {
		if count(t, db, "SELECT count(*) FROM outbox WHERE sent_at IS NULL AND given_up_at IS NULL") == 0 {
			break
		}
		expireClaims(t, db)
		r := c.exec("poll")
		if r.code != 0 {
			t.Fatalf("final poll: exit %d\n%s", r.code, r.stderr)
		}
		st.recovered += strings.Count(r.stderr, "found already posted")
	}
	st.check(t, db)
	if n := count(t, db, "SELECT count(*) FROM outbox WHERE sent_at IS NULL"); n != 0 {
		t.Errorf("%d notices still pending after the loop", n)
	}

	// Every notice sent is in Slack, once.
	posted := map[string]int{}
	for _, p := range sim.Posted() {
		if p.Metadata == nil {
			t.Errorf("a message without metadata: %s", p.Text)
			continue
		}
		keys, _ := p.Metadata.EventPayload["notices"].(string)
		for _, k := range strings.Split(keys, ",") {
			posted[k]++
		}
	}
	rows, err := db.Query("SELECT id, created_at FROM outbox WHERE sent_at IS NOT NULL")
	if err != nil {
		t.Fatal(err)
	}
	notices := 0
	for rows.Next() {
		var id int64
		var created string
		if err := rows.Scan(&id, &created); err != nil {
			t.Fatal(err)
		}
		at, _ := time.Parse("2006-01-02T15:04:05.000Z", created)
		notices++
		if posted[fmt.Sprintf("%d-%d", id, at.UnixMilli())] == 0 {
			t.Errorf("notice %d marked sent but never posted", id)
		}
	}
	rows.Close()
	for k, n := range posted {
		if n > 1 {
			st.duplicates += n - 1
			t.Errorf("notice %s posted %d times", k, n)
		}
	}
	t.Logf("kill loop: %d kills (%d polls finished first), %d notices in %d messages; corrupt stores %d, partial snapshots %d, duplicate posts %d; notices in doubt after a kill (summed over kills) %d, found in Slack's history %d",
		st.kills, st.finished, notices, len(sim.Posted()), st.corrupt, st.partial, st.duplicates, st.inDoubt, st.recovered)
	if st.corrupt+st.partial+st.duplicates > 0 {
		t.Errorf("corrupt stores %d, partial snapshots %d, duplicate posts %d; want 0", st.corrupt, st.partial, st.duplicates)
	}
	if st.kills < kills {
		t.Errorf("only %d kills landed mid-run; want %d", st.kills, kills)
	}
}

// killStats counts what the kill loop saw.
type killStats struct {
	kills, finished, corrupt, partial, duplicates, inDoubt, recovered int
}

// check looks at the store a killed process left: integrity, and every
// snapshot whole (its body decodes to the document its hash names, the
// source's last hash is its newest snapshot's).
func (s *killStats) check(t *testing.T, db *sql.DB) {
	t.Helper()
	var res string
	if err := db.QueryRow("PRAGMA integrity_check").Scan(&res); err != nil || res != "ok" {
		s.corrupt++
		t.Errorf("integrity_check = %q, %v", res, err)
		return
	}
	rows, err := db.Query("SELECT id, source, hash, encoding, size, body FROM snapshots")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var source, hash, enc string
		var size int
		var body []byte
		if err := rows.Scan(&id, &source, &hash, &enc, &size, &body); err != nil {
			t.Fatal(err)
		}
		if enc == "gzip" {
			zr, err := gzip.NewReader(bytes.NewReader(body))
			if err == nil {
				body, err = io.ReadAll(zr)
			}
			if err != nil {
				s.partial++
				t.Errorf("snapshot %d: %v", id, err)
				continue
			}
		}
		sum := sha256.Sum256(body)
		var doc struct{ M []float64 }
		if hex.EncodeToString(sum[:]) != hash || len(body) != size || json.Unmarshal(body, &doc) != nil || len(doc.M) != 4 {
			s.partial++
			t.Errorf("snapshot %d of %s is not whole: %d bytes of %d, %s", id, source, len(body), size, body)
		}
	}
	if n := count(t, db, `SELECT count(*) FROM sources s WHERE s.last_hash != '' AND s.last_hash !=
		(SELECT hash FROM snapshots WHERE source = s.name ORDER BY id DESC LIMIT 1)`); n != 0 {
		s.partial++
		t.Errorf("%d sources whose last hash is not their newest snapshot's", n)
	}
}

// expireClaims ends the leases of dead processes, as two minutes would.
func expireClaims(t *testing.T, db *sql.DB) {
	t.Helper()
	if _, err := db.Exec("UPDATE outbox SET claimed_until = '2000-01-01T00:00:00.000Z' WHERE sent_at IS NULL AND claimed_until IS NOT NULL"); err != nil {
		t.Fatal(err)
	}
}
