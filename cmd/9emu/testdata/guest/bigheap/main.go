// Bigheap keeps more than 256 MiB alive at once (300 slices of 1 MiB, filled
// with a pattern and checksummed), then 200,000 small pointer-linked objects,
// and then lets everything go and checks that the collector ran and gave the
// memory back to the heap. On Plan 9 the heap grows only through brk.
package main

import (
	"encoding/binary"
	"fmt"
	"runtime"
)

const (
	nslices  = 300
	sliceLen = 1 << 20
	pageLen  = 4096
)

type node struct {
	next *node
	val  uint64
}

func main() {
	slices := make([][]byte, nslices)
	for i := range slices {
		b := make([]byte, sliceLen)
		// Fill one page with words, then double it with copy until the
		// slice is full: this exercises memmove with large sizes.
		for j := 0; j < pageLen; j += 8 {
			binary.LittleEndian.PutUint64(b[j:], uint64(i)<<32|uint64(j)*0x9E3779B1)
		}
		for n := pageLen; n < sliceLen; n *= 2 {
			copy(b[n:], b[:n])
		}
		b[i] ^= 0xFF // make every slice a little different
		slices[i] = b
	}
	var sum uint64
	for _, b := range slices {
		// Every eighth word is enough to notice a bad copy or a lost page,
		// and keeps the program quick under an interpreter.
		for j := 0; j < len(b); j += 64 {
			sum = sum*31 + binary.LittleEndian.Uint64(b[j:])
		}
	}
	fmt.Printf("allocated %d MiB, checksum %016x\n", nslices*sliceLen>>20, sum)

	var head *node
	for i := range 200000 {
		head = &node{next: head, val: uint64(i) * 2654435761}
	}
	runtime.GC() // the list must survive a collection intact
	var lsum, count uint64
	for n := head; n != nil; n = n.next {
		lsum += n.val
		count++
	}
	fmt.Printf("list of %d nodes, sum %d\n", count, lsum)

	slices, head = nil, nil
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	fmt.Printf("collected: numgc>0=%v heap<64MiB=%v\n", ms.NumGC > 0, ms.HeapAlloc < 64<<20)
}
