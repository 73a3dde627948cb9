// Package reward grants goal rewards on the platform (AGS shape: ITEM → entitlement grant,
// WALLET → wallet credit), with a real HTTP client, a mock for load tests and a metrics wrapper.
package reward

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
)

// Grant is one reward to give. IdempotencyKey is stable per (namespace, user, goal) so a grant
// retried after an unknown outcome (timeout, crash, stale-claim takeover) is deduplicated by the
// platform instead of paid twice. Exactly-once rests on that: against a platform that does not
// honour the key, a repeat of a grant whose answer was lost pays twice (the service repeats one
// on its claim path only with REWARD_IDEMPOTENT_RETRIES=true).
type Grant struct {
	Namespace      string
	UserID         string
	GoalID         string
	Type           string // challenges.RewardItem or challenges.RewardWallet
	RewardID       string // item id (ITEM) or currency code (WALLET)
	Quantity       int64
	IdempotencyKey string
}

// Client grants rewards. A nil error means the platform confirmed the grant; an error wrapping
// ErrRefused means it answered that it did not grant; any other error (timeout, lost connection,
// 5xx) is an unknown outcome: the grant may have happened, and only a retry with the same
// IdempotencyKey tells.
type Client interface {
	Grant(ctx context.Context, g Grant) error
}

// ErrRefused marks a definite "not granted" answer: releasing the claim is safe.
var ErrRefused = errors.New("grant refused by the platform")

// Refused reports whether err is a definite refusal (see Client).
func Refused(err error) bool { return errors.Is(err, ErrRefused) }

// IdempotencyKey derives the grant key of a goal claim. Hashing keeps it short and free of
// separators whatever the ids contain.
func IdempotencyKey(namespace, userID, goalID string) string {
	h := sha256.New()
	h.Write([]byte(namespace))
	h.Write([]byte{0})
	h.Write([]byte(userID))
	h.Write([]byte{0})
	h.Write([]byte(goalID))
	return "challenge-claim-" + hex.EncodeToString(h.Sum(nil)[:16])
}
