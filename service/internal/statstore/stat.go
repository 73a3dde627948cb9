// Package statstore is what both acknowledgement modes share about a user's stats: the row key, an
// update, the rules that merge updates of one key, and the SQL that applies rows to user_stats
// (UpsertCTE). The group committer (internal/groupcommit, durable mode) and the buffer
// (internal/buffer, buffered mode) each use it and neither uses the other, so both apply events by
// the same rules.
package statstore

import "time"

// Key identifies one stat row: the user_stats primary key.
type Key struct {
	UserID  string
	StatKey string
}

// Update is one validated event mapped to the stat it changes.
type Update struct {
	Key
	Namespace string
	// Value is a delta when Additive (logins), otherwise the absolute latest value of the stat.
	Value float64
	// At is the event time (zero when the event carried none) and EventID its id: together the key
	// that orders absolute values (see after). EventID also de-duplicates additive events.
	At       time.Time
	EventID  string
	Additive bool
}

// Entry is the coalesced state of one key without the key: what the next write applies. The
// buffer keeps one per key in its maps.
type Entry struct {
	namespace string
	value     float64   // summed delta (additive) or the value of the greatest key (absolute)
	max       float64   // greatest absolute value seen (completions); equals value for additive entries
	at        time.Time // absolute: the key's time; additive: the latest login time
	eventID   string    // absolute: the key's id; additive: "" (logins are counted, not ordered)
	additive  bool
}

// EntryOf is the entry one update makes on its own.
func EntryOf(u *Update) Entry {
	e := Entry{namespace: u.Namespace, value: u.Value, max: u.Value, at: u.At, eventID: u.EventID, additive: u.Additive}
	if e.additive {
		e.eventID = ""
	}
	return e
}

// after reports whether e's key (at, eventID) is greater than o's: the later event time, then the
// greater id compared bytewise. It is the one order of absolute values, the same as UpsertCTE's
// (value_at, value_event_id COLLATE "C") row comparison, and it depends on nothing a redelivery or
// a commit can change (not arrival, not batch, not commit order).
func (e *Entry) after(o *Entry) bool {
	if !e.at.Equal(o.at) {
		return e.at.After(o.at)
	}
	return e.eventID > o.eventID
}

// Combine merges two entries of the same key. Absolute entries keep the value of the greater key
// and the greatest maximum, so the result does not depend on which arrived first, which is what lets
// a failed flush be merged back under entries that arrived meanwhile. Equal keys are one event
// delivered twice: the older is kept, as the SQL keeps the stored row.
func Combine(older, newer Entry) Entry {
	if older.additive {
		out := newer
		out.value = older.value + newer.value
		out.max = out.value
		if older.at.After(newer.at) {
			out.at = older.at
		}
		return out
	}
	out := older
	if newer.after(&older) {
		out = newer
	}
	out.max = max(older.max, newer.max)
	return out
}

// Row is one entry with its key, as a write applies it.
type Row struct {
	Key
	Namespace string
	Value     float64
	Max       float64
	At        time.Time
	EventID   string
	Additive  bool
}

// Row is e as the row of key k.
func (e Entry) Row(k Key) Row {
	return Row{Key: k, Namespace: e.namespace, Value: e.value, Max: e.max, At: e.at, EventID: e.eventID, Additive: e.additive}
}

// Entry is r without its key.
func (r *Row) Entry() Entry {
	return Entry{namespace: r.Namespace, value: r.Value, max: r.Max, at: r.At, eventID: r.EventID, additive: r.Additive}
}

// Merge coalesces two rows of the same key by the merge rules (login deltas add up, a statistic
// keeps the value of the greatest (event time, event id) and the greatest value seen); older is
// the one applied first, which only matters for logins' bookkeeping and for an event seen twice.
func Merge(older, newer Row) Row {
	return Combine(older.Entry(), newer.Entry()).Row(older.Key)
}

// RowOf is the row one update writes on its own.
func RowOf(u *Update) Row { return EntryOf(u).Row(u.Key) }
