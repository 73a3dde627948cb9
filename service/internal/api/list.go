package api

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"sync"

	"github.com/challenge-perf/challenge-perf/service/internal/progress"
)

// statePool recycles per-request progress states (a few slices sized by the goal count).
type statePool struct {
	model *progress.Model
	pool  sync.Pool
}

func (p *statePool) get() *progress.State {
	if s, ok := p.pool.Get().(*progress.State); ok {
		s.Reset()
		return s
	}
	return p.model.NewState()
}

func (p *statePool) put(s *progress.State) { p.pool.Put(s) }

// bufPool recycles response buffers; oversized ones are dropped so one huge response does not pin memory.
var bufPool sync.Pool

const maxPooledBuf = 4 << 20

func (h *handler) handleList(w http.ResponseWriter, r *http.Request) {
	user, ok := h.authenticate(w, r)
	if !ok {
		return
	}
	activeOnly := false
	if r.URL.RawQuery != "" {
		// The reference's one query option (see listBuilder.append); a bad value is refused.
		if v := r.URL.Query().Get("active_only"); v != "" {
			var err error
			if activeOnly, err = strconv.ParseBool(v); err != nil {
				writeError(w, http.StatusBadRequest, CodeBadRequest, "active_only must be true or false")
				return
			}
		}
	}

	st := h.states.get()
	defer h.states.put(st)
	ctx, cancel := context.WithTimeout(r.Context(), h.cfg.QueryTimeout)
	err := h.cfg.Progress.Load(ctx, user, st)
	cancel()
	if err != nil {
		if errors.Is(r.Context().Err(), context.Canceled) {
			return // the client left; nobody reads an answer
		}
		h.log.Error("list: load progress", "user", user, "err", err)
		writeError(w, http.StatusServiceUnavailable, CodeUnavailable, "progress store unavailable")
		return
	}

	if st.Empty() { // most users of a fresh system: serve the cached all-not_started body
		writeBody(w, h.list.emptyAll)
		return
	}
	var buf []byte
	if bp, ok := bufPool.Get().(*[]byte); ok {
		buf = (*bp)[:0]
	} else {
		buf = make([]byte, 0, h.list.sizeHint)
	}
	buf = h.list.append(buf, st, activeOnly)
	writeBody(w, buf)
	if cap(buf) <= maxPooledBuf {
		bufPool.Put(&buf)
	}
}

func writeBody(w http.ResponseWriter, body []byte) {
	h := w.Header()
	h["Content-Type"] = contentTypeJSON
	h["Content-Length"] = []string{strconv.Itoa(len(body))}
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(body)
}
