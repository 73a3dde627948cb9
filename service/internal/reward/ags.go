package reward

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/challenge-perf/challenge-perf/contract/challenges"
)

// AGS is the HTTP client for the AccelByte Gaming Services platform service. Only the request
// shape matters in this project (MOCK_AGS=true in every test run); it is unit-tested against httptest.
// It sends the grant's Idempotency-Key header; whether the platform's entitlement and wallet
// endpoints honour it is not verified here (see REWARD_IDEMPOTENT_RETRIES).
type AGS struct {
	baseURL string
	token   func(ctx context.Context) (string, error)
	http    *http.Client
}

// NewAGS targets baseURL (e.g. https://demo.accelbyte.io). token supplies the service's bearer token
// (client-credentials in a real deployment); nil sends none.
func NewAGS(baseURL string, token func(ctx context.Context) (string, error), timeout time.Duration) *AGS {
	return &AGS{
		baseURL: strings.TrimRight(baseURL, "/"),
		token:   token,
		http:    &http.Client{Timeout: timeout},
	}
}

type entitlementGrant struct {
	ItemID        string `json:"itemId"`
	ItemNamespace string `json:"itemNamespace"`
	Quantity      int64  `json:"quantity"`
	Source        string `json:"source"`
}

type walletCredit struct {
	Amount int64  `json:"amount"`
	Source string `json:"source"`
	Reason string `json:"reason"`
}

// Grant performs the platform call for one reward.
func (a *AGS) Grant(ctx context.Context, g Grant) error {
	ns, user := url.PathEscape(g.Namespace), url.PathEscape(g.UserID)
	var method, path string
	var body any
	switch g.Type {
	case challenges.RewardItem:
		method = http.MethodPost
		path = fmt.Sprintf("/platform/admin/namespaces/%s/users/%s/entitlements", ns, user)
		body = []entitlementGrant{{ItemID: g.RewardID, ItemNamespace: g.Namespace, Quantity: g.Quantity, Source: "REWARD"}}
	case challenges.RewardWallet:
		method = http.MethodPut
		path = fmt.Sprintf("/platform/admin/namespaces/%s/users/%s/wallets/%s/credit", ns, user, url.PathEscape(g.RewardID))
		body = walletCredit{Amount: g.Quantity, Source: "REWARD", Reason: "challenge goal " + g.GoalID}
	default:
		return fmt.Errorf("%w: reward type %q not supported", ErrRefused, g.Type)
	}
	payload, err := json.Marshal(body)
	if err != nil {
		return err
	}
	req, err := http.NewRequestWithContext(ctx, method, a.baseURL+path, bytes.NewReader(payload))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Idempotency-Key", g.IdempotencyKey)
	if a.token != nil {
		tok, err := a.token(ctx)
		if err != nil {
			return fmt.Errorf("platform token: %w", err)
		}
		req.Header.Set("Authorization", "Bearer "+tok)
	}
	resp, err := a.http.Do(req)
	if err != nil {
		return fmt.Errorf("platform %s %s: %w", method, path, err)
	}
	defer resp.Body.Close()
	snippet, _ := io.ReadAll(io.LimitReader(resp.Body, 512))
	if resp.StatusCode/100 != 2 {
		err := fmt.Errorf("platform %s %s: HTTP %d: %s", method, path, resp.StatusCode, bytes.TrimSpace(snippet))
		// A 4xx answer (other than a timeout) means the request was not carried out; a 5xx may
		// hide a grant that happened, so it stays an unknown outcome, resolved by a retry.
		if resp.StatusCode/100 == 4 && resp.StatusCode != http.StatusRequestTimeout {
			return fmt.Errorf("%w: %w", ErrRefused, err)
		}
		return err
	}
	return nil
}
