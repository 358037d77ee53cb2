// Chan passes a counter back and forth between two goroutines over
// unbuffered channels, and around a ring of goroutines: the Go scheduler,
// channel locks and (on several threads) the runtime's sleep and wake-up
// system calls.
//
// Usage: chan [-scale f]; it prints one checksum line.
package main

import (
	"flag"
	"fmt"
)

const (
	pingpongs = 2 << 20 // round trips at scale 1
	ring      = 64      // goroutines in the ring
	laps      = 8192    // laps of the ring at scale 1
)

func pingpong(n int) uint64 {
	ping, pong := make(chan uint64), make(chan uint64)
	go func() {
		for v := range ping {
			pong <- v*3 + 1
		}
		close(pong)
	}()
	var sum uint64
	v := uint64(1)
	for i := 0; i < n; i++ {
		ping <- v
		v = <-pong
		sum += v
	}
	close(ping)
	<-pong
	return sum
}

func ringPass(laps int) uint64 {
	first := make(chan uint64)
	in := first
	for i := 0; i < ring-1; i++ {
		out := make(chan uint64)
		go func(in <-chan uint64, out chan<- uint64, k uint64) {
			for v := range in {
				out <- v ^ k<<(v%61)
			}
			close(out)
		}(in, out, uint64(i+1))
		in = out
	}
	last := in
	var sum uint64
	v := uint64(7)
	for l := 0; l < laps; l++ {
		first <- v
		v = <-last + 1
		sum = sum*31 + v
	}
	close(first)
	<-last
	return sum
}

func main() {
	scale := flag.Float64("scale", 1, "multiply the amount of work by `f`")
	flag.Parse()
	n := max(1, int(float64(pingpongs)**scale+0.5))
	l := max(1, int(float64(laps)**scale+0.5))

	a := pingpong(n)
	b := ringPass(l)
	fmt.Printf("chan: pingpongs=%d laps=%d checksum=%016x/%016x\n", n, l, a, b)
}
