package sys9

import (
	"sync"
	"sync/atomic"
)

// Pipe limits (§4.3 pipe): writes of up to pipeAtomic bytes arrive as one
// unit; the buffer holds pipeBuf bytes per direction.
const (
	pipeAtomic = 64 << 10
	pipeBuf    = 256 << 10
)

// A pipe is two queues: what is written on data is read on data1 and the
// other way round. Each write stays a separate message.
type pipe struct {
	id   uint64
	mu   sync.Mutex
	q    [2]pipeq // q[i] is read at end i
	refs [2]int   // open Chans of each end
	wake chan struct{}
}

// A pipeq is one direction. As in Plan 9's devpipe, an end that has never
// been opened does not count as gone: writes queue up for a reader still
// to come (a pipe bound into the name space and opened by name). Only
// when the last open Chan of an end closes does its writer side hang up
// (the other end reads EOF once the queue is drained) and its reader side
// close (writes to it fail), and that is for good.
type pipeq struct {
	msgs   [][]byte
	n      int
	eofs   int  // EOF reads served after the writer went away
	hungup bool // the end that writes this queue has closed
	closed bool // the end that reads this queue has closed
}

type pipeEnd struct {
	p   *pipe
	end int // 0: data, 1: data1; -1: the directory
}

// broadcast wakes everyone waiting on the pipe; mu is held.
func (pp *pipe) broadcast() {
	close(pp.wake)
	pp.wake = make(chan struct{})
}

// #|: pipes.
type pipeDev struct {
	noDev
	k    *Kernel
	next atomic.Uint64
}

const (
	qPipeDir = iota
	qPipeData
	qPipeData1
)

func (d *pipeDev) Char() rune   { return '|' }
func (d *pipeDev) Name() string { return "pipe" }

func (d *pipeDev) Attach(p *Proc, spec string) (*Chan, error) {
	pp := &pipe{id: d.next.Add(1), wake: make(chan struct{})}
	return newChan(d, Qid{Path: pp.id << 8, Type: QTDIR}, "#|", &pipeEnd{pp, -1}), nil
}

// newPipe returns the two open ends of a new pipe (pipe(2)).
func (d *pipeDev) newPipe(p *Proc) (*Chan, *Chan) {
	dir, _ := d.Attach(p, "")
	c0, _ := d.Walk(p, dir, "data")
	c1, _ := d.Walk(p, dir, "data1")
	c0.Name, c1.Name = "#|/data", "#|/data1"
	d.Open(p, c0, ORDWR)
	d.Open(p, c1, ORDWR)
	c0.open, c0.mode = true, ORDWR
	c1.open, c1.mode = true, ORDWR
	return c0, c1
}

func pend(c *Chan) *pipeEnd { return c.Aux.(*pipeEnd) }

func (d *pipeDev) Walk(p *Proc, c *Chan, name string) (*Chan, error) {
	pe := pend(c)
	var end int
	switch name {
	case "data":
		end = 0
	case "data1":
		end = 1
	default:
		return nil, Enonexist
	}
	return newChan(d, Qid{Path: pe.p.id<<8 | uint64(end+1)}, c.Name, &pipeEnd{pe.p, end}), nil
}

func (d *pipeDev) Stat(p *Proc, c *Chan) (Dir, error) {
	pe := pend(c)
	if pe.end < 0 {
		return devDir(d, c, "#|", c.Qid, 0555, 0, p), nil
	}
	pe.p.mu.Lock()
	n := pe.p.q[pe.end].n
	pe.p.mu.Unlock()
	name := "data"
	if pe.end == 1 {
		name = "data1"
	}
	return devDir(d, c, name, c.Qid, 0666, uint64(n), p), nil
}

func (d *pipeDev) List(p *Proc, c *Chan) ([]Dir, error) {
	var l []Dir
	for _, n := range []string{"data", "data1"} {
		x, _ := d.Walk(p, c, n)
		dir, _ := d.Stat(p, x)
		l = append(l, dir)
	}
	return l, nil
}

func (d *pipeDev) Open(p *Proc, c *Chan, mode int) (*Chan, error) {
	pe := pend(c)
	if pe.end >= 0 {
		pe.p.mu.Lock()
		pe.p.refs[pe.end]++
		pe.p.mu.Unlock()
	}
	return c, nil
}

func (d *pipeDev) Close(c *Chan) {
	pe := pend(c)
	if pe.end < 0 {
		return
	}
	pp := pe.p
	pp.mu.Lock()
	pp.refs[pe.end]--
	if pp.refs[pe.end] == 0 {
		q := &pp.q[pe.end]
		q.closed, q.msgs, q.n = true, nil, 0
		pp.q[1-pe.end].hungup = true
	}
	pp.broadcast()
	pp.mu.Unlock()
}

func (d *pipeDev) isStream(c *Chan) bool { return true }

// Read returns one message (or the part of one that fits). With the
// other end gone (or this one closed before) it returns EOF three times,
// then "i/o on hungup channel".
func (d *pipeDev) Read(p *Proc, c *Chan, b []byte, off int64) (int, error) {
	pe := pend(c)
	pp := pe.p
	for {
		pp.mu.Lock()
		q := &pp.q[pe.end]
		if len(q.msgs) > 0 {
			m := q.msgs[0]
			n := copy(b, m)
			if n == len(m) {
				q.msgs = q.msgs[1:]
			} else {
				q.msgs[0] = m[n:]
			}
			q.n -= n
			pp.broadcast()
			pp.mu.Unlock()
			return n, nil
		}
		if q.hungup || q.closed {
			q.eofs++
			e := q.eofs
			pp.mu.Unlock()
			if e > 3 {
				return 0, Ehungup
			}
			return 0, nil
		}
		wait := pp.wake
		pp.mu.Unlock()
		if err := p.block(wait, "Read"); err != nil {
			return 0, err
		}
	}
}

// Write queues b for the other end in units of at most pipeAtomic bytes,
// waiting for room. Writing when the reading end has closed fails and
// posts the note "sys: write on closed pipe". As on Plan 9, a write that fails part way (the
// reader went, a note came) fails as a whole: what was queued stays
// queued, and the caller sees -1 and the error, never a short count.
func (d *pipeDev) Write(p *Proc, c *Chan, b []byte, off int64) (int, error) {
	pe := pend(c)
	pp := pe.p
	other := 1 - pe.end
	done := 0
	for first := true; first || done < len(b); first = false {
		chunk := b[done:]
		if len(chunk) > pipeAtomic {
			chunk = chunk[:pipeAtomic]
		}
		for {
			pp.mu.Lock()
			q := &pp.q[other]
			if q.closed {
				pp.mu.Unlock()
				p.postnote("sys: write on closed pipe", noteUser, false)
				return 0, Ehungup
			}
			if q.n == 0 || q.n+len(chunk) <= pipeBuf {
				q.msgs = append(q.msgs, append([]byte(nil), chunk...))
				q.n += len(chunk)
				pp.broadcast()
				pp.mu.Unlock()
				break
			}
			wait := pp.wake
			pp.mu.Unlock()
			if err := p.block(wait, "Write"); err != nil {
				return 0, err
			}
		}
		done += len(chunk)
	}
	return done, nil
}
