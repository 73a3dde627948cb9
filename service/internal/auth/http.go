package auth

import (
	"errors"
	"fmt"
	"net/http"
	"strings"
)

// Authenticator turns a request into a validated user id; errors wrap ErrUnauthorized.
type Authenticator interface {
	Authenticate(r *http.Request) (userID string, err error)
}

// Bearer authenticates "Authorization: Bearer <JWT>" with a verifier and an optional cache.
type Bearer struct {
	Verifier *Verifier
	Cache    *Cache // nil: verify every request
}

// MaxTokenLen refuses absurd tokens before any parsing work.
const MaxTokenLen = 8 << 10

func (b *Bearer) Authenticate(r *http.Request) (string, error) {
	h := r.Header.Get("Authorization")
	const prefix = "Bearer "
	if len(h) <= len(prefix) || !strings.EqualFold(h[:len(prefix)], prefix) {
		return "", fmt.Errorf("%w: missing bearer token", ErrUnauthorized)
	}
	raw := strings.TrimSpace(h[len(prefix):])
	if raw == "" || len(raw) > MaxTokenLen {
		return "", fmt.Errorf("%w: empty or oversized bearer token", ErrUnauthorized)
	}
	if b.Cache != nil {
		if id, ok := b.Cache.Get(raw); ok {
			return id.UserID, nil
		}
	}
	id, err := b.Verifier.Verify(raw)
	if err != nil {
		return "", err
	}
	if b.Cache != nil {
		b.Cache.Put(raw, id)
	}
	return id.UserID, nil
}

// MockHeader takes the user id from X-Mock-User-Id: the reference's mode for load tests with auth
// switched off (PLUGIN_GRPC_SERVER_AUTH_ENABLED=false).
type MockHeader struct{}

const MockUserHeader = "X-Mock-User-Id"

func (MockHeader) Authenticate(r *http.Request) (string, error) {
	id := r.Header.Get(MockUserHeader)
	if id == "" {
		return "", fmt.Errorf("%w: missing %s header", ErrUnauthorized, MockUserHeader)
	}
	if err := ValidateUserID(id); err != nil {
		return "", fmt.Errorf("%w: %s: %v", ErrUnauthorized, MockUserHeader, err)
	}
	return id, nil
}

// IsUnauthorized reports whether err is an authentication failure.
func IsUnauthorized(err error) bool { return errors.Is(err, ErrUnauthorized) }
