package loadgen_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"

	"github.com/challenge-perf/challenge-perf/loadgen"
)

// Run a tiny plan against a local server: 10 iterations per second for 300 ms
// of the engine's generic httpGet workload, with a k6 threshold on failures.
func ExampleRun() {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	defer srv.Close()
	plan, err := loadgen.ParsePlan([]byte(`{
		"scenarios": {"get": {"executor": "constant-arrival-rate", "rate": 10, "duration": "300ms",
			"preAllocatedVUs": 2, "exec": "httpGet", "env": {"path": "/hello"}}},
		"target": {"baseURL": "` + srv.URL + `"},
		"thresholds": {"http_req_failed": ["rate<0.01"]}
	}`))
	if err != nil {
		fmt.Println(err)
		return
	}
	res, err := loadgen.Run(context.Background(), plan, loadgen.RunOptions{})
	if err != nil {
		fmt.Println(err)
		return
	}
	m := res.Summary.Metrics
	// Each scheduled iteration either ran or was dropped (no idle VU): together they are the schedule.
	ran, _ := m["iterations"]["count"].(float64)
	dropped, _ := m["dropped_iterations"]["count"].(float64)
	fmt.Println("iterations scheduled:", ran+dropped)
	fmt.Println("thresholds failed:", res.ThresholdsFailed, "exit code:", res.ExitCode())
	// Output:
	// iterations scheduled: 3
	// thresholds failed: false exit code: 0
}
