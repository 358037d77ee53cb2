//go:build unix

package main

import (
	"os"
	"os/exec"
	"runtime"
	"syscall"
)

const hasRusage = true

// killGroup makes cmd the leader of a new process group and has a
// cancelled or timed-out run kill the whole group: GNU time's child,
// 9emu, and whatever the workload started.
func killGroup(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error {
		if cmd.Process == nil {
			return nil
		}
		return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
	}
}

// maxRSS returns the peak resident set of a finished process, in KiB.
func maxRSS(ps *os.ProcessState) (int64, bool) {
	if ps == nil {
		return 0, false
	}
	ru, ok := ps.SysUsage().(*syscall.Rusage)
	if !ok || ru == nil {
		return 0, false
	}
	kb := int64(ru.Maxrss)
	if runtime.GOOS == "darwin" || runtime.GOOS == "ios" {
		kb /= 1024 // bytes there, kilobytes elsewhere
	}
	return kb, kb > 0
}
