package redact_test

import (
	"testing"

	"github.com/driftwatch/driftwatch/providers/providertest"
	"github.com/driftwatch/driftwatch/redact"
)

// BenchmarkValue measures the policy on recorded Management API pages:
// 29 clients and 31 connections (about 120 KB of JSON).
func BenchmarkValue(b *testing.B) {
	pages := [][]byte{
		providertest.MustRead("auth0/clients_list_page.terraform.json"),
		providertest.MustRead("auth0/connections_list_checkpoint.terraform.json"),
	}
	b.ReportAllocs()
	for b.Loop() {
		b.StopTimer()
		docs := make([]any, len(pages))
		for i, p := range pages {
			docs[i] = decode(b, string(p))
		}
		b.StartTimer()
		for _, d := range docs {
			redact.Value(d)
		}
	}
}
