package store

import (
	"os"
	"testing"

	"github.com/challenge-perf/challenge-perf/containers"
)

// pg is the package's PostgreSQL, started by the first test that needs it.
var pg containers.SharedPostgres

func TestMain(m *testing.M) {
	code := m.Run()
	pg.Terminate()
	os.Exit(code)
}
