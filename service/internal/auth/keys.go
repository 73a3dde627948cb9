// Package auth verifies the platform's JWT access tokens locally (no call to the IAM service per
// request) and turns a request into a validated user id.
package auth

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rsa"
	"encoding/json"
	"errors"
	"fmt"
	"os"

	"github.com/golang-jwt/jwt/v5"
)

// KeySet holds the verification keys, parsed once at start-up.
// byKID is used when the token names a key; single is the key for tokens without a kid
// (the PEM case, or a JWKS with exactly one key).
type KeySet struct {
	byKID  map[string]any
	single any
}

// LoadPEM reads one RSA or EC (P-256) public key in PEM form (PKIX "PUBLIC KEY" or "RSA PUBLIC KEY").
func LoadPEM(path string) (*KeySet, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("JWT public key: %w", err)
	}
	if k, err := jwt.ParseRSAPublicKeyFromPEM(data); err == nil {
		if err := checkRSA(k); err != nil {
			return nil, fmt.Errorf("JWT public key %s: %w", path, err)
		}
		return &KeySet{single: k}, nil
	}
	k, err := jwt.ParseECPublicKeyFromPEM(data)
	if err != nil {
		return nil, fmt.Errorf("JWT public key %s: not an RSA or EC public key in PEM form", path)
	}
	if k.Curve != elliptic.P256() {
		return nil, fmt.Errorf("JWT public key %s: EC keys must use P-256 (ES256)", path)
	}
	return &KeySet{single: k}, nil
}

// LoadJWKS reads a JSON Web Key Set file; RSA and P-256 EC keys are kept, others skipped.
func LoadJWKS(path string) (*KeySet, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("JWKS: %w", err)
	}
	ks, err := ParseJWKS(data)
	if err != nil {
		return nil, fmt.Errorf("JWKS %s: %w", path, err)
	}
	return ks, nil
}

type jwk struct {
	Kty string `json:"kty"`
	Kid string `json:"kid"`
	Use string `json:"use"`
	N   string `json:"n"`
	E   string `json:"e"`
	Crv string `json:"crv"`
	X   string `json:"x"`
	Y   string `json:"y"`
}

// ParseJWKS decodes a JWKS document.
func ParseJWKS(data []byte) (*KeySet, error) {
	var doc struct {
		Keys []jwk `json:"keys"`
	}
	if err := json.Unmarshal(data, &doc); err != nil {
		return nil, fmt.Errorf("invalid JSON: %w", err)
	}
	ks := &KeySet{byKID: map[string]any{}}
	var last any
	for i, k := range doc.Keys {
		if k.Use != "" && k.Use != "sig" {
			continue
		}
		key, err := k.publicKey()
		if err != nil {
			return nil, fmt.Errorf("keys[%d] (kid %q): %w", i, k.Kid, err)
		}
		if key == nil {
			continue
		}
		ks.byKID[k.Kid] = key
		last = key
	}
	if len(ks.byKID) == 0 {
		return nil, errors.New("no usable RSA or P-256 EC signing key")
	}
	if len(ks.byKID) == 1 {
		ks.single = last
	}
	return ks, nil
}

func (k jwk) publicKey() (any, error) {
	switch k.Kty {
	case "RSA":
		n, err := b64(k.N)
		if err != nil || len(n) == 0 {
			return nil, errors.New("bad modulus n")
		}
		e, err := b64(k.E)
		if err != nil || len(e) == 0 || len(e) > 4 {
			return nil, errors.New("bad exponent e")
		}
		var exp int
		for _, b := range e {
			exp = exp<<8 | int(b)
		}
		pk := &rsa.PublicKey{N: newInt(n), E: exp}
		if err := checkRSA(pk); err != nil {
			return nil, err
		}
		return pk, nil
	case "EC":
		if k.Crv != "P-256" {
			return nil, nil // not usable for ES256: skip
		}
		x, err1 := b64(k.X)
		y, err2 := b64(k.Y)
		if err1 != nil || err2 != nil || len(x) != 32 || len(y) != 32 {
			return nil, errors.New("bad EC coordinates")
		}
		// SEC 1 uncompressed point: the library checks it is on the curve.
		pk, err := ecdsa.ParseUncompressedPublicKey(elliptic.P256(), append(append([]byte{4}, x...), y...))
		if err != nil {
			return nil, fmt.Errorf("EC key: %w", err)
		}
		return pk, nil
	default:
		return nil, nil
	}
}

// Keys finds the verification key for a token's kid ("" when the token names none).
type Keys interface {
	Key(kid string) (any, error)
}

// Weak RSA keys are refused wherever they come from: below 2048 bits a key can be factored by a
// determined attacker, and tiny exponents (3) invite signature forgery with sloppy padding checks.
const (
	minRSABits     = 2048
	minRSAExponent = 65537
)

func checkRSA(k *rsa.PublicKey) error {
	switch {
	case k.N.BitLen() < minRSABits:
		return fmt.Errorf("RSA key of %d bits refused: at least %d required", k.N.BitLen(), minRSABits)
	case k.E < minRSAExponent:
		return fmt.Errorf("RSA key with exponent %d refused: at least %d required", k.E, minRSAExponent)
	}
	return nil
}

// Key picks the key for a token: by kid when the set has kids, else the single key.
func (ks *KeySet) Key(kid string) (any, error) {
	if kid != "" && ks.byKID != nil {
		if k, ok := ks.byKID[kid]; ok {
			return k, nil
		}
		return nil, fmt.Errorf("unknown key id %q", kid)
	}
	if ks.single != nil {
		return ks.single, nil
	}
	return nil, errors.New("token has no kid and the key set has several keys")
}
