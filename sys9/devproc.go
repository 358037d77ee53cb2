package sys9

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"9emu/mem"
)

// #p: processes (§7.3). /proc/N/ holds a file per entry of procFiles;
// Qid paths are pid<<8 | file index (directories have QTDIR).
type procDev struct {
	noDev
	k *Kernel
}

var procFiles = []struct {
	name string
	perm uint32
}{
	{"args", 0660},
	{"ctl", 0000 | 0200},
	{"fd", 0444},
	{"mem", 0400}, // read-only here: no debugger writes through it
	{"note", 0220},
	{"noteid", 0664},
	{"notepg", 0200},
	{"ns", 0444},
	{"ppid", 0444},
	{"regs", 0400}, // read-only
	{"segment", 0444},
	{"status", 0444},
	{"text", 0000 | 0400},
	{"wait", 0400},
}

func (d *procDev) Char() rune   { return 'p' }
func (d *procDev) Name() string { return "proc" }

func (d *procDev) Attach(p *Proc, spec string) (*Chan, error) {
	return newChan(d, Qid{Type: QTDIR}, "#p", nil), nil
}

func procQid(pid, file int) Qid {
	q := Qid{Path: uint64(pid)<<8 | uint64(file)}
	if file == 0 {
		q.Type = QTDIR
	}
	return q
}

func qpid(c *Chan) int  { return int(c.Qid.Path >> 8) }
func qfile(c *Chan) int { return int(c.Qid.Path & 0xff) }

func (d *procDev) Walk(p *Proc, c *Chan, name string) (*Chan, error) {
	if c.Qid.Path == 0 {
		pid, err := strconv.Atoi(name)
		if err != nil || d.k.proc(pid) == nil {
			return nil, Enonexist
		}
		return newChan(d, procQid(pid, 0), c.Name, nil), nil
	}
	for i, f := range procFiles {
		if f.name == name {
			if d.k.proc(qpid(c)) == nil {
				return nil, Enonexist
			}
			return newChan(d, procQid(qpid(c), i+1), c.Name, nil), nil
		}
	}
	return nil, Enonexist
}

func (d *procDev) Stat(p *Proc, c *Chan) (Dir, error) {
	if c.Qid.Path == 0 {
		return devDir(d, c, "#p", c.Qid, 0555, 0, p), nil
	}
	if qfile(c) == 0 {
		return devDir(d, c, strconv.Itoa(qpid(c)), c.Qid, 0555, 0, p), nil
	}
	f := procFiles[qfile(c)-1]
	return devDir(d, c, f.name, c.Qid, f.perm, 0, p), nil
}

func (d *procDev) List(p *Proc, c *Chan) ([]Dir, error) {
	var l []Dir
	if c.Qid.Path == 0 {
		for _, pid := range d.k.pids() {
			l = append(l, devDir(d, c, strconv.Itoa(pid), procQid(pid, 0), 0555, 0, p))
		}
		return l, nil
	}
	for i, f := range procFiles {
		l = append(l, devDir(d, c, f.name, procQid(qpid(c), i+1), f.perm, 0, p))
	}
	return l, nil
}

func (d *procDev) target(c *Chan) (*Proc, error) {
	t := d.k.proc(qpid(c))
	if t == nil {
		return nil, Eprocdied
	}
	return t, nil
}

func (d *procDev) Open(p *Proc, c *Chan, mode int) (*Chan, error) {
	if c.isDir() {
		return c, nil
	}
	t, err := d.target(c)
	if err != nil {
		return nil, err
	}
	name := procFiles[qfile(c)-1].name
	switch name {
	case "text":
		// Opening text yields the executable itself.
		return p.open(t.exe, OREAD)
	case "fd", "ns", "status", "args", "segment", "ppid", "noteid":
		c.Aux = d.snapshot(t, name)
	case "mem", "regs":
		if mode&3 != OREAD {
			return nil, Eperm
		}
		if name == "regs" {
			b, err := t.regs(p)
			if err != nil {
				return nil, err
			}
			c.Aux = string(b)
		}
	}
	return c, nil
}

// regs returns t's registers as a Ureg, for /proc/N/regs: those of the
// reader itself, or of a process inside a system call, whose registers
// stay as they were when it entered the kernel until the call returns.
func (t *Proc) regs(reader *Proc) ([]byte, error) {
	if t != reader && t.Syscall() == "" {
		return nil, Error("process not stopped")
	}
	return t.abi.putUreg(t.cpu, 0, 0), nil
}

// procMem reads t's memory at address off for /proc/N/mem, up to the end
// of the segment that holds it.
func procMem(t *Proc, b []byte, off int64) (int, error) {
	g := t.mem.SegmentAt(mem.Addr(off))
	if g == nil {
		return 0, Ebadarg
	}
	_, top := g.Bounds()
	n := min(uint64(len(b)), uint64(top)-uint64(off))
	if err := t.mem.ReadAt(b[:n], mem.Addr(off)); err != nil {
		return 0, Ebadarg
	}
	return int(n), nil
}

