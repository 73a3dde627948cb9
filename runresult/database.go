package runresult

import "time"

// The database statistics the harness reads from PostgreSQL (pg_stat_* views).

// StatementStat is one row of pg_stat_statements.
type StatementStat struct {
	Query       string  `json:"query"`
	Calls       int64   `json:"calls"`
	MeanMS      float64 `json:"mean_ms"`
	MaxMS       float64 `json:"max_ms"`
	TotalSec    float64 `json:"total_sec"`
	Rows        int64   `json:"rows"`
	CacheHitPct float64 `json:"cache_hit_pct"`
}

// TableStat is one row of pg_stat_user_tables.
type TableStat struct {
	Table          string     `json:"table"`
	TotalBytes     int64      `json:"total_bytes"`
	LiveRows       int64      `json:"live_rows"`
	DeadRows       int64      `json:"dead_rows"`
	Inserts        int64      `json:"inserts"`
	Updates        int64      `json:"updates"`
	HotUpdates     int64      `json:"hot_updates"`
	SeqScans       int64      `json:"seq_scans"`
	IdxScans       int64      `json:"idx_scans"`
	LastAutovacuum *time.Time `json:"last_autovacuum"`
}

// IndexStat is one row of pg_stat_user_indexes.
type IndexStat struct {
	Table   string `json:"table"`
	Index   string `json:"index"`
	Scans   int64  `json:"scans"`
	TupRead int64  `json:"tuples_read"`
	Bytes   int64  `json:"bytes"`
}

// ConnState counts connections by state.
type ConnState struct {
	State     string  `json:"state"`
	Count     int64   `json:"count"`
	OldestSec float64 `json:"oldest_sec"`
}

// DBAnalysis is the spec's scenario 4 analysis (Metrics Collection, "From PostgreSQL").
type DBAnalysis struct {
	TopStatements []StatementStat `json:"top_statements"`
	Connections   []ConnState     `json:"connections"`
	Tables        []TableStat     `json:"tables"`
	Indexes       []IndexStat     `json:"indexes"`
	CacheHitPct   float64         `json:"cache_hit_pct"`
	Commits       int64           `json:"commits"`
	Rollbacks     int64           `json:"rollbacks"`
	Deadlocks     int64           `json:"deadlocks"`
}

// DBSample is one periodic look at the database during load.
type DBSample struct {
	Time        time.Time `json:"t"`
	Active      int64     `json:"active"`
	Idle        int64     `json:"idle"`
	IdleInTx    int64     `json:"idle_in_transaction"`
	Commits     int64     `json:"commits"`
	TupInserted int64     `json:"tup_inserted"`
	TupUpdated  int64     `json:"tup_updated"`
	Statements  int64     `json:"statements"` // pg_stat_statements calls so far
}
