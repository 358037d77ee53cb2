// Hash runs an integer hash loop: a 64-bit multiply–xorshift mixer and a
// 32-bit one, feeding a small table of counters. It is register
// arithmetic (multiplies, shifts, xors) with one dependent load and store
// per step.
//
// Usage: hash [-scale f]; it prints one checksum line.
package main

import (
	"flag"
	"fmt"
)

const steps = 128 << 20 // iterations at scale 1

// mix64 is a bijective 64-bit mixer (two multiply–xorshift rounds).
func mix64(x uint64) uint64 {
	x ^= x >> 31
	x *= 0x7fb5d329728ea185
	x ^= x >> 27
	x *= 0x81dadef4bc2dd44d
	x ^= x >> 33
	return x
}

// mix32 is a bijective 32-bit mixer.
func mix32(x uint32) uint32 {
	x ^= x >> 16
	x *= 0x21f0aaad
	x ^= x >> 15
	x *= 0x735a2d97
	x ^= x >> 15
	return x
}

func main() {
	scale := flag.Float64("scale", 1, "multiply the amount of work by `f`")
	flag.Parse()
	n := max(1, int(float64(steps)**scale+0.5))

	var table [4096]uint32
	h := uint64(0x9e3779b97f4a7c15)
	g := uint32(0x1234567)
	for i := 0; i < n; i++ {
		h = mix64(h + uint64(i))
		g = mix32(g ^ uint32(h))
		k := (h ^ uint64(g)) & 4095
		table[k] = table[k]*31 + g
	}
	var sum uint64
	for i, v := range table {
		sum = mix64(sum ^ uint64(v) ^ uint64(i)<<32)
	}
	fmt.Printf("hash: steps=%d checksum=%016x\n", n, sum^h)
}
