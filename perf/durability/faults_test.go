package durability_test

import (
	"context"
	"fmt"
	"os"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/stretchr/testify/require"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/status"

	"github.com/challenge-perf/challenge-perf/contract/eventstest"
	"github.com/challenge-perf/challenge-perf/harness"
)

// TestFaultsLoseNothingAcknowledged runs the handler as the suite does (its image, in a container
// with the stack's limits, PostgreSQL and Redis in containers) and injects each fault in the
// middle of a stream of events sent from 64 concurrent callers at about 2,000 events/s. Like the
// platform's bus, a caller redelivers every event that was not answered OK until it is. Afterwards
// the database must hold exactly what the events imply: no acknowledged event lost, none counted
// twice (10% of the events are also redelivered after their OK, as an at-least-once bus does).
func TestFaultsLoseNothingAcknowledged(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: this test starts the containerised stack (needs a Docker engine and the local images) and runs for minutes")
	}
	ctx := context.Background()
	cfg := harness.DefaultStackConfig()
	cfg.AuthMode = "mock-header"
	cfg.ChallengesJSON = eventstest.FixtureJSON()
	// A commit the client gives up on after 1.5 s was cancelled by the server at 1 s.
	cfg.HandlerEnv = map[string]string{"DB_STATEMENT_TIMEOUT": "1s", "COMMIT_TIMEOUT": "1500ms", "LOG_LEVEL": "warn"}
	if m := os.Getenv("FAULTS_ACK_MODE"); m != "" {
		cfg.AckMode = m // FAULTS_ACK_MODE=buffered shows what this test catches in the old mode
	}
	cfg.Logf = t.Logf
	startCtx, cancel := context.WithTimeout(ctx, 10*time.Minute)
	defer cancel()
	s, err := harness.StartStack(startCtx, cfg)
	require.NoError(t, err)
	t.Cleanup(func() { _ = s.Terminate(context.Background()) })

	b := &bus{t: t, handler: s.Handler}
	b.redial(ctx)
	defer b.close()

	faults := []struct {
		name   string
		inject func(context.Context) error
	}{
		{"handler kill -9 and start", func(ctx context.Context) error {
			if err := harness.Kill(ctx, s.Handler); err != nil {
				return err
			}
			time.Sleep(500 * time.Millisecond)
			if err := harness.StartAgain(ctx, s.Handler); err != nil {
				return err
			}
			if err := s.Handler.WaitHealthy(ctx, 60*time.Second); err != nil {
				return err
			}
			b.redial(ctx) // the host port of a restarted container changes
			return nil
		}},
		{"redis paused 3s", func(ctx context.Context) error { return harness.Freeze(ctx, s.Redis, 3*time.Second) }},
		{"redis restarted empty", func(ctx context.Context) error { return harness.Restart(ctx, s.Redis, 0) }},
		{"postgres restarted", func(ctx context.Context) error { return harness.Restart(ctx, s.Postgres, 0) }},
		{"commit slower than the client timeout", func(ctx context.Context) error {
			p := stackPool(t, s)
			defer p.Close()
			tx, err := p.Begin(ctx)
			if err != nil {
				return err
			}
			defer tx.Rollback(context.WithoutCancel(ctx)) //nolint:errcheck // ends the lock
			if _, err := tx.Exec(ctx, `SET LOCAL statement_timeout = 0; LOCK TABLE user_stats IN ACCESS EXCLUSIVE MODE`); err != nil {
				return err
			}
			time.Sleep(3 * time.Second)
			return nil
		}},
	}
	for i, f := range faults {
		t.Run(f.name, func(t *testing.T) {
			p := stackPool(t, s)
			_, err := p.Exec(ctx, `TRUNCATE user_stats, applied_events`)
			require.NoError(t, err)
			p.Close()

			evs := eventstest.Workload(8000, 200, uint64(100+i))
			faultAt := time.Now().Add(1500 * time.Millisecond)
			var faultErr error
			var faultEnd time.Time
			injected := make(chan struct{})
			go func() {
				defer close(injected)
				time.Sleep(time.Until(faultAt))
				faultErr = f.inject(ctx)
				faultEnd = time.Now()
			}()
			rep := b.deliver(t, evs, 2000)
			<-injected
			require.NoError(t, faultErr)

			p = stackPool(t, s) // PostgreSQL's host port changes when it restarts
			defer p.Close()
			w := eventstest.Model(evs)
			got := eventstest.ReadState(t, p)
			if cfg.AckMode == harness.AckBuffered { // acknowledged before written: give the flusher time
				deadline := time.Now().Add(10 * time.Second)
				for len(eventstest.Diff(w, got)) > 0 && time.Now().Before(deadline) {
					time.Sleep(200 * time.Millisecond)
					got = eventstest.ReadState(t, p)
				}
			}
			if d := eventstest.Diff(w, got); len(d) > 0 {
				t.Fatalf("%s: %d (user, stat) rows differ from what the events imply, e.g. %s", f.name, len(d), strings.Join(d[:min(5, len(d))], "; "))
			}
			require.Equal(t, w.Completions, got.Completions)
			t.Logf("%s: %d calls (%d events, %d redelivered after OK), %d refused and redelivered (%s); fault lasted %.1fs; error rate back under 1%% %s after the fault began",
				f.name, rep.calls, len(evs), len(evs)/11, rep.refused, rep.codes(), faultEnd.Sub(faultAt).Seconds(), rep.recovery(faultAt))
		})
	}
}

