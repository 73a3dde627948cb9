package buffer

import "time"

// Key identifies one buffered row: the user_stats primary key.
type Key struct {
	UserID  string
	StatKey string
}

// Update is one validated event mapped to the stat it changes.
type Update struct {
	Key
	Namespace string
	// Value is a delta when Additive (logins), otherwise the absolute latest value of the stat.
	Value    float64
	At       time.Time // event time; absolute values are last-writer-wins by it
	Additive bool
}

// entry is the coalesced state of one key: what the next flush writes.
type entry struct {
	namespace string
	value     float64   // summed delta (additive) or the value with the latest event time
	max       float64   // greatest absolute value seen (completions); equals value for additive entries
	at        time.Time // latest event time seen
	additive  bool
}

func entryOf(u *Update) entry {
	return entry{namespace: u.Namespace, value: u.Value, max: u.Value, at: u.At, additive: u.Additive}
}

// combine merges two entries of the same key; newer is the one that arrived later, so it wins
// event-time ties (the SQL uses >= for the same reason). Order-independent otherwise, which is what
// lets a failed flush be merged back under entries that arrived meanwhile.
func combine(older, newer entry) entry {
	out := newer
	if older.additive {
		out.value = older.value + newer.value
		out.max = out.value
		if older.at.After(newer.at) {
			out.at = older.at
		}
		return out
	}
	if older.at.After(newer.at) {
		out.value, out.at = older.value, older.at
	}
	out.max = max(older.max, newer.max)
	return out
}

// Row is one entry handed to a Writer.
type Row struct {
	Key
	Namespace string
	Value     float64
	Max       float64
	At        time.Time
	Additive  bool
}

func rowOf(k Key, e entry) Row {
	return Row{Key: k, Namespace: e.namespace, Value: e.value, Max: e.max, At: e.at, Additive: e.additive}
}

func (r *Row) entry() entry {
	return entry{namespace: r.Namespace, value: r.Value, max: r.Max, at: r.At, additive: r.Additive}
}

// Merge coalesces two rows of the same key by the buffer's rules (login deltas add up, a statistic
// keeps the value with the latest event time, a later arrival winning ties, and the greatest value
// seen); newer is the one that arrived later.
func Merge(older, newer Row) Row {
	return rowOf(older.Key, combine(older.entry(), newer.entry()))
}

// RowOf is the row one update writes on its own.
func RowOf(u *Update) Row { return rowOf(u.Key, entryOf(u)) }
