//go:build race

package web_test

// raceOn: the race detector slows everything some tenfold, so the
// largest tests shrink under it.
const raceOn = true
