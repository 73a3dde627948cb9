package harness

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/challenge-perf/challenge-perf/containers"
)

func TestReadRedisMemoryCountsKeysAndTheirMemory(t *testing.T) {
	ctx := context.Background()
	r := containers.RedisForTest(t)
	addr, err := r.Addr(ctx)
	require.NoError(t, err)
	c := redis.NewClient(&redis.Options{Addr: addr})
	defer c.Close()

	before, err := ReadRedisMemory(ctx, c)
	require.NoError(t, err)
	assert.Zero(t, before.Keys)
	assert.Positive(t, before.UsedBytes)

	// Keys shaped like the handler's de-duplication keys, with a TTL.
	const n = 20000
	p := c.Pipeline()
	for i := range n {
		p.SetNX(ctx, fmt.Sprintf("ev:%08d-0123-4567-89ab-0123456789ab", i), "1", time.Hour)
	}
	_, err = p.Exec(ctx)
	require.NoError(t, err)

	after, err := ReadRedisMemory(ctx, c)
	require.NoError(t, err)
	assert.EqualValues(t, n, after.Keys)
	perKey := float64(after.UsedBytes-before.UsedBytes) / n
	assert.Greater(t, perKey, 30.0, "a key with a TTL costs more than its name")
	assert.Less(t, perKey, 1000.0)
}

func TestInfoField(t *testing.T) {
	v, err := infoField("# Memory\r\nused_memory:1048576\r\nused_memory_human:1.00M\r\n", "used_memory")
	require.NoError(t, err)
	assert.EqualValues(t, 1048576, v)
	_, err = infoField("# Memory\r\n", "used_memory")
	assert.Error(t, err)
}
