// Package durability proves the event handler's promise from the outside: an event acknowledged
// with OK is committed exactly once, whatever fails. Its only test, TestFaultsLoseNothingAcknowledged,
// runs the stack as the performance suite does (the handler's image in a container with the
// stack's limits, PostgreSQL and Redis in containers), sends a stream of events from concurrent
// callers that redeliver whatever was not answered OK, as the platform's bus does, and injects one
// fault at a time in the middle of it: the handler killed with -9 and started again, Redis paused
// and restarted empty, PostgreSQL restarted, a commit slower than the client's timeout. Afterwards
// the database must hold exactly what the events imply (contract/eventstest.Model): no
// acknowledged event lost, none counted twice.
//
// The package holds no code but this comment; the test is part of plain `go test ./...` (no build
// tag) and skips under -short, which promises no Docker engine:
//
//	go test -count=1 ./perf/durability -v
//
// FAULTS_ACK_MODE=buffered runs it against the handler's old buffered mode, to show what it catches.
package durability
