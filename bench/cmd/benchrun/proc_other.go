//go:build !unix

package main

import (
	"os"
	"os/exec"
)

const hasRusage = false

// killGroup does nothing where there are no process groups: a cancelled
// run kills only the process benchrun started.
func killGroup(cmd *exec.Cmd) {}

// maxRSS is unknown here.
func maxRSS(ps *os.ProcessState) (int64, bool) { return 0, false }
