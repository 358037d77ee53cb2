package cpu

import (
	"sync"
	"sync/atomic"
	"testing"
	"unsafe"

	"9emu/mem"
)

// An aligned load or store that misses the TLB is still one host access:
// a thread of the guest that reads a word another thread is storing sees
// the old value or the new one, never a mixture (x86 guarantees it, and
// the Go runtime's atomics are plain MOVs). Each access here follows a
// TLB flush, so it takes the slow path.
func TestSlowPathNotTorn(t *testing.T) {
	const a = 0x10008
	const iters = 100000
	pattern := uint64(0xA5A5A5A5A5A5A5A5)
	ok := func(v, want uint64) bool { return v == 0 || v == want }
	for _, size := range []int{2, 4, 8} {
		mask := ^uint64(0) >> (64 - 8*size)
		c := newTest(t, Mode64, []byte{0xcc})
		pg, _, f := c.Mem.Lookup(mem.Addr(a), mem.Write)
		if f != nil {
			t.Fatal(f)
		}
		word := (*uint64)(unsafe.Pointer(&pg[a&mem.PageMask]))

		// The guest loads while the host flips the word.
		var stop atomic.Bool
		var wg sync.WaitGroup
		wg.Go(func() {
			for !stop.Load() {
				atomic.StoreUint64(word, pattern)
				atomic.StoreUint64(word, 0)
			}
		})
		torn := 0
		for range iters {
			c.Flush()
			if v := c.rdN(a, uint8(size)); !ok(v, pattern&mask) {
				torn++
			}
		}
		stop.Store(true)
		wg.Wait()
		if torn > 0 {
			t.Errorf("%d-byte loads: %d of %d torn", size, torn, iters)
		}

		// The guest stores while the host watches the word.
		stop.Store(false)
		var seen atomic.Int64
		wg.Go(func() {
			for !stop.Load() {
				if v := atomic.LoadUint64(word) & mask; !ok(v, pattern&mask) {
					seen.Add(1)
				}
			}
		})
		for range iters {
			c.Flush()
			c.wrN(a, uint8(size), pattern)
			c.Flush()
			c.wrN(a, uint8(size), 0)
		}
		stop.Store(true)
		wg.Wait()
		if n := seen.Load(); n > 0 {
			t.Errorf("%d-byte stores: seen torn %d times", size, n)
		}
	}
}

// TestRepStosNotTorn: REP STOS stores each element whole. Go's runtime
// clears slices of pointers with it (memclrNoHeapPointers on Plan 9) while
// other threads read them, and its TestMemmoveAtomicity saw pointers
// half cleared when elements were stored a byte at a time.
func TestRepStosNotTorn(t *testing.T) {
	const a, n = 0x10000, 64
	for _, c := range []struct {
		size int
		code []byte
	}{
		{2, []byte{0xf3, 0x66, 0xab, 0xcc}},
		{4, []byte{0xf3, 0xab, 0xcc}},
		{8, []byte{0xf3, 0x48, 0xab, 0xcc}},
	} {
		cpu := newTest(t, Mode64, c.code)
		pg, _, f := cpu.Mem.Lookup(mem.Addr(a), mem.Write)
		if f != nil {
			t.Fatal(f)
		}
		mask := ^uint64(0) >> (64 - 8*c.size)
		pattern := uint64(0xA5A5A5A5A5A5A5A5) & mask
		var stop atomic.Bool
		var seen atomic.Int64
		var wg sync.WaitGroup
		wg.Go(func() {
			for !stop.Load() {
				for i := 0; i < n*c.size; i += 8 {
					w := atomic.LoadUint64((*uint64)(unsafe.Pointer(&pg[i])))
					for j := 0; j < 8; j += c.size {
						if v := w >> (8 * j) & mask; v != 0 && v != pattern {
							seen.Add(1)
						}
					}
				}
			}
		})
		for range 20000 {
			for _, v := range []uint64{pattern, 0} {
				cpu.PC, cpu.R[RDI], cpu.R[RCX], cpu.R[RAX] = 0x1000, a, n, v
				if e := cpu.Run(0); e != ExitTrap {
					t.Fatalf("exit %v", e)
				}
			}
		}
		stop.Store(true)
		wg.Wait()
		if k := seen.Load(); k > 0 {
			t.Errorf("%d-byte REP STOS: elements seen half stored %d times", c.size, k)
		}
	}
}
