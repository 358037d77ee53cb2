package sys9

import (
	"crypto/rand"
	"encoding/binary"
	"fmt"
	"io"
	"runtime"
	"strings"
	"sync"
	"time"
)

// console connects /dev/cons and fds 0, 1 and 2 of the first process to
// the host's standard streams. Input is read by one goroutine into a
// buffer so that a read can be interrupted by a note.
type console struct {
	rawFn func(bool) error // switches the host terminal; nil if not a terminal
	nraw  int              // consctl Chans holding raw mode

	in0  io.Reader
	out  io.Writer
	err  io.Writer
	once sync.Once

	mu    sync.Mutex
	buf   []byte
	marks []int // for a terminal: offsets in buf where an end of file was typed
	eof   bool
	ready chan struct{} // closed and replaced when input arrives
	omu   sync.Mutex    // serialises output
}

func newConsole(in io.Reader, out, errw io.Writer) *console {
	return &console{in0: in, out: out, err: errw, ready: make(chan struct{})}
}

// setRaw counts a consctl Chan in or out of raw mode and switches the
// host terminal when the count leaves or reaches zero.
func (k *console) setRaw(delta int) {
	k.mu.Lock()
	defer k.mu.Unlock()
	was := k.nraw > 0
	k.nraw += delta
	if now := k.nraw > 0; now != was && k.rawFn != nil {
		k.rawFn(now)
	}
}

// start starts the goroutine that reads the host's input. The end of a
// file or pipe is for ever; an end of file typed on a terminal (Ctrl-D)
// ends one read, as on Plan 9, and input goes on after it.
func (k *console) start() {
	k.once.Do(func() {
		term := k.rawFn != nil
		go func() {
			b := make([]byte, 32<<10)
			for {
				n, err := k.in0.Read(b)
				k.mu.Lock()
				k.buf = append(k.buf, b[:n]...)
				// A terminal that keeps answering end of file
				// unread is gone: that end is for ever.
				typed := term && n == 0 && err == io.EOF && len(k.marks) < 64
				if typed {
					k.marks = append(k.marks, len(k.buf))
				} else if err != nil {
					k.eof = true
				}
				close(k.ready)
				k.ready = make(chan struct{})
				k.mu.Unlock()
				if err != nil && !typed {
					return
				}
			}
		}()
	})
}

// read returns buffered input up to the next typed end of file, waiting
// for some; at a typed end of file it returns 0 bytes once, at the end of
// input 0 bytes each time.
func (k *console) read(p *Proc, b []byte) (int, error) {
	k.start()
	for {
		k.mu.Lock()
		if len(k.marks) > 0 && k.marks[0] == 0 {
			k.marks = k.marks[1:]
			k.mu.Unlock()
			return 0, nil
		}
		if len(k.buf) > 0 {
			avail := k.buf
			if len(k.marks) > 0 {
				avail = avail[:k.marks[0]]
			}
			n := copy(b, avail)
			k.buf = k.buf[n:]
			for i := range k.marks {
				k.marks[i] -= n
			}
			k.mu.Unlock()
			return n, nil
		}
		if k.eof {
			k.mu.Unlock()
			return 0, nil
		}
		wait := k.ready
		k.mu.Unlock()
		if err := p.block(wait, "Read"); err != nil {
			return 0, err
		}
	}
}

func (k *console) write(w io.Writer, b []byte) (int, error) {
	k.omu.Lock()
	defer k.omu.Unlock()
	n, err := w.Write(b)
	if err != nil {
		return n, Eio
	}
	return n, nil
}

// The standard streams as Chans of #c: they are /dev/cons to fd2path,
// as rc expects of an interactive console.
const (
	consStdin = iota
	consStdout
	consStderr
)

type consStream int

// stdChan returns a Chan for one of the host's standard streams.
func (k *Kernel) stdChan(s consStream) *Chan {
	c := newChan(k.devtab['c'], Qid{Path: qCons}, "/dev/cons", s)
	c.open = true
	c.mode = OREAD
	if s != consStdin {
		c.mode = OWRITE
	}
	return c
}

// #c: console and system information files (§7.1).
type consDev struct {
	noDev
	k *Kernel
}

