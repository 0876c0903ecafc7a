//go:build !linux

package pgtest

import (
	"os"
	"os/exec"
	"os/user"
)

// Elsewhere the tests need a running server (HONGYAN_TEST_PG or a local one).
const canStart = false

var interrupt os.Signal = os.Interrupt

func setUser(*exec.Cmd, *user.User, bool) {}

func alive(int) bool { return true }
