package auth

import (
	"errors"
	"fmt"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// ErrUnauthorized wraps every verification failure; the message says why (for logs), clients only
// see a generic 401.
var ErrUnauthorized = errors.New("unauthorized")

// Leeway tolerated on exp and nbf for clock skew between the IAM service and us.
const DefaultLeeway = 30 * time.Second

// Identity is what a verified token tells us.
type Identity struct {
	UserID  string
	Expires time.Time
}

type tokenClaims struct {
	jwt.RegisteredClaims
	Namespace string `json:"namespace"`
}

// Verifier checks signature (RS256/ES256 only), exp (required), nbf, sub and the namespace claim.
type Verifier struct {
	keys      *KeySet
	namespace string
	leeway    time.Duration
	parser    *jwt.Parser
}

// NewVerifier builds a verifier; namespace is the value the token's "namespace" claim must equal.
func NewVerifier(keys *KeySet, namespace string, leeway time.Duration) *Verifier {
	return &Verifier{
		keys:      keys,
		namespace: namespace,
		leeway:    leeway,
		// WithValidMethods refuses "none" and every HS* before any key is looked up, so a
		// public key can never be used as an HMAC secret.
		parser: jwt.NewParser(
			jwt.WithValidMethods([]string{"RS256", "ES256"}),
			jwt.WithLeeway(leeway),
			jwt.WithExpirationRequired(),
		),
	}
}

// Verify validates a raw compact JWT.
func (v *Verifier) Verify(raw string) (Identity, error) {
	var c tokenClaims
	_, err := v.parser.ParseWithClaims(raw, &c, v.keyFunc)
	if err != nil {
		return Identity{}, fmt.Errorf("%w: %v", ErrUnauthorized, err)
	}
	if c.Namespace != v.namespace {
		return Identity{}, fmt.Errorf("%w: namespace %q, want %q", ErrUnauthorized, c.Namespace, v.namespace)
	}
	if err := ValidateUserID(c.Subject); err != nil {
		return Identity{}, fmt.Errorf("%w: sub: %v", ErrUnauthorized, err)
	}
	return Identity{UserID: c.Subject, Expires: c.ExpiresAt.Time}, nil
}

func (v *Verifier) keyFunc(t *jwt.Token) (any, error) {
	kid, _ := t.Header["kid"].(string)
	return v.keys.keyFor(kid)
}
