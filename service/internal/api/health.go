package api

import (
	"context"
	"net/http"
	"time"
)

var (
	healthyBody   = []byte(`{"status":"healthy"}` + "\n")
	unhealthyBody = []byte(`{"status":"unhealthy"}` + "\n")
)

// handleHealth answers 503 when the database does not answer within 2 s.
func (h *handler) handleHealth(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
	defer cancel()
	w.Header()["Content-Type"] = contentTypeJSON
	if err := h.cfg.Health(ctx); err != nil {
		w.WriteHeader(http.StatusServiceUnavailable)
		_, _ = w.Write(unhealthyBody)
		return
	}
	_, _ = w.Write(healthyBody)
}
