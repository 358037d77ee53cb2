// Package goexec is the body of the go_plan9_386_exec and
// go_plan9_amd64_exec commands: the go command runs cross-built plan9
// binaries (go run, go test) through a program of that name on PATH.
package goexec

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

// RootVar names the environment variable that, when set, gives 9emu a
// Plan 9 tree as its root (-r); the program is then named through
// /mnt/term, where the host's tree appears.
const RootVar = "NINEEMU_ROOT"

// Main runs os.Args[1:] under the 9emu found next to the running command
// or on PATH, and exits with its status. name is the command's name, for
// messages.
func Main(name string) {
	if len(os.Args) < 2 {
		fmt.Fprintf(os.Stderr, "usage: %s program [arg ...]\n", name)
		os.Exit(2)
	}
	emu := "9emu"
	if self, err := os.Executable(); err == nil {
		if p := filepath.Join(filepath.Dir(self), "9emu"+filepath.Ext(self)); fileExists(p) {
			emu = p
		}
	}
	args := os.Args[1:]
	if root := os.Getenv(RootVar); root != "" {
		prog, err := filepath.Abs(args[0])
		if err != nil {
			fmt.Fprintf(os.Stderr, "%s: %v\n", name, err)
			os.Exit(1)
		}
		flags := []string{"-r", root}
		// Go's tests find testdata and tools through GOROOT, a host
		// directory: name it under /mnt/term too.
		if g := hostGOROOT(); g != "" {
			flags = append(flags, "-E", "GOROOT="+UnderTerm(g))
		}
		args = append(append(flags, UnderTerm(prog)), args[1:]...)
	}
	cmd := exec.Command(emu, args...)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, os.Stdout, os.Stderr
	if err := cmd.Run(); err != nil {
		if ee, ok := err.(*exec.ExitError); ok {
			os.Exit(ee.ExitCode())
		}
		fmt.Fprintf(os.Stderr, "%s: %v\n", name, err)
		os.Exit(1)
	}
}

func fileExists(p string) bool {
	fi, err := os.Stat(p)
	return err == nil && !fi.IsDir()
}

// underTerm returns the name of absolute host path p under /mnt/term.
func UnderTerm(p string) string {
	return "/mnt/term" + filepath.ToSlash(p[len(filepath.VolumeName(p)):])
}

// hostGOROOT returns $GOROOT, or else what the go command on PATH says,
// or "".
func hostGOROOT() string {
	if g := os.Getenv("GOROOT"); g != "" {
		return g
	}
	out, err := exec.Command("go", "env", "GOROOT").Output()
	if err != nil {
		return ""
	}
	return strings.TrimSpace(string(out))
}
