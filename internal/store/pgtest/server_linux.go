package pgtest

import (
	"os"
	"os/exec"
	"os/user"
	"strconv"
	"syscall"
)

const canStart = true

var interrupt os.Signal = syscall.SIGINT

// setUser runs cmd as u (nil = as ourselves). With dieWithParent the
// kernel sends the server SIGQUIT (immediate shutdown) when the test
// binary dies without reaching Stop, so no postmaster outlives its tests.
// Go sets the parent-death signal after switching credentials, so the
// switch does not clear it (as it would through runuser or setpriv).
func setUser(cmd *exec.Cmd, u *user.User, dieWithParent bool) {
	attr := &syscall.SysProcAttr{}
	if u != nil {
		uid, _ := strconv.ParseUint(u.Uid, 10, 32)
		gid, _ := strconv.ParseUint(u.Gid, 10, 32)
		attr.Credential = &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid)}
		cmd.Env = append(os.Environ(), "HOME="+u.HomeDir, "USER="+u.Username, "LOGNAME="+u.Username)
	}
	if dieWithParent {
		attr.Pdeathsig = syscall.SIGQUIT
	}
	cmd.SysProcAttr = attr
}

func alive(pid int) bool { return syscall.Kill(pid, 0) == nil }
