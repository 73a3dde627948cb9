//go:build perf

package perf

import (
	"context"
	"fmt"
	"sync"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"

	statisticv1 "github.com/challenge-perf/challenge-perf/internal/pb/social/statistic/v1"
)

// Seeded progress (PERF_SEED_PROGRESS=true): every user's `wins` reaches seedWins, completing the
// wins goals with targets up to it (20 goals per user in the reference catalog), so scenario 1's
// claims have something to claim. Seeding goes through the event handler, like real progress.
const seedWins = 10

func seedProgress(ctx context.Context, grpcAddr, namespace string, users []string) error {
	conn, err := grpc.NewClient(grpcAddr, grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		return err
	}
	defer conn.Close()
	client := statisticv1.NewStatisticStatItemUpdatedServiceClient(conn)
	work := make(chan string)
	var mu sync.Mutex
	var firstErr error
	var wg sync.WaitGroup
	now := time.Now().UTC()
	for range 64 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for user := range work {
				_, err := client.OnMessage(ctx, &statisticv1.StatItemUpdated{
					Id: "seed-" + user + "-" + now.Format("150405.000000"), Namespace: namespace, UserId: user,
					Name: "statItemUpdated", Version: 1, Timestamp: now.Format(time.RFC3339Nano),
					Payload: &statisticv1.StatItem{Namespace: namespace, UserId: user, StatCode: "wins", LatestValue: seedWins},
				})
				if err != nil {
					mu.Lock()
					if firstErr == nil {
						firstErr = fmt.Errorf("seed %s: %w", user, err)
					}
					mu.Unlock()
				}
			}
		}()
	}
	for _, u := range users {
		work <- u
	}
	close(work)
	wg.Wait()
	return firstErr
}
