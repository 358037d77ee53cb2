// Sort sorts a few million pseudo-random ints with slices.Sort (pdqsort)
// and checks the result: compares, swaps and unpredictable branches over
// an array bigger than the caches.
//
// Usage: sort [-scale f]; it prints one checksum line.
package main

import (
	"flag"
	"fmt"
	"os"
	"slices"
)

const count = 5 << 20 // ints at scale 1

func main() {
	scale := flag.Float64("scale", 1, "multiply the amount of work by `f`")
	flag.Parse()
	n := max(1024, int(float64(count)**scale))

	// Values stay below 1<<30 so that int is wide enough on 386 and the
	// checksum is the same on every architecture.
	a := make([]int, n)
	s := uint32(88172645)
	for i := range a {
		s ^= s << 13
		s ^= s >> 17
		s ^= s << 5
		a[i] = int(s >> 2)
	}
	slices.Sort(a)
	var sum uint64
	for i, v := range a {
		if i > 0 && a[i-1] > v {
			fmt.Fprintln(os.Stderr, "sort: not sorted at", i)
			os.Exit(1)
		}
		sum = sum*1000003 + uint64(v)
	}
	fmt.Printf("sort: n=%d min=%d max=%d checksum=%016x\n", n, a[0], a[n-1], sum)
}
