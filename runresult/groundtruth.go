package runresult

// GroundTruthFile is a level's ground_truth.json, written by the load generator: what the events
// it saw acknowledged imply, and the events whose outcome it could not know (uncertain: the
// answer never came, so they may have been applied), each tied to its own user and stat so that a
// value above the truth is explained only by an event of that user and stat.
type GroundTruthFile struct {
	Namespace      string `json:"namespace"`
	ValueMode      string `json:"valueMode"`
	EventsAcked    int64  `json:"eventsAcked"`
	EventsRejected int64  `json:"eventsRejected"`
	// EventsUncertain were not acknowledged but may have been applied (deadline exceeded,
	// cancelled, a connection lost after sending).
	EventsUncertain int64                      `json:"eventsUncertain"`
	Users           map[string]GroundTruthUser `json:"users"`
}

// GroundTruthUser is one user's acknowledged logins, uncertain logins and stats.
type GroundTruthUser struct {
	Logins          int                        `json:"logins"`
	UncertainLogins int                        `json:"uncertainLogins,omitempty"`
	Stats           map[string]GroundTruthStat `json:"stats"`
}

// GroundTruthStat is one (user, stat): the acknowledged event that decides its value (the greatest
// by timestamp, then event id bytewise; an event without a timestamp orders before any with one),
// and the uncertain events of this stat.
type GroundTruthStat struct {
	Acked bool    `json:"acked"` // false: only uncertain events (Value, Timestamp, ID unset)
	Value float64 `json:"value"`
	// Timestamp (RFC 3339) of the deciding event; "" when it had none.
	Timestamp string `json:"timestamp"`
	ID        string `json:"id,omitempty"`
	// Max is the largest value of any acknowledged event of this stat (completion is sticky).
	Max       float64            `json:"max"`
	Uncertain []GroundTruthEvent `json:"uncertain,omitempty"`
}

// GroundTruthEvent is one stat event: its value, timestamp ("" = none) and id.
type GroundTruthEvent struct {
	Value     float64 `json:"value"`
	Timestamp string  `json:"timestamp"`
	ID        string  `json:"id"`
}
