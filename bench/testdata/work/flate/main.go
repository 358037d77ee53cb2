// Flate compresses 16 MiB of half-text, half-noise data with
// compress/flate at level 3, decompresses it and checks the
// round trip: hashing, match searching, Huffman coding and bit I/O.
//
// Usage: flate [-scale f]; it prints one checksum line.
package main

import (
	"bytes"
	"compress/flate"
	"flag"
	"fmt"
	"hash/crc32"
	"io"
	"os"
)

const (
	size  = 16 << 20 // bytes at scale 1
	level = 3        // the default level (6) takes over a second natively
)

// input returns n bytes: runs of words from a small vocabulary
// alternating with runs of pseudo-random bytes.
func input(n int) []byte {
	words := []string{"the ", "quick ", "plan ", "nine ", "from ", "bell ", "labs ",
		"system ", "call ", "process ", "name ", "space ", "\n", "glenda ", "rfork "}
	out := make([]byte, 0, n)
	s := uint32(2463534242)
	next := func() uint32 {
		s ^= s << 13
		s ^= s >> 17
		s ^= s << 5
		return s
	}
	for len(out) < n {
		run := int(next()%200) + 16
		if next()%2 == 0 {
			for i := 0; i < run && len(out) < n; i++ {
				out = append(out, words[next()%uint32(len(words))]...)
			}
		} else {
			for i := 0; i < run && len(out) < n; i++ {
				out = append(out, byte(next()>>11))
			}
		}
	}
	return out[:n]
}

func main() {
	scale := flag.Float64("scale", 1, "multiply the amount of work by `f`")
	flag.Parse()
	n := max(4096, int(float64(size)**scale))

	in := input(n)
	var z bytes.Buffer
	w, err := flate.NewWriter(&z, level)
	if err != nil {
		fail(err)
	}
	if _, err := w.Write(in); err != nil {
		fail(err)
	}
	if err := w.Close(); err != nil {
		fail(err)
	}
	compressed := z.Len()
	crcZ := crc32.ChecksumIEEE(z.Bytes())
	out, err := io.ReadAll(flate.NewReader(&z))
	if err != nil {
		fail(err)
	}
	if !bytes.Equal(in, out) {
		fail(fmt.Errorf("round trip differs"))
	}
	fmt.Printf("flate: in=%d out=%d checksum=%08x/%08x\n", n, compressed, crcZ, crc32.ChecksumIEEE(out))
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "flate:", err)
	os.Exit(1)
}
