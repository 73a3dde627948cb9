package harness

import (
	"bufio"
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/redis/go-redis/v9"
)

// RedisMemory is how many keys Redis holds and the memory it reports using (INFO memory's
// used_memory): the de-duplication store grows by one key per event for DEDUPE_TTL, so this is
// what sizes Redis.
type RedisMemory struct {
	Keys      int64 `json:"keys"`
	UsedBytes int64 `json:"used_memory_bytes"`
}

// ReadRedisMemory reads the current database's key count and the server's used memory.
func ReadRedisMemory(ctx context.Context, c *redis.Client) (RedisMemory, error) {
	keys, err := c.DBSize(ctx).Result()
	if err != nil {
		return RedisMemory{}, fmt.Errorf("redis DBSIZE: %w", err)
	}
	info, err := c.Info(ctx, "memory").Result()
	if err != nil {
		return RedisMemory{}, fmt.Errorf("redis INFO memory: %w", err)
	}
	used, err := infoField(info, "used_memory")
	if err != nil {
		return RedisMemory{}, err
	}
	return RedisMemory{Keys: keys, UsedBytes: used}, nil
}

func infoField(info, name string) (int64, error) {
	sc := bufio.NewScanner(strings.NewReader(info))
	for sc.Scan() {
		k, v, ok := strings.Cut(strings.TrimSpace(sc.Text()), ":")
		if ok && k == name {
			return strconv.ParseInt(v, 10, 64)
		}
	}
	return 0, fmt.Errorf("redis INFO has no %s", name)
}
