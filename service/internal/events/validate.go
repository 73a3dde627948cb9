package events

import (
	"math"
	"time"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/challenge-perf/challenge-perf/service/internal/userid"
)

// maxIDLen bounds event, user and stat ids; longer values are refused as absurd.
const maxIDLen = 128

// Invalid-input answers, built once: the hot path must not format errors.
var (
	errEmptyID      = status.Error(codes.InvalidArgument, "event id is required")
	errLongID       = status.Error(codes.InvalidArgument, "event id longer than 128 characters")
	errCtrlID       = status.Error(codes.InvalidArgument, "event id contains control characters")
	errEmptyUser    = status.Error(codes.InvalidArgument, "userId is required")
	errBadUser      = status.Error(codes.InvalidArgument, "userId must be 1-128 bytes of printable characters without spaces (the API's rule)")
	errNoPayload    = status.Error(codes.InvalidArgument, "payload is required")
	errBadStatCode  = status.Error(codes.InvalidArgument, "payload.statCode must match ^[A-Za-z0-9][A-Za-z0-9_.:-]{0,127}$")
	errBadValue     = status.Error(codes.InvalidArgument, "payload.latestValue must be a finite number")
	errBadTimestamp = status.Error(codes.InvalidArgument, "timestamp must be RFC 3339")
	errFutureTime   = status.Error(codes.InvalidArgument, "timestamp too far in the future")
	errEarlyTime    = status.Error(codes.InvalidArgument, "timestamp must lie after 0001-01-01T00:00:00Z (an absent timestamp orders before every present one)")
	errUnavailable  = status.Error(codes.Unavailable, "de-duplication store unavailable; retry later")
	errShuttingDown = status.Error(codes.Unavailable, "event handler shutting down; retry later")
	errBufferFull   = status.Error(codes.ResourceExhausted, "update buffer full; retry later")

	errCommitQueueFull = status.Error(codes.ResourceExhausted, "too many events waiting for a commit (BUFFER_SIZE_LIMIT); retry later")
	errNotCommitted    = status.Error(codes.Unavailable, "event not committed (database unavailable or slow); retry later")
)

// checkEventID refuses control characters: a NUL would make PostgreSQL reject the whole batch
// holding it (applied_events is text), again at every redelivery; and BufferedSink relies on login
// ids never starting with a control character to keep its stat marks apart.
func checkEventID(id string) error {
	switch {
	case id == "":
		return errEmptyID
	case len(id) > maxIDLen:
		return errLongID
	}
	for i := 0; i < len(id); i++ {
		if c := id[i]; c < 0x20 || c == 0x7f {
			return errCtrlID
		}
	}
	return nil
}

// checkUserID applies the API's rule (userid.Validate): an id stored here that the API could never
// be asked about would be progress nobody can see or claim.
func checkUserID(id string) error {
	if id == "" {
		return errEmptyUser
	}
	if userid.Validate(id) != nil {
		return errBadUser
	}
	return nil
}

// validStatCode mirrors the catalog's id pattern ^[A-Za-z0-9][A-Za-z0-9_.:-]{0,127}$ without regexp.
func validStatCode(s string) bool {
	if len(s) == 0 || len(s) > maxIDLen || !alnum(s[0]) {
		return false
	}
	for i := 1; i < len(s); i++ {
		c := s[i]
		if !alnum(c) && c != '_' && c != '.' && c != ':' && c != '-' {
			return false
		}
	}
	return true
}

func alnum(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
}

// checkValue accepts any finite value. AGS stats may be negative (a balance, a rating delta), and
// the catalog's only operator is ">=" with a positive target, so a negative value simply means
// "not there yet": it is stored as the current value (progress shows 0), never lowers max_value,
// and never completes or un-completes a goal.
func checkValue(v float64) error {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return errBadValue
	}
	return nil
}

// eventTime parses the event's RFC 3339 timestamp (fractional seconds accepted), truncated to the
// microseconds PostgreSQL keeps so the buffer and the database order ties alike. An absent
// timestamp is the zero time, not the arrival time: a redelivery arrives later than its original,
// and must not order differently from it (docs/DESIGN_STORAGE.md, "The order of absolute values").
// So it orders before every event with a timestamp, and the id decides among such events; a
// timestamp that is not after the zero time would tie with or precede them, and is refused. A
// timestamp far in the future is refused: it would win every comparison of its stat until then.
func eventTime(ts string, now time.Time, maxSkew time.Duration) (time.Time, error) {
	if ts == "" {
		return time.Time{}, nil
	}
	t, err := time.Parse(time.RFC3339, ts)
	if err != nil {
		return time.Time{}, errBadTimestamp
	}
	if t.Sub(now) > maxSkew {
		return time.Time{}, errFutureTime
	}
	t = t.Truncate(time.Microsecond)
	if !t.After(time.Time{}) {
		return time.Time{}, errEarlyTime
	}
	return t, nil
}

func isExhausted(err error) bool { return status.Code(err) == codes.ResourceExhausted }
