// Command go_plan9_amd64_exec runs a GOOS=plan9 GOARCH=amd64 program under
// 9emu. The go command uses a program of this name, when it is on PATH,
// to run cross-built binaries, so that with it installed
//
//	GOOS=plan9 GOARCH=amd64 go test ./...
//	GOOS=plan9 GOARCH=amd64 go run .
//
// work on any host. It runs the 9emu found next to itself or on PATH,
// with the host's root as the root of the name space, or, when
// $NINEEMU_ROOT is set, with that Plan 9 tree as the root (9emu -r) and
// the host's tree at /mnt/term.
package main

import "9emu/cmd/internal/goexec"

func main() { goexec.Main("go_plan9_amd64_exec") }
