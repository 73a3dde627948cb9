package main

import (
	"context"
	"log/slog"
	"sync/atomic"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/types/known/emptypb"

	accountv1 "github.com/challenge-perf/challenge-perf/contract/pb/iam/account/v1"
	statisticv1 "github.com/challenge-perf/challenge-perf/contract/pb/social/statistic/v1"
)

type logins struct {
	accountv1.UnimplementedUserAuthenticationUserLoggedInServiceServer
	s *store
}

type stats struct {
	statisticv1.UnimplementedStatisticStatItemUpdatedServiceServer
	s         *store
	dropEvery int64
	n         atomic.Int64
	log       *slog.Logger
}

func registerEvents(srv *grpc.Server, s *store, dropEvery int64, log *slog.Logger) {
	accountv1.RegisterUserAuthenticationUserLoggedInServiceServer(srv, &logins{s: s})
	statisticv1.RegisterStatisticStatItemUpdatedServiceServer(srv, &stats{s: s, dropEvery: dropEvery, log: log})
}

// eventTime is the event's timestamp; none orders before every event that has one (the zero
// time), so a redelivery cannot change where it falls.
func eventTime(ts string) time.Time {
	if t, err := time.Parse(time.RFC3339Nano, ts); err == nil {
		return t.Truncate(time.Microsecond)
	}
	return time.Time{}
}

func (l *logins) OnMessage(ctx context.Context, e *accountv1.UserLoggedIn) (*emptypb.Empty, error) {
	if e.GetNamespace() != l.s.ns || e.GetUserId() == "" {
		return &emptypb.Empty{}, nil // acknowledged and ignored, as the reference does
	}
	if err := l.s.applyLogin(ctx, e.GetUserId(), eventTime(e.GetTimestamp())); err != nil {
		return nil, status.Error(codes.Unavailable, err.Error())
	}
	return &emptypb.Empty{}, nil
}

func (h *stats) OnMessage(ctx context.Context, e *statisticv1.StatItemUpdated) (*emptypb.Empty, error) {
	p := e.GetPayload()
	if e.GetNamespace() != h.s.ns || e.GetUserId() == "" || p.GetStatCode() == "" {
		return &emptypb.Empty{}, nil
	}
	if h.dropEvery > 0 && h.n.Add(1)%h.dropEvery == 0 {
		h.log.Warn("REFDOUBLE_DROP_EVERY: acknowledging a stat event without applying it", "user", e.GetUserId(), "stat", p.GetStatCode())
		return &emptypb.Empty{}, nil
	}
	if err := h.s.applyStat(ctx, e.GetUserId(), p.GetStatCode(), p.GetLatestValue(), eventTime(e.GetTimestamp()), e.GetId()); err != nil {
		return nil, status.Error(codes.Unavailable, err.Error())
	}
	return &emptypb.Empty{}, nil
}