// snapshot is the text of a status-like file at open time.
func (d *procDev) snapshot(t *Proc, name string) string {
	switch name {
	case "args":
		var q []string
		for _, a := range t.args {
			q = append(q, quote(a))
		}
		s := strings.Join(q, " ")
		if len(s) > 128 {
			s = s[:128]
		}
		return s
	case "ppid":
		return num(t.ppid)
	case "noteid":
		return num(t.noteid)
	case "status":
		state := t.Syscall()
		if state == "" {
			state = "Running"
		} else {
			state = strings.ToUpper(state[:1]) + state[1:]
		}
		rt := int(time.Since(t.start).Milliseconds())
		kib := 0
		if m := t.mem; m != nil {
			for _, g := range m.Segments() {
				kib += g.Resident() * mem.PageSize / 1024
			}
		}
		return fmt.Sprintf("%-27s %-27s %-11s %11d %11d %11d %11d %11d %11d %11d %11d %11d\n",
			t.text, d.k.user, state, ms(t.utime.Load()), ms(t.stime.Load()), rt,
			ms(t.cutime.Load()), ms(t.cstime.Load()), ms(t.crtime.Load()), kib, 10, 10)
	case "fd":
		var b strings.Builder
		b.WriteString(t.dot() + "\n")
		fds, chans := t.fgrp.list()
		for i, fd := range fds {
			b.WriteString(fdLine(fd, chans[i]))
			chans[i].decref(nil)
		}
		return b.String()
	case "ns":
		return t.nsText()
	case "segment":
		var b strings.Builder
		for _, g := range t.mem.Segments() {
			base, top := g.Bounds()
			ro := ' '
			if g.Perm&memWrite == 0 {
				ro = 'R'
			}
			fmt.Fprintf(&b, "%-6s %c  %8x %8x %4d\n", g.Kind, ro, uint64(base), uint64(top), 1)
		}
		return b.String()
	}
	return ""
}

func (d *procDev) Read(p *Proc, c *Chan, b []byte, off int64) (int, error) {
	if s, ok := c.Aux.(string); ok {
		return readStr(b, off, s)
	}
	t, err := d.target(c)
	if err != nil {
		return 0, err
	}
	switch procFiles[qfile(c)-1].name {
	case "mem":
		return procMem(t, b, off)
	case "wait":
		w, err := t.await()
		if err != nil {
			return 0, err
		}
		s := fmt.Sprintf("%d %d %d %d %s", w.pid, w.utime, w.stime, w.rtime, quote(w.msg))
		return readStr(b, 0, s)
	}
	return 0, Eperm
}

func (d *procDev) Write(p *Proc, c *Chan, b []byte, off int64) (int, error) {
	t, err := d.target(c)
	if err != nil {
		return 0, err
	}
	s := string(b)
	if i := strings.IndexByte(s, 0); i >= 0 {
		s = s[:i]
	}
	switch procFiles[qfile(c)-1].name {
	case "note":
		if !t.postnote(s, noteUser, false) {
			return 0, Enoteposted
		}
		return len(b), nil
	case "notepg":
		for _, pid := range d.k.pids() {
			if q := d.k.proc(pid); q != nil && q.noteid == t.noteid && q != p {
				q.postnote(s, noteUser, false)
			}
		}
		return len(b), nil
	case "ctl":
		switch f := strings.Fields(s); {
		case len(f) == 1 && f[0] == "kill":
			t.postnote("sys: killed", noteExit, true)
			return len(b), nil
		case len(f) >= 1 && (f[0] == "hang" || f[0] == "nohang" || f[0] == "pri" || f[0] == "private" || f[0] == "noswap"):
			return len(b), nil
		}
		return 0, Ebadctl
	case "noteid":
		n, err := strconv.Atoi(strings.TrimSpace(s))
		if err != nil {
			return 0, Ebadarg
		}
		t.noteid = n
		return len(b), nil
	}
	return 0, Eperm
}

// nsText describes the name space as /proc/N/ns does.
func (p *Proc) nsText() string {
	g := p.pgrp
	g.mu.RLock()
	defer g.mu.RUnlock()
	var b strings.Builder
	for _, k := range g.order {
		h := g.mounts[k]
		if h == nil {
			continue
		}
		for i, m := range h.list {
			flag := ""
			if i > 0 {
				flag = "-a"
			}
			if m.flag&MCREATE != 0 {
				flag += "c"
				if flag == "c" {
					flag = "-c"
				}
			}
			if flag != "" {
				flag += " "
			}
			fmt.Fprintf(&b, "bind %s%s %s\n", flag, m.src, h.from)
		}
	}
	fmt.Fprintf(&b, "cd %s\n", p.dot())
	return b.String()
}
