package claims

import (
	"errors"
	"fmt"
)

// Outcomes a claim can end with; the API maps each to a status code and error code.
var (
	ErrChallengeNotFound = errors.New("challenge not found")
	ErrGoalNotFound      = errors.New("goal not found in this challenge")
	ErrNotCompleted      = errors.New("goal not completed")
	ErrPrerequisites     = errors.New("prerequisite goals not completed")
	ErrAlreadyClaimed    = errors.New("goal already claimed")
	ErrInProgress        = errors.New("a claim of this goal is in progress")
	ErrRewardFailed      = errors.New("reward platform failed")
	// ErrRewardUnknown (also an ErrRewardFailed): the platform never answered; the claim stays
	// 'claiming' and the reconciler completes it with the same idempotency key.
	ErrRewardUnknown = fmt.Errorf("%w: outcome unknown, completed in the background", ErrRewardFailed)
)
