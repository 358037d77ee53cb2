package sys9

import (
	"sync"
	"time"

	"9emu/mem"
)

// An Rgrp is a rendezvous group: tags are matched within it.
type Rgrp struct {
	mu    sync.Mutex
	waits map[uint64]*rendWait
}

type rendWait struct {
	val uint64
	ch  chan uint64
}

func newRgrp() *Rgrp { return &Rgrp{waits: make(map[uint64]*rendWait)} }

// sysRendezvous implements rendezvous(2): the first of two processes with
// the same tag waits, the second wakes it, and each gets the other's
// value. An interrupted rendezvous returns ~0 and sets no error.
func sysRendezvous(p *Proc, a *args) (uint64, error) {
	tag, val := a.ptr(0), a.ptr(1)
	g := p.rgrp
	g.mu.Lock()
	if w := g.waits[tag]; w != nil {
		delete(g.waits, tag)
		g.mu.Unlock()
		w.ch <- val
		return w.val, nil
	}
	w := &rendWait{val: val, ch: make(chan uint64, 1)}
	g.waits[tag] = w
	g.mu.Unlock()
	for {
		if p.notePending() || p.killed.Load() {
			g.mu.Lock()
			if g.waits[tag] == w {
				delete(g.waits, tag)
				g.mu.Unlock()
				return ^uint64(0), nil
			}
			g.mu.Unlock()
			return <-w.ch, nil // a partner already took our value
		}
		select {
		case v := <-w.ch:
			return v, nil
		case <-p.intr:
		}
	}
}

// Semaphores (semacquire(2)): the value is a 32-bit word in the guest's
// memory, changed with atomic operations; the kernel keeps the queue of
// sleepers per address.
type semaTable struct {
	mu    sync.Mutex
	queue map[semaKey][]chan struct{}
}

type semaKey struct {
	seg  *mem.Segment
	addr mem.Addr
}

func newSemaTable() *semaTable { return &semaTable{queue: make(map[semaKey][]chan struct{})} }

// semaKey checks a semaphore address and returns its queue key: the word
// must be 4-byte aligned in a writable segment.
func (p *Proc) semaKey(addr uint64) (semaKey, error) {
	a := mem.Addr(addr)
	g := p.mem.SegmentAt(a)
	if g == nil || g.Perm&mem.Write == 0 {
		return semaKey{}, &badAddr{addr: addr, n: 4} // validaddr
	}
	if a&3 != 0 {
		return semaKey{}, Ebadarg
	}
	return semaKey{g, a}, nil
}

// The semaphore word is read and changed through the Space each time:
// a fork may have moved the page since (copy-on-write).
func (p *Proc) semaLoad(k semaKey) int32 {
	v, _ := p.mem.Load32(k.addr)
	return int32(v)
}

func (t *semaTable) remove(k semaKey, ch chan struct{}) {
	t.mu.Lock()
	defer t.mu.Unlock()
	q := t.queue[k]
	for i, c := range q {
		if c == ch {
			q = append(q[:i:i], q[i+1:]...)
			break
		}
	}
	if len(q) == 0 {
		delete(t.queue, k)
	} else {
		t.queue[k] = q
	}
}

// semacquire takes the semaphore; with block it waits (up to timeout if
// non-zero). It returns 1 when acquired and 0 when not.
func (p *Proc) semacquire(addr uint64, block bool, timeout time.Duration) (uint64, error) {
	k, err := p.semaKey(addr)
	if err != nil {
		return 0, err
	}
	t := p.k.sema
	var deadline <-chan time.Time
	if timeout > 0 {
		tm := time.NewTimer(timeout)
		defer tm.Stop()
		deadline = tm.C
	}
	for {
		v := p.semaLoad(k)
		if v < 0 {
			return 0, Ebadarg
		}
		if v > 0 {
			ok, err := p.mem.CompareAndSwap32(k.addr, uint32(v), uint32(v-1))
			if err != nil {
				return 0, Ebadarg
			}
			if ok {
				return 1, nil
			}
			continue
		}
		if !block {
			return 0, nil
		}
		ch := make(chan struct{}, 1)
		t.mu.Lock()
		t.queue[k] = append(t.queue[k], ch)
		t.mu.Unlock()
		if p.semaLoad(k) > 0 {
			t.remove(k, ch)
			continue
		}
		woke, timedOut := false, false
		for !woke && !timedOut {
			if p.notePending() || p.killed.Load() {
				t.remove(k, ch)
				return 0, Eintr
			}
			select {
			case <-ch:
				woke = true
			case <-p.intr:
			case <-deadline:
				timedOut = true
			}
		}
		t.remove(k, ch)
		if timedOut {
			return 0, nil
		}
	}
}

func sysSemacquire(p *Proc, a *args) (uint64, error) {
	return p.semacquire(a.ptr(0), a.int(1) != 0, 0)
}

func sysTsemacquire(p *Proc, a *args) (uint64, error) {
	ms := a.uint(1)
	if ms == 0 {
		return p.semacquire(a.ptr(0), false, 0)
	}
	return p.semacquire(a.ptr(0), true, time.Duration(ms)*time.Millisecond)
}

// sysSemrelease adds n and wakes up to n sleepers; it returns the new
// value.
func sysSemrelease(p *Proc, a *args) (uint64, error) {
	n := int32(a.int(1))
	if n < 0 {
		return 0, Ebadarg
	}
	k, err := p.semaKey(a.ptr(0))
	if err != nil {
		return 0, err
	}
	if p.semaLoad(k) < 0 {
		return 0, Ebadarg
	}
	u, err := p.mem.Add32(k.addr, n)
	if err != nil {
		return 0, Ebadarg
	}
	v := int32(u)
	t := p.k.sema
	t.mu.Lock()
	q := t.queue[k]
	for i := int32(0); i < n && len(q) > 0; i++ {
		select {
		case q[0] <- struct{}{}:
		default:
		}
		q = q[1:]
	}
	if len(q) == 0 {
		delete(t.queue, k)
	} else {
		t.queue[k] = q
	}
	t.mu.Unlock()
	return uint64(int64(v)), nil
}
