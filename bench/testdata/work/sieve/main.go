// Sieve counts the primes below a limit with the sieve of Eratosthenes,
// several times over: a tight loop of integer compares, stores and
// branches on a byte array, the kind of code an interpreter's dispatch
// loop dominates.
//
// Usage: sieve [-scale f]; it prints one checksum line.
package main

import (
	"flag"
	"fmt"
)

const (
	limit  = 1 << 22 // numbers sieved per round
	rounds = 60      // rounds at scale 1
)

func main() {
	scale := flag.Float64("scale", 1, "multiply the amount of work by `f`")
	flag.Parse()
	n := max(1, int(float64(rounds)**scale+0.5))

	composite := make([]byte, limit)
	var sum uint64
	for r := 0; r < n; r++ {
		clear(composite)
		count := uint64(0)
		for i := 2; i < limit; i++ {
			if composite[i] != 0 {
				continue
			}
			count++
			sum += uint64(i) * uint64(r+1)
			if i > (limit-1)/i {
				continue // i*i is past the end (and would overflow int on 386)
			}
			for j := i * i; j < limit; j += i {
				composite[j] = 1
			}
		}
		sum ^= count << 40
	}
	fmt.Printf("sieve: rounds=%d checksum=%016x\n", n, sum)
}
