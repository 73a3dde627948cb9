package events

import (
	"time"

	"github.com/challenge-perf/challenge-perf/contract/challenges"
	accountv1 "github.com/challenge-perf/challenge-perf/contract/pb/iam/account/v1"
	statisticv1 "github.com/challenge-perf/challenge-perf/contract/pb/social/statistic/v1"
	"github.com/challenge-perf/challenge-perf/service/internal/statstore"
)

// event is an OnMessage request reduced to what the handler needs.
type event struct {
	id        string
	namespace string
	update    statstore.Update
}

// mapLogin turns a login into +1 on the user's login counter.
func mapLogin(msg *accountv1.UserLoggedIn, now time.Time, maxSkew time.Duration) (event, error) {
	if err := checkEventID(msg.GetId()); err != nil {
		return event{}, err
	}
	user := msg.GetUserId()
	if user == "" {
		user = msg.GetPayload().GetUserAccount().GetUserId()
	}
	if err := checkUserID(user); err != nil {
		return event{}, err
	}
	at, err := eventTime(msg.GetTimestamp(), now, maxSkew)
	if err != nil {
		return event{}, err
	}
	return event{id: msg.GetId(), namespace: msg.GetNamespace(), update: statstore.Update{
		Key:       statstore.Key{UserID: user, StatKey: challenges.LoginStatKey},
		Namespace: msg.GetNamespace(), Value: 1, At: at, EventID: msg.GetId(), Additive: true,
	}}, nil
}

// mapStat turns a stat update into the stat's new absolute value at the event's time.
func mapStat(msg *statisticv1.StatItemUpdated, now time.Time, maxSkew time.Duration) (event, error) {
	if err := checkEventID(msg.GetId()); err != nil {
		return event{}, err
	}
	p := msg.GetPayload()
	if p == nil {
		return event{}, errNoPayload
	}
	user := msg.GetUserId()
	if user == "" {
		user = p.GetUserId()
	}
	if err := checkUserID(user); err != nil {
		return event{}, err
	}
	if !validStatCode(p.GetStatCode()) {
		return event{}, errBadStatCode
	}
	if err := checkValue(p.GetLatestValue()); err != nil {
		return event{}, err
	}
	at, err := eventTime(msg.GetTimestamp(), now, maxSkew)
	if err != nil {
		return event{}, err
	}
	return event{id: msg.GetId(), namespace: msg.GetNamespace(), update: statstore.Update{
		Key:       statstore.Key{UserID: user, StatKey: p.GetStatCode()},
		Namespace: msg.GetNamespace(), Value: p.GetLatestValue(), At: at, EventID: msg.GetId(),
	}}, nil
}
