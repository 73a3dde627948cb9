package loadgen

import (
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"
)

// httpServer is an in-process HTTP target: every GET but /healthz waits delay
// and answers the forced status.
type httpServer struct {
	*httptest.Server
	delay  time.Duration
	status atomic.Int32 // forced status for every route but /healthz (0: normal)
}

func newHTTPServer(t testing.TB, delay time.Duration) *httpServer {
	s := &httpServer{delay: delay}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) { _, _ = w.Write([]byte(`{"status":"healthy"}`)) })
	mux.HandleFunc("GET /", func(w http.ResponseWriter, r *http.Request) {
		time.Sleep(s.delay)
		if st := s.status.Load(); st != 0 {
			w.WriteHeader(int(st))
		}
	})
	s.Server = httptest.NewServer(mux)
	t.Cleanup(s.Close)
	return s
}
