//go:build race

package loadgen

// raceDetector: the race detector slows the engine several-fold, so tests that check rates and
// latencies against the clock would measure the detector, not the engine.
const raceDetector = true
