package routing_test

// The source types are registered by the providers package, as in the
// binary.
import _ "github.com/driftwatch/driftwatch/providers"
