package sys9

import (
	"sync"
	"sync/atomic"
)

// A Chan is a reference to a file: an unopened name space position or an
// open file. Chans are shared by file descriptors (dup, inherited fd
// tables), so the offset lives here, as in Plan 9.
type Chan struct {
	Dev   Dev
	Devno uint32
	Qid   Qid
	Name  string // the name by which it was reached (fd2path)
	Aux   any    // device state

	ref   atomic.Int32
	open  bool
	mode  int // open mode, OREAD..OEXEC with OTRUNC, ORCLOSE
	union *mhead

	// cexec is Plan 9's CCEXEC: close-on-exec belongs to the channel,
	// not to a descriptor, so dup and a #d open share it, and an open
	// of #d/N with OCEXEC makes N close-on-exec too. (A forked child
	// that dups the pipe it reports exec failures on relies on the
	// copy closing at exec.)
	cexec atomic.Bool

	mu     sync.Mutex // offset and directory state
	off    int64
	dir    []Dir // directory snapshot taken at offset 0
	dirIdx int   // next entry of dir
	dirOff int64 // bytes of entries returned so far
}

// newChan returns a Chan with one reference.
func newChan(d Dev, qid Qid, name string, aux any) *Chan {
	c := &Chan{Dev: d, Qid: qid, Name: name, Aux: aux}
	c.ref.Store(1)
	return c
}

// clone returns a new unopened Chan at the same file.
func (c *Chan) clone() *Chan {
	n := &Chan{Dev: c.Dev, Devno: c.Devno, Qid: c.Qid, Name: c.Name, Aux: c.Aux, union: c.union}
	n.ref.Store(1)
	return n
}

func (c *Chan) incref() *Chan {
	c.ref.Add(1)
	return c
}

// decref drops a reference; the last one closes the file (and removes it
// if it was opened with ORCLOSE).
func (c *Chan) decref(p *Proc) {
	if c.ref.Add(-1) != 0 {
		return
	}
	if c.open {
		if c.mode&ORCLOSE != 0 && p != nil {
			c.Dev.Remove(p, c)
		}
		c.Dev.Close(c)
	}
}

func (c *Chan) isDir() bool { return c.Qid.Type&QTDIR != 0 }

// readable and writable report what the open mode allows.
func (c *Chan) readable() bool { m := c.mode & 3; return m == OREAD || m == ORDWR || m == OEXEC }
func (c *Chan) writable() bool { m := c.mode & 3; return m == OWRITE || m == ORDWR }

// An Fgrp is a file descriptor table, shared by processes made without
// RFFDG/RFCFDG.
type Fgrp struct {
	ref atomic.Int32
	mu  sync.Mutex
	fd  []*Chan
}

// deltaFD is the growth step of fd tables (DELTAFD): dup to a number
// beyond the table size plus this fails.
const deltaFD = 20

func newFgrp() *Fgrp {
	f := &Fgrp{}
	f.ref.Store(1)
	return f
}

func (f *Fgrp) incref() { f.ref.Add(1) }

// release drops a process's use of the table; the last one closes every
// descriptor.
func (f *Fgrp) release(p *Proc) {
	if f.ref.Add(-1) == 0 {
		f.closeAll(p, false)
	}
}

// dupFgrp copies the table, taking a reference to every Chan.
func (f *Fgrp) dup() *Fgrp {
	f.mu.Lock()
	defer f.mu.Unlock()
	n := &Fgrp{fd: make([]*Chan, len(f.fd))}
	n.ref.Store(1)
	for i, c := range f.fd {
		if c != nil {
			n.fd[i] = c.incref()
		}
	}
	return n
}

func (f *Fgrp) grow(n int) {
	if n < len(f.fd) {
		return
	}
	sz := (n/deltaFD + 1) * deltaFD
	nf := make([]*Chan, sz)
	copy(nf, f.fd)
	f.fd = nf
}

// install puts c at the lowest free descriptor; cexec (an open with
// OCEXEC) marks the channel close-on-exec.
func (f *Fgrp) install(c *Chan, cexec bool) (int, error) {
	if cexec {
		c.cexec.Store(true)
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	for i, x := range f.fd {
		if x == nil {
			f.fd[i] = c
			return i, nil
		}
	}
	n := len(f.fd)
	if n >= 5000 {
		return -1, Enofd
	}
	f.grow(n)
	f.fd[n] = c
	return n, nil
}

// get returns a new reference to the Chan at fd.
func (f *Fgrp) get(fd int) (*Chan, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if fd < 0 || fd >= len(f.fd) || f.fd[fd] == nil {
		return nil, Ebadfd
	}
	return f.fd[fd].incref(), nil
}

// remove takes the Chan out of fd and returns it (the caller drops the
// reference).
func (f *Fgrp) remove(fd int) (*Chan, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if fd < 0 || fd >= len(f.fd) || f.fd[fd] == nil {
		return nil, Ebadfd
	}
	c := f.fd[fd]
	f.fd[fd] = nil
	return c, nil
}

// dupTo installs c at newfd, returning the Chan that was there.
func (f *Fgrp) dupTo(c *Chan, newfd int) (*Chan, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if newfd < 0 || newfd >= len(f.fd)+deltaFD || newfd >= 5000 {
		return nil, Ebadfd
	}
	f.grow(newfd)
	old := f.fd[newfd]
	f.fd[newfd] = c
	return old, nil
}

// closeAll empties the table; with onlyCexec it closes just the
// close-on-exec descriptors.
func (f *Fgrp) closeAll(p *Proc, onlyCexec bool) {
	f.mu.Lock()
	var drop []*Chan
	for i, c := range f.fd {
		if c != nil && (!onlyCexec || c.cexec.Load()) {
			drop = append(drop, c)
			f.fd[i] = nil
		}
	}
	f.mu.Unlock()
	for _, c := range drop {
		c.decref(p)
	}
}

// list returns the open descriptors and their Chans (new references).
func (f *Fgrp) list() (fds []int, chans []*Chan) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for i, c := range f.fd {
		if c != nil {
			fds = append(fds, i)
			chans = append(chans, c.incref())
		}
	}
	return
}
