// Command go_plan9_386_exec runs a GOOS=plan9 GOARCH=386 program under
// 9emu. The go command uses a program of this name, when it is on PATH,
// to run cross-built binaries, so that with it installed
//
//	GOOS=plan9 GOARCH=386 go test ./...
//	GOOS=plan9 GOARCH=386 go run .
//
// work on any host. It runs the 9emu found next to itself or on PATH,
// with the host's root as the root of the name space.
package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
)

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: go_plan9_386_exec program [arg ...]")
		os.Exit(2)
	}
	emu := "9emu"
	if self, err := os.Executable(); err == nil {
		if p := filepath.Join(filepath.Dir(self), "9emu"+filepath.Ext(self)); fileExists(p) {
			emu = p
		}
	}
	cmd := exec.Command(emu, os.Args[1:]...)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, os.Stdout, os.Stderr
	if err := cmd.Run(); err != nil {
		if ee, ok := err.(*exec.ExitError); ok {
			os.Exit(ee.ExitCode())
		}
		fmt.Fprintf(os.Stderr, "go_plan9_386_exec: %v\n", err)
		os.Exit(1)
	}
}

func fileExists(p string) bool {
	fi, err := os.Stat(p)
	return err == nil && !fi.IsDir()
}
