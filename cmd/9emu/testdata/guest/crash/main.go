// Crash dies the way a Go program dies: with exit status 2 after an
// unrecovered panic, a nil dereference or a deadlock.
//
// Usage: crash [panic|nil|deadlock]
//
// Run it with GOTRACEBACK=none in its environment, so that no goroutine
// trace appears on standard error (the tests treat one as an emulator crash).
package main

import (
	"fmt"
	"os"
)

var nilInt *int

func main() {
	mode := "panic"
	if len(os.Args) > 1 {
		mode = os.Args[1]
	}
	fmt.Println("crashing:", mode)
	os.Stdout.Sync()
	switch mode {
	case "panic":
		panic("crash test")
	case "nil":
		fmt.Println(*nilInt)
	case "deadlock":
		c := make(chan int)
		<-c
	}
	fmt.Println("unknown mode")
	os.Exit(1)
}
