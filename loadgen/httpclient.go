package loadgen

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptrace"
	"slices"
	"sync"
	"sync/atomic"
	"time"
)

// httpTarget is one scenario's HTTP client. Per ceilings.md the pool is
// capped and opened before measuring: an on-demand pool of hundreds of
// loopback connections measures TCP stalls, not the service.
type httpTarget struct {
	client *http.Client
	pool   int
	bytes  byteCounter
}

func newHTTPTarget(pool int, timeout time.Duration) *httpTarget {
	t := &httpTarget{pool: pool}
	tr := &http.Transport{
		Proxy:               nil,
		DialContext:         t.bytes.dialer(),
		MaxConnsPerHost:     pool,
		MaxIdleConnsPerHost: pool,
		MaxIdleConns:        pool,
		IdleConnTimeout:     5 * time.Minute,
		DisableCompression:  true, // never ask for gzip: client decompression costs 220–300 µs
		ForceAttemptHTTP2:   false,
		ReadBufferSize:      64 << 10, // 150 KB bodies: fewer read syscalls
		WriteBufferSize:     8 << 10,
	}
	t.client = &http.Client{Transport: tr, Timeout: timeout}
	return t
}

// prewarm opens n connections at once: each warm-up request blocks in its
// GotConn hook until all n hold a connection, so they cannot share one.
func (t *httpTarget) prewarm(ctx context.Context, url string, n int) (opened int, err error) {
	if n <= 0 {
		return 0, nil
	}
	wctx, cancel := context.WithTimeout(ctx, 15*time.Second)
	defer cancel()
	all := make(chan struct{})
	var got, fresh atomic.Int32
	var once sync.Once
	var firstErr error
	var mu sync.Mutex
	var wg sync.WaitGroup
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			trace := &httptrace.ClientTrace{GotConn: func(info httptrace.GotConnInfo) {
				if !info.Reused {
					fresh.Add(1)
				}
				if got.Add(1) == int32(n) {
					once.Do(func() { close(all) })
				}
				select {
				case <-all:
				case <-wctx.Done():
				}
			}}
			req, _ := http.NewRequestWithContext(httptrace.WithClientTrace(wctx, trace), http.MethodGet, url, nil)
			resp, err := t.client.Do(req)
			if err != nil {
				mu.Lock()
				if firstErr == nil {
					firstErr = err
				}
				mu.Unlock()
				return
			}
			_, _ = io.Copy(io.Discard, resp.Body)
			_ = resp.Body.Close()
		}()
	}
	wg.Wait()
	t.bytes.sent.Store(0) // warm-up traffic is not part of the measurement
	t.bytes.recv.Store(0)
	return int(fresh.Load()), firstErr
}

// reqTrace collects httptrace timestamps for one VU. Hooks may run on
// transport goroutines (dial, write and read loops), hence atomics.
type reqTrace struct {
	getConn, connStart, connDone, gotConn, wrote, firstByte atomic.Int64
	ct                                                      *httptrace.ClientTrace
}

var epoch = time.Now()

func mono() int64 { return int64(time.Since(epoch)) }

func newReqTrace() *reqTrace {
	r := &reqTrace{}
	r.ct = &httptrace.ClientTrace{
		GetConn:              func(string) { r.getConn.Store(mono()) },
		ConnectStart:         func(string, string) { r.connStart.Store(mono()) },
		ConnectDone:          func(string, string, error) { r.connDone.Store(mono()) },
		GotConn:              func(httptrace.GotConnInfo) { r.gotConn.Store(mono()) },
		WroteRequest:         func(httptrace.WroteRequestInfo) { r.wrote.Store(mono()) },
		GotFirstResponseByte: func() { r.firstByte.Store(mono()) },
	}
	return r
}

func (r *reqTrace) reset() {
	for _, a := range []*atomic.Int64{&r.getConn, &r.connStart, &r.connDone, &r.gotConn, &r.wrote, &r.firstByte} {
		a.Store(0)
	}
}

// HTTPRequest describes one request of an iteration.
type HTTPRequest struct {
	Method   string
	URL      string
	Body     []byte
	Name     string // the `name` tag; defaults to METHOD URL
	User     string // adds the plan's auth header for this user when set
	Expected []int  // statuses >= 400 that are not failures (e.g. an expected 409)
	Header   http.Header
}

// HTTPResponse is valid until the VU's next request (Body is reused).
type HTTPResponse struct {
	Status int
	Body   []byte
	Err    error
}

// HTTP performs a request, records k6's http_req_* metrics and returns the
// response with its body fully read.
func (vu *VU) HTTP(ctx context.Context, r HTTPRequest) HTTPResponse {
	t := vu.sr.http
	if t == nil {
		return HTTPResponse{Err: errors.New("scenario has no HTTP target")}
	}
	if r.Name == "" {
		r.Name = r.Method + " " + r.URL
	}
	var body io.Reader
	if r.Body != nil {
		body = bytes.NewReader(r.Body)
	}
	tr := vu.trace
	tr.reset()
	req, err := http.NewRequestWithContext(httptrace.WithClientTrace(ctx, tr.ct), r.Method, r.URL, body)
	if err != nil {
		return HTTPResponse{Err: err}
	}
	for k, v := range r.Header {
		req.Header[k] = v
	}
	if r.User != "" {
		vu.sr.eng.users.authorize(req.Header, r.User)
	}
	start := mono()
	resp, err := t.client.Do(req)
	out := HTTPResponse{Err: err}
	vu.body.Reset()
	if err == nil {
		out.Status = resp.StatusCode
		_, out.Err = vu.body.ReadFrom(resp.Body)
		_ = resp.Body.Close()
		out.Body = vu.body.Bytes()
	}
	end := mono()
	if ctx.Err() != nil && out.Err != nil {
		return out // interrupted by the end of the run: not a measurement
	}
	vu.recordHTTP(r, out, start, end)
	return out
}

func (vu *VU) recordHTTP(r HTTPRequest, out HTTPResponse, start, end int64) {
	tr := vu.trace
	getConn := orElse(tr.getConn.Load(), start)
	gotConn := orElse(tr.gotConn.Load(), end)
	wrote := clampTo(orElse(tr.wrote.Load(), gotConn), gotConn, end)
	first := clampTo(orElse(tr.firstByte.Load(), end), wrote, end)
	var connecting time.Duration
	blockedEnd := gotConn
	if cs, cd := tr.connStart.Load(), tr.connDone.Load(); cs >= getConn && cd >= cs {
		connecting = time.Duration(cd - cs)
		blockedEnd = cs
	}
	failed := 0.0
	if out.Err != nil || (out.Status >= 400 && !slices.Contains(r.Expected, out.Status)) {
		failed = 1
	}
	s, n := vu.sr.idx, r.Name
	vu.buf.add(
		sample{mHTTPReqs, s, 1, n},
		sample{mHTTPFailed, s, failed, n},
		sample{mHTTPDuration, s, micros(time.Duration(end - gotConn)), n},
		sample{mHTTPBlocked, s, micros(time.Duration(blockedEnd - getConn)), n},
		sample{mHTTPConnecting, s, micros(connecting), n},
		sample{mHTTPSending, s, micros(time.Duration(wrote - gotConn)), n},
		sample{mHTTPWaiting, s, micros(time.Duration(first - wrote)), n},
		sample{mHTTPReceiving, s, micros(time.Duration(end - first)), n},
	)
}

func orElse(v, def int64) int64 {
	if v == 0 {
		return def
	}
	return v
}

func clampTo(v, lo, hi int64) int64 { return max(lo, min(v, hi)) }
