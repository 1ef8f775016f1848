// Package bench measures and attacks the whole driftwatch pipeline: the
// real config, providers, engine, store and notifiers, run against local
// upstreams. Its benchmarks say what a poll cycle, a year of snapshots and
// a gate on a large store cost; its fault tests make upstreams and Slack
// misbehave (errors, hangs, resets, trickles, login pages, wrong shapes,
// oversized and non-UTF-8 bodies, a day of outage) and check that
// driftwatch raises no false alarm and loses no real one.
//
// The helpers here (a conditional upstream, a fault-injecting proxy and a
// write probe for the store) are plain code so that the tests of other
// packages can use them too. BENCHMARKS.md at the repository root quotes
// the figures with the commands that reproduce them.
package bench
