package api

import (
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/prometheus/client_golang/prometheus"
)

// PoolCollector exports pgxpool statistics at scrape time (no background polling).
type PoolCollector struct {
	stat  func() *pgxpool.Stat
	descs map[string]*prometheus.Desc
}

// NewPoolCollector reads stats from stat (usually pool.Stat).
func NewPoolCollector(stat func() *pgxpool.Stat) *PoolCollector {
	d := func(name, help string) *prometheus.Desc { return prometheus.NewDesc(name, help, nil, nil) }
	return &PoolCollector{stat: stat, descs: map[string]*prometheus.Desc{
		"acquired":      d("db_pool_acquired_conns", "Connections currently checked out of the pool."),
		"idle":          d("db_pool_idle_conns", "Idle connections in the pool."),
		"total":         d("db_pool_total_conns", "Connections in the pool (acquired, idle and being built)."),
		"max":           d("db_pool_max_conns", "Maximum pool size."),
		"acquire_count": d("db_pool_acquire_count_total", "Successful connection acquisitions."),
		"acquire_dur":   d("db_pool_acquire_duration_seconds_total", "Total time spent acquiring connections."),
		"empty_acquire": d("db_pool_empty_acquire_count_total", "Acquisitions that had to wait because no connection was idle."),
		"canceled":      d("db_pool_canceled_acquire_count_total", "Acquisitions canceled by their context."),
	}}
}

func (c *PoolCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range c.descs {
		ch <- d
	}
}

func (c *PoolCollector) Collect(ch chan<- prometheus.Metric) {
	s := c.stat()
	g := func(k string, v float64) { ch <- prometheus.MustNewConstMetric(c.descs[k], prometheus.GaugeValue, v) }
	n := func(k string, v float64) { ch <- prometheus.MustNewConstMetric(c.descs[k], prometheus.CounterValue, v) }
	g("acquired", float64(s.AcquiredConns()))
	g("idle", float64(s.IdleConns()))
	g("total", float64(s.TotalConns()))
	g("max", float64(s.MaxConns()))
	n("acquire_count", float64(s.AcquireCount()))
	n("acquire_dur", s.AcquireDuration().Seconds())
	n("empty_acquire", float64(s.EmptyAcquireCount()))
	n("canceled", float64(s.CanceledAcquireCount()))
}