const (
	qConsDir = iota
	qCons
	qConsctl
	qCputime
	qDrivers
	qHostowner
	qKprint
	qNull
	qOsversion
	qPid
	qPpid
	qRandom
	qSwap
	qSysname
	qSysstat
	qTime
	qBintime
	qUser
	qZero
)

var consTab = []dirTab{
	{"bintime", Qid{Path: qBintime}, 0664},
	{"cons", Qid{Path: qCons}, 0660},
	{"consctl", Qid{Path: qConsctl}, 0220},
	{"cputime", Qid{Path: qCputime}, 0444},
	{"drivers", Qid{Path: qDrivers}, 0444},
	{"hostowner", Qid{Path: qHostowner}, 0664},
	{"kprint", Qid{Path: qKprint}, 0440},
	{"null", Qid{Path: qNull}, 0666},
	{"osversion", Qid{Path: qOsversion}, 0444},
	{"pid", Qid{Path: qPid}, 0444},
	{"ppid", Qid{Path: qPpid}, 0444},
	{"random", Qid{Path: qRandom}, 0444},
	{"swap", Qid{Path: qSwap}, 0664},
	{"sysname", Qid{Path: qSysname}, 0664},
	{"sysstat", Qid{Path: qSysstat}, 0666},
	{"time", Qid{Path: qTime}, 0664},
	{"user", Qid{Path: qUser}, 0666},
	{"zero", Qid{Path: qZero}, 0444},
}

func (d *consDev) Char() rune   { return 'c' }
func (d *consDev) Name() string { return "cons" }

func (d *consDev) Attach(p *Proc, spec string) (*Chan, error) {
	return newChan(d, Qid{Path: qConsDir, Type: QTDIR}, "#c", nil), nil
}

func (d *consDev) Walk(p *Proc, c *Chan, name string) (*Chan, error) {
	for _, t := range consTab {
		if t.name == name {
			return newChan(d, t.qid, c.Name, nil), nil
		}
	}
	return nil, Enonexist
}

func (d *consDev) entry(q uint64) *dirTab {
	for i := range consTab {
		if consTab[i].qid.Path == q {
			return &consTab[i]
		}
	}
	return nil
}

func (d *consDev) Stat(p *Proc, c *Chan) (Dir, error) {
	if c.Qid.Path == qConsDir {
		return devDir(d, c, "#c", c.Qid, 0555, 0, p), nil
	}
	t := d.entry(c.Qid.Path)
	return devDir(d, c, t.name, t.qid, t.perm, 0, p), nil
}

func (d *consDev) List(p *Proc, c *Chan) ([]Dir, error) {
	var l []Dir
	for _, t := range consTab {
		l = append(l, devDir(d, c, t.name, t.qid, t.perm, 0, p))
	}
	return l, nil
}

func (d *consDev) Open(p *Proc, c *Chan, mode int) (*Chan, error) {
	if c.Qid.Path == qConsDir {
		return c, nil
	}
	acc, err := openAccess(mode)
	if err != nil {
		return nil, err
	}
	if t := d.entry(c.Qid.Path); t != nil && !permits(t.perm, acc) {
		return nil, Eperm
	}
	return c, nil
}

func num(v int) string { return fmt.Sprintf("%11d ", v) }

// readStr serves a read at off of the text s.
func readStr(b []byte, off int64, s string) (int, error) {
	if off >= int64(len(s)) {
		return 0, nil
	}
	return copy(b, s[off:]), nil
}

