// Faults provokes run-time errors that Go turns into panics (most of them
// hardware faults: a Plan 9 note, a Unix signal), recovers each one and prints
// the recovered message. Then it exits normally.
package main

import (
	"errors"
	"fmt"
	"os"
	"runtime"
)

type big struct {
	pad [16384]byte
	x   int
}

type point struct{ x, y int }

var (
	nilInt   *int
	nilBig   *big
	nilPoint *point
	nilMap   map[string]int
	nilFunc  func() int
	zero     = 0
	zero32   int32
	zero64   int64
	zeroU8   uint8
	three    = 3
)

// try runs f and prints what it panicked with.
func try(name string, f func()) {
	defer func() {
		r := recover()
		_, isRuntime := r.(runtime.Error)
		fmt.Printf("%s: runtime.Error=%v recovered: %v\n", name, isRuntime, r)
	}()
	f()
	fmt.Printf("%s: no panic\n", name)
}

func main() {
	try("nil read", func() { _ = *nilInt })
	try("nil write", func() { *nilInt = 1 })
	try("nil field", func() { nilPoint.y = 2 })
	try("nil far field", func() { _ = nilBig.x })
	try("nil func", func() { _ = nilFunc() })
	try("nil map write", func() { nilMap["x"] = 1 })
	try("divide int", func() { _ = 10 / zero })
	try("modulo int", func() { _ = 10 % zero })
	try("divide int32", func() { _ = int32(10) / zero32 })
	try("divide int64", func() { _ = int64(10) / zero64 })
	try("divide uint8", func() { _ = uint8(10) / zeroU8 })
	try("index", func() {
		s := []int{1, 2, 3}
		_ = s[three+2]
	})
	try("slice bounds", func() {
		s := make([]int, 2, 4)
		_ = s[:three+4]
	})
	try("string index", func() { _ = "abc"[three] })
	try("array index", func() {
		var a [3]int
		_ = a[three]
	})
	try("type assertion", func() {
		var v any = "text"
		_ = v.(int)
	})
	try("close closed", func() {
		c := make(chan int)
		close(c)
		close(c)
	})
	try("send closed", func() {
		c := make(chan int, 1)
		close(c)
		c <- 1
	})
	try("negative make", func() { _ = make([]int, three-4) })
	try("error value", func() { panic(errors.New("custom error")) })
	try("repanic", func() {
		defer func() { panic(fmt.Sprintf("again after %v", recover())) }()
		panic("first")
	})

	// A fault in another goroutine, recovered there, at the bottom of a
	// deep stack.
	done := make(chan string)
	go func() {
		defer func() { done <- fmt.Sprint(recover()) }()
		deep(2000)
	}()
	fmt.Printf("goroutine: %s\n", <-done)

	// Many faults in a row: each must come back through the handler.
	n := 0
	for range 200 {
		func() {
			defer func() {
				if recover() != nil {
					n++
				}
			}()
			*nilInt = n
		}()
	}
	fmt.Printf("repeated nil writes recovered: %d\n", n)

	// Division results that are defined and must not trap.
	minInt64 := int64(-1 << 63)
	minus1 := int64(three - 4)
	fmt.Printf("minint/-1=%d minint%%-1=%d\n", minInt64/minus1, minInt64%minus1)
	os.Stdout.Sync()
}

//go:noinline
func deep(n int) int {
	var pad [32]byte
	pad[n%32] = byte(n)
	if n == 0 {
		return *nilInt
	}
	return deep(n-1) + int(pad[n%32])
}
