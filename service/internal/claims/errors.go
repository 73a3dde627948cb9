package claims

import (
	"errors"
	"fmt"
	"time"
)

// Outcomes a claim can end with; the API maps each to a status code and error code.
var (
	ErrChallengeNotFound = errors.New("challenge not found")
	ErrGoalNotFound      = errors.New("goal not found in this challenge")
	ErrNotCompleted      = errors.New("goal not completed")
	// ErrNotActive: the player deactivated the goal (or it is not assigned by default and was
	// never activated); the reference refuses such claims too.
	ErrNotActive      = errors.New("goal not active")
	ErrPrerequisites  = errors.New("prerequisite goals not completed")
	ErrAlreadyClaimed = errors.New("goal already claimed")
	// ErrInProgress: the goal has a 'claiming' row (a claim is granting now, or its outcome is
	// unknown): the grant may still happen, so the goal is not claimable; the answer comes later.
	ErrInProgress = errors.New("a claim of this goal is in progress")
	// ErrRewardFailed: the platform answered that it did not grant; the goal is claimable again.
	ErrRewardFailed = errors.New("reward platform failed")
	// ErrRewardUnknown (also an ErrInProgress, never an ErrRewardFailed): the platform never
	// answered (timeout, lost connection, 5xx), so the grant may have happened. The claim stays
	// 'claiming'; the reconciler (or a claim after the stale window) completes it with the same
	// idempotency key.
	ErrRewardUnknown = fmt.Errorf("%w: reward outcome unknown, completed in the background", ErrInProgress)
)

// PendingError is how an in-progress outcome (ErrInProgress, ErrRewardUnknown) is returned: with a
// hint of when a new claim of the goal may find it resolved.
type PendingError struct {
	Err   error
	After time.Duration
}

func (e *PendingError) Error() string { return e.Err.Error() }
func (e *PendingError) Unwrap() error { return e.Err }

// RetryAfter is the hint: at least a second.
func (e *PendingError) RetryAfter() time.Duration { return max(time.Second, e.After) }