func stackPool(t *testing.T, s *harness.Stack) *pgxpool.Pool {
	t.Helper()
	dsn, err := s.Postgres.ConnString(context.Background())
	require.NoError(t, err)
	p, err := pgxpool.New(context.Background(), dsn)
	require.NoError(t, err)
	return p
}

// bus is the platform's side: one connection, redelivery of whatever was not answered OK.
type bus struct {
	t       *testing.T
	handler *harness.ProgramContainer
	mu      sync.RWMutex
	conn    *grpc.ClientConn
	h       eventstest.Client
}

func (b *bus) redial(ctx context.Context) {
	addr, err := b.handler.Addr(ctx, "6565/tcp")
	require.NoError(b.t, err)
	conn, err := grpc.NewClient(addr, grpc.WithTransportCredentials(insecure.NewCredentials()))
	require.NoError(b.t, err)
	b.mu.Lock()
	old := b.conn
	b.conn = conn
	b.h = eventstest.NewClient(conn)
	b.mu.Unlock()
	if old != nil {
		_ = old.Close()
	}
}

func (b *bus) close() {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.conn != nil {
		_ = b.conn.Close()
	}
}

func (b *bus) current() eventstest.Client {
	b.mu.RLock()
	defer b.mu.RUnlock()
	return b.h
}

// attempt is one call's outcome, for the recovery time.
type attempt struct {
	at time.Time
	ok bool
}

type deliveryReport struct {
	calls, refused int
	byCode         map[codes.Code]int
	attempts       []attempt
}

func (r *deliveryReport) codes() string {
	var parts []string
	for c, n := range r.byCode {
		parts = append(parts, fmt.Sprintf("%s %d", c, n))
	}
	sort.Strings(parts)
	return strings.Join(parts, ", ")
}

// recovery is the time from the fault's start to the end of the last whole second (counted from
// the fault) in which 1% or more of the calls failed: from then on the error rate stayed under 1%.
func (r *deliveryReport) recovery(faultAt time.Time) string {
	type sec struct{ n, failed int }
	secs := map[int]*sec{}
	for _, a := range r.attempts {
		if a.at.Before(faultAt) {
			continue
		}
		i := int(a.at.Sub(faultAt) / time.Second)
		if secs[i] == nil {
			secs[i] = &sec{}
		}
		secs[i].n++
		if !a.ok {
			secs[i].failed++
		}
	}
	bad := 0
	for i, s := range secs {
		if float64(s.failed) >= 0.01*float64(s.n) {
			bad = max(bad, i+1)
		}
	}
	return fmt.Sprintf("%ds", bad)
}

// deliver sends evs at about rate per second from 64 callers; each event is retried (after 50 ms)
// until it is answered OK. Codes other than the retryable ones fail the test.
func (b *bus) deliver(t *testing.T, evs []eventstest.Event, rate int) *deliveryReport {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	rep := &deliveryReport{byCode: map[codes.Code]int{}}
	var mu sync.Mutex
	work := make(chan eventstest.Event, 64)
	var wg sync.WaitGroup
	for range 64 {
		wg.Go(func() {
			for e := range work {
				for {
					callCtx, cancelCall := context.WithTimeout(ctx, 5*time.Second)
					err := b.current().Send(callCtx, e)
					cancelCall()
					mu.Lock()
					rep.calls++
					rep.attempts = append(rep.attempts, attempt{at: time.Now(), ok: err == nil})
					if err != nil {
						rep.refused++
						rep.byCode[status.Code(err)]++
					}
					mu.Unlock()
					if err == nil {
						break
					}
					switch c := status.Code(err); c {
					case codes.Unavailable, codes.ResourceExhausted, codes.DeadlineExceeded, codes.Canceled:
					default:
						t.Errorf("event %s: %v (not a code the platform redelivers)", e.ID, err)
						return
					}
					if ctx.Err() != nil {
						t.Errorf("event %s still refused after 3 minutes: %v", e.ID, err)
						return
					}
					time.Sleep(50 * time.Millisecond)
				}
			}
		})
	}
	tick := time.NewTicker(time.Millisecond)
	defer tick.Stop()
	perTick := max(1, rate/1000)
	for i := 0; i < len(evs); {
		<-tick.C
		for k := 0; k < perTick && i < len(evs); k++ {
			work <- evs[i]
			i++
		}
	}
	close(work)
	wg.Wait()
	return rep
}
