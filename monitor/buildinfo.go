package monitor

import "github.com/prometheus/client_golang/prometheus"

// SetBuildInfo exports driftwatch_build_info{version,commit,goversion} = 1,
// the usual way to see which build runs where and to join it onto other
// series. Call it once per monitor.
func (m *Monitor) SetBuildInfo(version, commit, goVersion string) {
	g := prometheus.NewGauge(prometheus.GaugeOpts{
		Name:        "driftwatch_build_info",
		Help:        "The running build: version, commit and Go version as labels; always 1.",
		ConstLabels: prometheus.Labels{"version": version, "commit": commit, "goversion": goVersion},
	})
	g.Set(1)
	m.reg.MustRegister(g)
}
