// Goroutines exercises the scheduler, channels, locks, atomics and timers with
// several threads (GOMAXPROCS 4), and prints results that do not depend on
// scheduling order, ending with a checksum of all of them.
package main

import (
	"context"
	"fmt"
	"hash/fnv"
	"os"
	"runtime"
	"sync"
	"sync/atomic"
	"time"
)

var sum = fnv.New64a()

func result(format string, args ...any) {
	s := fmt.Sprintf(format, args...)
	fmt.Println(s)
	sum.Write([]byte(s))
}

func main() {
	runtime.GOMAXPROCS(4)

	// Unbuffered ping-pong.
	ping, pong := make(chan int), make(chan int)
	go func() {
		for v := range ping {
			pong <- v + 1
		}
		close(pong)
	}()
	v := 0
	for range 2000 {
		ping <- v
		v = <-pong
	}
	close(ping)
	_, open := <-pong
	result("pingpong %d closed=%v", v, !open)

	// Buffered producer and consumer.
	buf := make(chan uint64, 64)
	go func() {
		for i := range uint64(100000) {
			buf <- i * i
		}
		close(buf)
	}()
	var total uint64
	for x := range buf {
		total += x
	}
	result("buffered sum %d", total)

	// A worker pool.
	jobs := make(chan int, 100)
	results := make(chan int64, 100)
	var wg sync.WaitGroup
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range jobs {
				var r int64
				for k := range j % 500 {
					r += int64(k * j % 7919)
				}
				results <- r
			}
		}()
	}
	go func() {
		for j := range 5000 {
			jobs <- j
		}
		close(jobs)
	}()
	go func() {
		wg.Wait()
		close(results)
	}()
	var pool int64 // more than 32 bits: int would overflow on 386
	for r := range results {
		pool += r
	}
	result("pool %d", pool)

	// A mutex-protected counter and an atomic one, 8 goroutines each.
	var mu sync.Mutex
	counter := 0
	var atomicCounter atomic.Int64
	var cas atomic.Uint32
	wg = sync.WaitGroup{}
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 10000 {
				mu.Lock()
				counter++
				mu.Unlock()
				atomicCounter.Add(1)
				for {
					old := cas.Load()
					if cas.CompareAndSwap(old, old+3) {
						break
					}
				}
			}
		}()
	}
	wg.Wait()
	result("mutex %d atomic %d cas %d", counter, atomicCounter.Load(), cas.Load())

	// RWMutex, Once and Cond.
	var rw sync.RWMutex
	shared := map[int]int{}
	var once sync.Once
	onceCount := 0
	wg = sync.WaitGroup{}
	for g := range 6 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			once.Do(func() { onceCount++ })
			for i := range 500 {
				if i%5 == 0 {
					rw.Lock()
					shared[g*1000+i] = i
					rw.Unlock()
				} else {
					rw.RLock()
					_ = shared[i]
					rw.RUnlock()
				}
			}
		}()
	}
	wg.Wait()
	result("rwmutex entries %d once %d", len(shared), onceCount)
	cond := sync.NewCond(&sync.Mutex{})
	ready := 0
	for range 5 {
		go func() {
			cond.L.Lock()
			ready++
			cond.L.Unlock()
			cond.Broadcast()
		}()
	}
	cond.L.Lock()
	for ready < 5 {
		cond.Wait()
	}
	cond.L.Unlock()
	result("cond ready %d", ready)

	// Timers: select with time.After, sleeps, a ticker, a context deadline.
	never := make(chan int)
	select {
	case <-never:
		result("select: impossible")
	case <-time.After(20 * time.Millisecond):
		result("select: timeout")
	}
	start := time.Now()
	for range 3 {
		time.Sleep(10 * time.Millisecond)
	}
	result("slept at least 30ms: %v", time.Since(start) >= 30*time.Millisecond)
	tick := time.NewTicker(5 * time.Millisecond)
	ticks := 0
	for range tick.C {
		ticks++
		if ticks == 5 {
			break
		}
	}
	tick.Stop()
	result("ticks %d", ticks)
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Millisecond)
	<-ctx.Done()
	cancel()
	result("context: %v", ctx.Err())
	timer := time.NewTimer(time.Hour)
	result("timer stopped before firing: %v", timer.Stop())

	// Many goroutines blocked at once, then released.
	gate := make(chan struct{})
	var arrived, left atomic.Int32
	wg = sync.WaitGroup{}
	for range 1000 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			arrived.Add(1)
			<-gate
			left.Add(1)
		}()
	}
	for arrived.Load() < 1000 {
		runtime.Gosched()
	}
	close(gate)
	wg.Wait()
	result("gate arrived %d left %d", arrived.Load(), left.Load())

	// Deep recursion in goroutines grows their stacks.
	depths := make(chan int, 4)
	for i := range 4 {
		go func() { depths <- recurse(20000 + i) }()
	}
	d := 0
	for range 4 {
		d += <-depths
	}
	result("recursion %d", d)

	runtime.GC()
	fmt.Printf("checksum %016x\n", sum.Sum64())
	os.Stdout.Sync()
}

//go:noinline
func recurse(n int) int {
	var pad [16]int
	pad[n%16] = n
	if n == 0 {
		return 0
	}
	return recurse(n-1) + pad[n%16]%3
}
