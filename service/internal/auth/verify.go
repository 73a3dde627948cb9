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

// Verifier checks signature (RS256/ES256 only), exp (required), nbf, sub, the namespace claim and,
// when configured, iss and aud.
type Verifier struct {
	keys      Keys
	namespace string
	leeway    time.Duration
	parser    *jwt.Parser
}

// VerifierConfig: Namespace is the value the token's "namespace" claim must equal; Issuer and
// Audience, when set (JWT_ISSUER, JWT_AUDIENCE), must match "iss" and be among "aud".
type VerifierConfig struct {
	Namespace string
	Leeway    time.Duration
	Issuer    string
	Audience  string
}

// NewVerifier builds a verifier checking the namespace, without iss/aud checks.
func NewVerifier(keys Keys, namespace string, leeway time.Duration) *Verifier {
	return NewVerifierWith(keys, VerifierConfig{Namespace: namespace, Leeway: leeway})
}

// NewVerifierWith builds a verifier from a full configuration.
func NewVerifierWith(keys Keys, c VerifierConfig) *Verifier {
	// WithValidMethods refuses "none" and every HS* before any key is looked up, so a public key
	// can never be used as an HMAC secret.
	opts := []jwt.ParserOption{
		jwt.WithValidMethods([]string{"RS256", "ES256"}),
		jwt.WithLeeway(c.Leeway),
		jwt.WithExpirationRequired(),
	}
	if c.Issuer != "" {
		opts = append(opts, jwt.WithIssuer(c.Issuer))
	}
	if c.Audience != "" {
		opts = append(opts, jwt.WithAudience(c.Audience))
	}
	return &Verifier{keys: keys, namespace: c.Namespace, leeway: c.Leeway, parser: jwt.NewParser(opts...)}
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
	return v.keys.Key(kid)
}
