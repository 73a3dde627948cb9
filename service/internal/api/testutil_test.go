package api

import (
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
)

func jwtPEM(pub any) ([]byte, error) {
	der, err := x509.MarshalPKIXPublicKey(pub)
	if err != nil {
		return nil, err
	}
	return pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der}), nil
}

func jsonUnmarshal(b []byte, v any) error { return json.Unmarshal(b, v) }

// reason is the error code an error body carries in its google.rpc.ErrorInfo detail ("" if none).
func reason(body map[string]any) string {
	ds, _ := body["details"].([]any)
	if len(ds) != 1 {
		return ""
	}
	d, _ := ds[0].(map[string]any)
	r, _ := d["reason"].(string)
	return r
}
