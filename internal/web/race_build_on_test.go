//go:build race

package web

// raceBuild: the package's internal tests shrink their largest inputs
// under the race detector (as raceOn does for the external ones).
const raceBuild = true
