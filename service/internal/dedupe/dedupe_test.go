package dedupe

import (
	"context"
	"net"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/challenge-perf/challenge-perf/containers"
)

func newTestDedupe(t *testing.T, addr string, cfg Config) *Redis {
	t.Helper()
	cfg.Addr = addr
	r := New(cfg, NewMetrics(nil))
	t.Cleanup(func() { _ = r.Close() })
	return r
}

func TestClaimAgainstRedis(t *testing.T) {
	rd := containers.RedisForTest(t)
	addr := rd.AddrT(t)
	ctx := context.Background()

	t.Run("first claim is fresh, the redelivery is a duplicate, with TTL", func(t *testing.T) {
		d := newTestDedupe(t, addr, Config{TTL: time.Hour})
		c, err := d.Claim(ctx, "e1")
		require.NoError(t, err)
		require.True(t, c.Fresh)
		c2, err := d.Claim(ctx, "e1")
		require.NoError(t, err)
		require.False(t, c2.Fresh)
		ttl, err := d.client.TTL(ctx, keyPrefix+"e1").Result()
		require.NoError(t, err)
		require.InDelta(t, time.Hour.Seconds(), ttl.Seconds(), 5)
	})

	t.Run("concurrent claims are batched and exactly one wins per id", func(t *testing.T) {
		d := newTestDedupe(t, addr, Config{Window: 2 * time.Millisecond})
		var fresh atomic.Int64
		var wg sync.WaitGroup
		for i := range 1000 {
			wg.Go(func() {
				c, err := d.Claim(ctx, "batch-"+strconv.Itoa(i%250)) // each id 4 times
				require.NoError(t, err)
				if c.Fresh {
					fresh.Add(1)
				}
			})
		}
		wg.Wait()
		require.EqualValues(t, 250, fresh.Load())
	})

	t.Run("forget removes only this attempt's mark", func(t *testing.T) {
		d := newTestDedupe(t, addr, Config{})
		c, err := d.Claim(ctx, "e2")
		require.NoError(t, err)
		require.NoError(t, d.Forget(ctx, "e2", c))
		c, err = d.Claim(ctx, "e2")
		require.NoError(t, err)
		require.True(t, c.Fresh, "forgotten id is fresh again")
		// A stale claim (other token) must not delete the current mark.
		require.NoError(t, d.Forget(ctx, "e2", Claim{Fresh: true, token: "someone-else"}))
		c, err = d.Claim(ctx, "e2")
		require.NoError(t, err)
		require.False(t, c.Fresh)
	})

	require.NoError(t, ctx.Err())
}

// Redis stopped: claims fail fast (the handler answers Unavailable), and work again once it is back.
func TestClaimRedisOutage(t *testing.T) {
	rd := containers.RedisForTest(t, containers.WithFixedHostPort("6379/tcp"))
	addr := rd.AddrT(t)
	ctx := context.Background()
	d := newTestDedupe(t, addr, Config{Timeout: 300 * time.Millisecond})
	c, err := d.Claim(ctx, "before")
	require.NoError(t, err)
	require.True(t, c.Fresh)

	stop := 5 * time.Second
	require.NoError(t, rd.Stop(ctx, &stop))
	start := time.Now()
	_, err = d.Claim(ctx, "during")
	require.Error(t, err)
	require.Less(t, time.Since(start), 2*time.Second, "bounded by the timeout")

	require.NoError(t, rd.Start(ctx))
	require.Eventually(t, func() bool {
		c, err := d.Claim(ctx, "during")
		return err == nil && c.Fresh
	}, 20*time.Second, 100*time.Millisecond, "the refused event is applied on redelivery")
}

func TestClaimUnreachable(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := l.Addr().String()
	require.NoError(t, l.Close())
	d := newTestDedupe(t, addr, Config{Timeout: 200 * time.Millisecond})
	_, err = d.Claim(context.Background(), "e1")
	require.Error(t, err)
}

// BenchmarkClaim: claims from 256 concurrent callers (handlers waiting on Redis) against the Redis
// container; reports claims/s and the mean pipeline batch.
func BenchmarkClaim(b *testing.B) {
	rd := containers.RedisForTest(b)
	r := New(Config{Addr: rd.AddrT(b)}, NewMetrics(nil))
	defer r.Close()
	var n atomic.Int64
	prefix := strconv.FormatInt(time.Now().UnixNano(), 36) + "-"
	b.SetParallelism(128) // × GOMAXPROCS goroutines
	b.ReportAllocs()
	b.ResetTimer()
	start := time.Now()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if _, err := r.Claim(context.Background(), prefix+strconv.FormatInt(n.Add(1), 10)); err != nil {
				b.Error(err)
				return
			}
		}
	})
	b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "claims/s")
	b.ReportMetric(float64(b.N)/float64(r.seq.Load()), "ids/pipeline")
}
