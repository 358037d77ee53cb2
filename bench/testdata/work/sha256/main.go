// Sha256 hashes a 64 MiB buffer of pseudo-random bytes with crypto/sha256
// several times, chaining each digest into the next pass: block-cipher
// style integer code, in assembly with the host's SIMD or SHA extensions
// where the Go port has it and the CPU (or emulator) advertises them.
//
// Usage: sha256 [-scale f]; it prints one checksum line.
package main

import (
	"crypto/sha256"
	"flag"
	"fmt"
)

const (
	bufSize = 64 << 20 // bytes hashed per pass
	passes  = 8        // passes at scale 1
)

func main() {
	scale := flag.Float64("scale", 1, "multiply the amount of work by `f`")
	flag.Parse()
	total := int64(float64(bufSize*passes) * *scale)
	size := int(min(total, bufSize))
	size = max(size, 1<<20)
	n := max(1, int((total+int64(size)/2)/int64(size)))

	buf := make([]byte, size)
	s := uint64(0x2545f4914f6cdd1d)
	for i := 0; i+8 <= len(buf); i += 8 {
		s ^= s << 13
		s ^= s >> 7
		s ^= s << 17
		for k := 0; k < 8; k++ {
			buf[i+k] = byte(s >> (8 * k))
		}
	}
	var sum [32]byte
	for p := 0; p < n; p++ {
		copy(buf, sum[:]) // chain: each pass depends on the last
		sum = sha256.Sum256(buf)
	}
	fmt.Printf("sha256: bytes=%d passes=%d checksum=%x\n", size, n, sum)
}
