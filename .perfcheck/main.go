package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/challenge-perf/challenge-perf/harness"
)

func main() {
	ctx := context.Background()
	pg, err := harness.RunPostgres(ctx)
	if err != nil {
		panic(err)
	}
	defer pg.Terminate(ctx)
	host, _ := pg.Host(ctx)
	port, _ := pg.MappedPort(ctx, "5432/tcp")
	cmd := exec.Command("taskset", "-c", "0", "/tmp/cs")
	cmd.Env = append(os.Environ(), "GOMAXPROCS=1", "DB_HOST="+host, "DB_PORT="+port.Port(), "PLUGIN_GRPC_SERVER_AUTH_ENABLED=false",
		"CHALLENGE_CONFIG_PATH="+os.Args[1], "HTTP_ADDR=127.0.0.1:18000", "OPS_ADDR=127.0.0.1:18080", "DB_MAX_OPEN_CONNS=16")
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		panic(err)
	}
	defer cmd.Process.Kill()
	for {
		r, err := http.Get("http://127.0.0.1:18000/healthz")
		if err == nil && r.StatusCode == 200 {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	dsn, _ := pg.ConnString(ctx)
	conn, _ := pgx.Connect(ctx, dsn)
	_, err = conn.Exec(ctx, `INSERT INTO user_stats (user_id, stat_key, namespace, value, value_at, max_value)
	  SELECT 'user-'||lpad(i::text,6,'0'), k, 'test', (i % 60), now(), (i % 60) FROM generate_series(1,10000) i, unnest(array['@login','wins','enemy_kills','headshots','games_played']) k;
	  INSERT INTO user_goal_completions (user_id, goal_id, challenge_id, namespace)
	  SELECT 'user-'||lpad(i::text,6,'0'), d.goal_id, d.challenge_id, 'test' FROM generate_series(1,10000) i JOIN goal_definitions d ON d.stat_key='wins' AND d.target_value <= (i % 60)`)
	if err != nil {
		panic(err)
	}
	conn.Close(ctx)
	tr := &http.Transport{MaxIdleConnsPerHost: 64, MaxConnsPerHost: 64}
	cl := &http.Client{Transport: tr}
	cpu := func() float64 {
		b, _ := os.ReadFile(fmt.Sprintf("/proc/%d/stat", cmd.Process.Pid))
		f := strings.Fields(string(b))
		u, _ := strconv.ParseFloat(f[13], 64)
		s, _ := strconv.ParseFloat(f[14], 64)
		return (u + s) / 100
	}
	go func() {
		time.Sleep(10 * time.Second)
		r, err := http.Get("http://127.0.0.1:18080/debug/pprof/profile?seconds=5")
		if err == nil {
			f, _ := os.Create("/tmp/cs.pprof")
			io.Copy(f, r.Body)
			f.Close()
		}
	}()
	for _, workers := range []int{16, 64} {
		c0 := cpu()
		var n atomic.Int64
		var mu sync.Mutex
		var lats []time.Duration
		deadline := time.Now().Add(8 * time.Second)
		var wg sync.WaitGroup
		for w := 0; w < workers; w++ {
			wg.Add(1)
			go func(w int) {
				defer wg.Done()
				var local []time.Duration
				i := w
				for time.Now().Before(deadline) {
					i += workers
					req, _ := http.NewRequest("GET", "http://127.0.0.1:18000/challenge/v1/challenges", nil)
					req.Header.Set("X-Mock-User-Id", fmt.Sprintf("user-%06d", i%10000+1))
					t0 := time.Now()
					resp, err := cl.Do(req)
					if err != nil {
						continue
					}
					io.Copy(io.Discard, resp.Body)
					resp.Body.Close()
					if resp.StatusCode == 200 {
						local = append(local, time.Since(t0))
						n.Add(1)
					}
				}
				mu.Lock()
				lats = append(lats, local...)
				mu.Unlock()
			}(w)
		}
		wg.Wait()
		sort.Slice(lats, func(i, j int) bool { return lats[i] < lats[j] })
		fmt.Printf("service cpu=%.0f%% ", (cpu()-c0)/8*100)
		fmt.Printf("workers=%d rps=%.0f p50=%v p95=%v p99=%v\n", workers, float64(n.Load())/8, lats[len(lats)/2], lats[len(lats)*95/100], lats[len(lats)*99/100])
	}
}
