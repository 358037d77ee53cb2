// Args prints its arguments and exits with a chosen status.
//
// Usage: args [-exit N] [-from-goroutine] [arg ...]
//
// It prints the number of arguments after argv[0], the base name of argv[0]
// and every argument after argv[0] (flags included) quoted with %q. Then it
// exits with status N: from the main goroutine, or, with -from-goroutine,
// from another goroutine while busy goroutines keep several threads running
// (on Plan 9 that exit has to reach every other thread through a note).
package main

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync/atomic"
)

func main() {
	fmt.Printf("argc %d\n", len(os.Args)-1)
	fmt.Printf("argv0 %q\n", strings.TrimSuffix(filepath.Base(os.Args[0]), ".exe"))
	for i, a := range os.Args[1:] {
		fmt.Printf("arg %d len=%d %q\n", i+1, len(a), a)
	}

	fs := flag.NewFlagSet("args", flag.ContinueOnError)
	code := fs.Int("exit", 0, "exit status")
	fromGoroutine := fs.Bool("from-goroutine", false, "exit from a goroutine while others spin")
	if err := fs.Parse(os.Args[1:]); err != nil {
		os.Exit(100)
	}
	fmt.Printf("positional %d\n", fs.NArg())

	if !*fromGoroutine {
		if *code != 0 {
			os.Exit(*code)
		}
		return // returning from main is exit status 0 as well
	}

	runtime.GOMAXPROCS(4)
	var spins atomic.Int64
	for range 3 {
		go func() {
			for {
				spins.Add(1)
			}
		}()
	}
	started := make(chan bool)
	go func() {
		<-started
		for spins.Load() < 1000 {
			runtime.Gosched()
		}
		os.Stdout.Sync()
		os.Exit(*code)
	}()
	close(started)
	select {} // the exit comes from the goroutine above
}