func (d *consDev) Read(p *Proc, c *Chan, b []byte, off int64) (int, error) {
	k := d.k
	if s, ok := c.Aux.(consStream); ok && s == consStdin || c.Qid.Path == qCons && c.Aux == nil {
		return k.cons.read(p, b)
	}
	switch c.Qid.Path {
	case qNull:
		return 0, nil
	case qZero:
		clear(b)
		return len(b), nil
	case qPid:
		return readStr(b, off, num(p.pid))
	case qPpid:
		return readStr(b, off, num(p.ppid))
	case qUser:
		return readStr(b, off, k.user)
	case qHostowner:
		return readStr(b, off, k.user)
	case qSysname:
		return readStr(b, off, k.sysname)
	case qOsversion:
		return readStr(b, off, "2000")
	case qRandom:
		rand.Read(b)
		return len(b), nil
	case qTime:
		t := k.now()
		ns := t.UnixNano()
		mono := time.Since(k.boot).Nanoseconds()
		s := fmt.Sprintf("%11d %21d %21d %21d ", t.Unix(), ns, mono, int64(1e9))
		return readStr(b, off, s)
	case qBintime:
		// Big-endian nanoseconds, ticks, tick frequency and monotonic
		// nanoseconds, as many whole values as fit (§7.1).
		t := k.now().UnixNano()
		mono := time.Since(k.boot).Nanoseconds()
		vals := [4]uint64{uint64(t), uint64(mono), 1e9, uint64(mono)}
		n := 0
		for i := 0; i < 4 && n+8 <= len(b); i++ {
			binary.BigEndian.PutUint64(b[n:], vals[i])
			n += 8
		}
		return n, nil
	case qSysstat:
		var sb strings.Builder
		for i := 0; i < runtime.NumCPU(); i++ {
			for j, v := range []int{i, 0, 0, 0, 0, 0, 0, 0, 100, 0} {
				_ = j
				sb.WriteString(num(v))
			}
			sb.WriteString("\n")
		}
		return readStr(b, off, sb.String())
	case qSwap:
		s := fmt.Sprintf("%d memory\n%d pagesize\n%d kernel\n%d/%d user\n%d/%d swap\n",
			uint64(1)<<34, 4096, 0, 0, uint64(1)<<22, 0, 0)
		return readStr(b, off, s)
	case qCputime:
		rt := int(time.Since(p.start).Milliseconds())
		t := func(ns int64) string { return num(int(ms(ns))) }
		return readStr(b, off, t(p.utime.Load())+t(p.stime.Load())+num(rt)+
			t(p.cutime.Load())+t(p.cstime.Load())+t(p.crtime.Load()))
	case qDrivers:
		var sb strings.Builder
		for _, r := range "/cdeMps|" {
			if dev := k.devtab[r]; dev != nil {
				fmt.Fprintf(&sb, "#%c %s\n", r, dev.Name())
			}
		}
		return readStr(b, off, sb.String())
	case qKprint:
		return 0, nil
	}
	return 0, Eperm
}

func (d *consDev) Write(p *Proc, c *Chan, b []byte, off int64) (int, error) {
	k := d.k
	if s, ok := c.Aux.(consStream); ok {
		if s == consStderr {
			return k.cons.write(k.cons.err, b)
		}
		return k.cons.write(k.cons.out, b)
	}
	switch c.Qid.Path {
	case qCons:
		return k.cons.write(k.cons.out, b)
	case qNull:
		return len(b), nil
	case qConsctl:
		return d.consctl(c, b)
	case qSysstat:
		return len(b), nil
	case qUser:
		if strings.TrimSpace(string(b)) == "none" {
			return len(b), nil
		}
		return 0, Eperm
	case qSysname:
		if off == 0 {
			k.sysname = strings.TrimRight(string(b), "\n")
		}
		return len(b), nil
	}
	return 0, Eperm
}

// consctl handles "rawon" and "rawoff". Raw mode lasts while at least
// one consctl Chan that asked for it stays open, as in Plan 9.
func (d *consDev) consctl(c *Chan, b []byte) (int, error) {
	st, _ := c.Aux.(*consctlState)
	if st == nil {
		st = &consctlState{}
		c.Aux = st
	}
	for _, f := range strings.Fields(string(b)) {
		switch f {
		case "rawon":
			if !st.raw {
				st.raw = true
				d.k.cons.setRaw(+1)
			}
		case "rawoff":
			if st.raw {
				st.raw = false
				d.k.cons.setRaw(-1)
			}
		case "holdon", "holdoff", "ctlpon", "ctlpoff":
		default:
			return 0, Ebadctl
		}
	}
	return len(b), nil
}

type consctlState struct{ raw bool }

func (d *consDev) Close(c *Chan) {
	if st, ok := c.Aux.(*consctlState); ok && st.raw {
		st.raw = false
		d.k.cons.setRaw(-1)
	}
}

func (d *consDev) isStream(c *Chan) bool {
	_, ok := c.Aux.(consStream)
	return ok || c.Qid.Path == qCons
}

// isStream reports whether c is a stream (pipe or console), on which seek
// fails.
func isStream(c *Chan) bool {
	if s, ok := c.Dev.(interface{ isStream(*Chan) bool }); ok {
		return s.isStream(c)
	}
	return false
}
