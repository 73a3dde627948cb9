package events

import (
	"context"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/protobuf/types/known/emptypb"

	accountv1 "github.com/challenge-perf/challenge-perf/contract/pb/iam/account/v1"
	statisticv1 "github.com/challenge-perf/challenge-perf/contract/pb/social/statistic/v1"
)

// empty is shared by all responses: marshalling a message concurrently is safe.
var empty = &emptypb.Empty{}

// Register adds both OnMessage services to s.
func (h *Handler) Register(s grpc.ServiceRegistrar) {
	accountv1.RegisterUserAuthenticationUserLoggedInServiceServer(s, LoginServer{h: h})
	statisticv1.RegisterStatisticStatItemUpdatedServiceServer(s, StatServer{h: h})
}

// LoginServer serves accelbyte.iam.account.v1.UserAuthenticationUserLoggedInService.
type LoginServer struct {
	accountv1.UnimplementedUserAuthenticationUserLoggedInServiceServer
	h *Handler
}

// OnMessage counts one login.
func (s LoginServer) OnMessage(ctx context.Context, msg *accountv1.UserLoggedIn) (*emptypb.Empty, error) {
	start := s.h.now()
	ev, err := mapLogin(msg, start, s.h.cfg.MaxSkew)
	err = s.h.handle(ctx, &s.h.m.login, &ev, err)
	s.h.m.login.duration.Observe(time.Since(start).Seconds())
	if err != nil {
		return nil, err
	}
	return empty, nil
}

// StatServer serves accelbyte.social.statistic.v1.StatisticStatItemUpdatedService.
type StatServer struct {
	statisticv1.UnimplementedStatisticStatItemUpdatedServiceServer
	h *Handler
}

// OnMessage records one stat's latest value.
func (s StatServer) OnMessage(ctx context.Context, msg *statisticv1.StatItemUpdated) (*emptypb.Empty, error) {
	start := s.h.now()
	ev, err := mapStat(msg, start, s.h.cfg.MaxSkew)
	err = s.h.handle(ctx, &s.h.m.stat, &ev, err)
	s.h.m.stat.duration.Observe(time.Since(start).Seconds())
	if err != nil {
		return nil, err
	}
	return empty, nil
}
