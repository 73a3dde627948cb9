// Package userid is the one rule for user ids, applied alike to the HTTP API (token subject or
// mock header) and to both gRPC event protocols: an id the event side stores must be one the API
// can be asked about, and the other way round.
package userid

import (
	"errors"
	"unicode"
	"unicode/utf8"
)

// MaxLen bounds user ids (AGS ids are 32 hex characters; the fixture uses "user-000001").
const MaxLen = 128

// Validate accepts 1..128 bytes of valid UTF-8 made of printable, non-space characters, so an
// id can be logged, used as a metric-free key and stored without surprises.
func Validate(id string) error {
	if id == "" {
		return errors.New("empty user id")
	}
	if len(id) > MaxLen {
		return errors.New("user id longer than 128 bytes")
	}
	for i := 0; i < len(id); {
		c := id[i]
		if c < utf8.RuneSelf { // ASCII fast path
			if c <= ' ' || c == 0x7f {
				return errors.New("user id contains a space or control character")
			}
			i++
			continue
		}
		r, n := utf8.DecodeRuneInString(id[i:])
		if r == utf8.RuneError || !unicode.IsPrint(r) || unicode.IsSpace(r) {
			return errors.New("user id contains an invalid or non-printable character")
		}
		i += n
	}
	return nil
}
