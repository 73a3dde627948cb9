package auth

import "github.com/challenge-perf/challenge-perf/service/internal/userid"

// MaxUserIDLen bounds user ids (see userid.MaxLen).
const MaxUserIDLen = userid.MaxLen

// ValidateUserID is userid.Validate, the rule shared with the event handler.
func ValidateUserID(id string) error { return userid.Validate(id) }
