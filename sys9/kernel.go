package sys9

import (
	"fmt"
	"io"
	"os"
	"runtime"
	"sort"
	"strings"
	"sync"
	"time"

	"9emu/mem"
)

// Config describes the machine a Kernel plays.
type Config struct {
	// Root is the host directory that is the root of the name space; ""
	// means the host's root. Confine requests the full name space of a
	// Plan 9 terminal (/bin as the union of /$cputype/bin and /rc/bin);
	// the host tree is confined to Root either way.
	Root    string
	Confine bool

	// Term, with Confine, is a host directory (usually the host's root)
	// shown at /mnt/term, as a Plan 9 terminal shows the machine it was
	// started from there.
	Term string

	// Stdin, Stdout and Stderr become file descriptors 0, 1 and 2 of the
	// first process (and /dev/cons).
	Stdin  io.Reader
	Stdout io.Writer
	Stderr io.Writer

	// Env is the initial environment (/env), as NAME=VALUE strings.
	Env []string

	User    string // $user, /dev/user, file owner names
	Sysname string // /dev/sysname

	// Dot is the initial current directory, a name space path.
	Dot string

	// RawMode, if set, switches the host terminal between raw and
	// cooked modes, for /dev/consctl's rawon and rawoff.
	RawMode func(raw bool) error

	// MaxProcs, if positive, is the most processes that may live at once:
	// rfork beyond it fails with "no procs", so a fork bomb stops there.
	MaxProcs int

	// MaxMem, if positive, is the most bytes of growable memory (data,
	// bss and brk, segattach) all processes together may have: brk,
	// segbrk, segattach and exec beyond it fail with Plan 9's "virtual
	// memory allocation failed" instead of exhausting the host.
	MaxMem int64

	// Trace, if set, receives one line per system call.
	Trace io.Writer

	// Now supplies the time (default time.Now).
	Now func() time.Time
}

// A Kernel is one Plan 9 machine: its devices, process table and
// consoles. Several processes run in it at once.
type Kernel struct {
	cfg     Config
	devtab  map[rune]Dev
	host    *hostDev
	user    string
	sysname string
	boot    time.Time

	mu       sync.Mutex
	procs    map[int]*Proc
	reserved int         // places held by reserveProc
	budget   *mem.Budget // growable memory of all processes (Config.MaxMem)
	epoch    time.Time   // for clock
	nextpid  int
	noteids  int

	cons   *console
	trace  *tracer
	sema   *semaTable
	images imageCache

	term   *hostDev // the host tree at /mnt/term, or nil
	tmp    *hostDev // a private directory at /tmp, or nil
	tmpDir string   // its host name, removed at Shutdown
}

// NewKernel returns a kernel over the host directory cfg.Root.
func NewKernel(cfg Config) (*Kernel, error) {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Root == "" {
		cfg.Root = string(os.PathSeparator)
		if runtime.GOOS == "windows" {
			cfg.Root = `C:\`
		}
	}
	if cfg.Stdin == nil {
		cfg.Stdin = strings.NewReader("")
	}
	if cfg.Stdout == nil {
		cfg.Stdout = io.Discard
	}
	if cfg.Stderr == nil {
		cfg.Stderr = io.Discard
	}
	if cfg.User == "" {
		cfg.User = "glenda"
	}
	if cfg.Sysname == "" {
		cfg.Sysname = "9emu"
	}
	if cfg.Dot == "" {
		cfg.Dot = "/"
	}
	k := &Kernel{
		cfg:     cfg,
		user:    cfg.User,
		sysname: cfg.Sysname,
		boot:    time.Now(),
		procs:   make(map[int]*Proc),
		nextpid: 1,
		noteids: 1,
		sema:    newSemaTable(),
	}
	host, err := newHostDev(k, cfg.Root)
	if err != nil {
		return nil, err
	}
	k.host = host
	if cfg.Confine && cfg.Term != "" {
		if k.term, err = newHostDev(k, cfg.Term); err != nil {
			return nil, err
		}
	}
	k.epoch = time.Now()
	if cfg.MaxMem > 0 {
		k.budget = mem.NewBudget(cfg.MaxMem)
	}
	k.cons = newConsole(cfg.Stdin, cfg.Stdout, cfg.Stderr)
	k.cons.rawFn = cfg.RawMode
	if cfg.Trace != nil {
		k.trace = &tracer{w: cfg.Trace}
	}
	k.devtab = map[rune]Dev{}
	for _, d := range []Dev{host, &rootDev{k: k}, &consDev{k: k}, &envDev{k: k}, &procDev{k: k},
		&pipeDev{k: k}, &dupDev{k: k}, &srvDev{k: k, srv: map[string]*Chan{}}, &ipDev{k: k}} {
		k.devtab[d.Char()] = d
	}
	return k, nil
}

func (k *Kernel) now() time.Time { return k.cfg.Now() }

// newPid allocates a process number.
func (k *Kernel) newPid() int {
	k.mu.Lock()
	defer k.mu.Unlock()
	pid := k.nextpid
	k.nextpid++
	return pid
}

func (k *Kernel) newNoteid() int {
	k.mu.Lock()
	defer k.mu.Unlock()
	k.noteids++
	return k.noteids
}

func (k *Kernel) addProc(p *Proc) {
	k.mu.Lock()
	k.procs[p.pid] = p
	k.mu.Unlock()
}

// clock returns monotonic nanoseconds since the kernel started: one
// clock reading, half the cost of time.Now, taken twice per system call
// for processes' user and system times.
func (k *Kernel) clock() int64 { return int64(time.Since(k.epoch)) }

// reserveProc holds a place in the process table for a process about to
// be made, or reports false if MaxProcs are live or held already.
func (k *Kernel) reserveProc() bool {
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.cfg.MaxProcs > 0 && len(k.procs)+k.reserved >= k.cfg.MaxProcs {
		return false
	}
	k.reserved++
	return true
}

// addReserved adds p in the place reserveProc held; p == nil gives the
// place up.
func (k *Kernel) addReserved(p *Proc) {
	k.mu.Lock()
	k.reserved--
	if p != nil {
		k.procs[p.pid] = p
	}
	k.mu.Unlock()
}

func (k *Kernel) delProc(p *Proc) {
	k.mu.Lock()
	delete(k.procs, p.pid)
	k.mu.Unlock()
}

// proc returns the live process with the given pid.
func (k *Kernel) proc(pid int) *Proc {
	k.mu.Lock()
	defer k.mu.Unlock()
	return k.procs[pid]
}

// pids returns the live process numbers, in order.
func (k *Kernel) pids() []int {
	k.mu.Lock()
	defer k.mu.Unlock()
	var l []int
	for pid := range k.procs {
		l = append(l, pid)
	}
	sort.Ints(l)
	return l
}

// Interrupt posts note to every process of the note group of the first
// process, as the console does for the DEL key ("interrupt") and a
// hangup ("hangup").
func (k *Kernel) Interrupt(note string) {
	k.mu.Lock()
	first := k.procs[1]
	var all []*Proc
	for _, p := range k.procs {
		all = append(all, p)
	}
	k.mu.Unlock()
	if first == nil {
		return
	}
	for _, p := range all {
		if p.noteid == first.noteid {
			p.postnote(note, noteUser, false)
		}
	}
}

// Shutdown ends every process.
func (k *Kernel) Shutdown() {
	k.mu.Lock()
	var all []*Proc
	for _, p := range k.procs {
		all = append(all, p)
	}
	k.mu.Unlock()
	for _, p := range all {
		p.kill()
	}
	k.mu.Lock()
	dir := k.tmpDir
	k.tmpDir = ""
	k.mu.Unlock()
	if dir != "" {
		os.RemoveAll(dir)
	}
}

// tmpDev returns the device of /tmp when the root directory has none: a
// private host directory made at the first need and removed at Shutdown.
func (k *Kernel) tmpDev() (*hostDev, error) {
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.tmp != nil {
		return k.tmp, nil
	}
	dir, err := os.MkdirTemp("", "9emu-tmp")
	if err != nil {
		return nil, err
	}
	d, err := newHostDev(k, dir)
	if err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	k.tmp, k.tmpDir = d, dir
	return d, nil
}

// namespace builds the standard name space for a process running a
// binary of the given cputype (§7.8 of the ABI notes): the #/ skeleton
// with the host tree after it, the kernel devices on their usual names
// and, when the kernel is confined to a root, /bin as the union of
// /$cputype/bin and /rc/bin (of /amd64/bin, /386/bin and /rc/bin when
// cputype is "", before the first binary is found).
func (k *Kernel) namespace(p *Proc, cputype string) error {
	root, err := k.devtab['/'].Attach(p, "")
	if err != nil {
		return err
	}
	g := newPgrp(root)
	p.pgrp = g
	hostRoot, err := k.host.Attach(p, "")
	if err != nil {
		return err
	}
	if err := g.bind(hostRoot, root, MAFTER|MCREATE, "/root", "/"); err != nil {
		return err
	}
	binds := []struct {
		dev, on string
		flag    int
	}{
		{"#c", "/dev", MREPL},
		{"#d", "/fd", MREPL},
		{"#e", "/env", MREPL | MCREATE},
		{"#p", "/proc", MREPL},
		{"#s", "/srv", MREPL | MCREATE},
		{"#I", "/net", MREPL},
	}
	for _, b := range binds {
		if err := p.bindNames(b.dev, b.on, b.flag); err != nil {
			return fmt.Errorf("bind %s %s: %v", b.dev, b.on, err)
		}
	}
	if k.cfg.Confine {
		// /bin is /$cputype/bin then /rc/bin, the members that exist.
		// Before the first binary is found its cputype is not known:
		// then both architectures' directories are members.
		dirs := []string{"/" + cputype + "/bin", "/rc/bin"}
		if cputype == "" {
			dirs = []string{"/amd64/bin", "/386/bin", "/rc/bin"}
		}
		flag := MREPL
		for _, d := range dirs {
			if p.bindNames(d, "/bin", flag) == nil {
				flag = MAFTER
			}
		}
		rd := k.devtab['/'].(*rootDev)
		if k.term != nil {
			if err := p.bindDev(k.term, "/mnt/term", MREPL|MCREATE); err != nil {
				return fmt.Errorf("bind /mnt/term: %v", err)
			}
		}
		if rd.has("tmp") {
			d, err := k.tmpDev()
			if err != nil {
				return fmt.Errorf("/tmp: %v", err)
			}
			if err := p.bindDev(d, "/tmp", MREPL|MCREATE); err != nil {
				return fmt.Errorf("bind /tmp: %v", err)
			}
		}
	}
	return nil
}

// bindDev binds the root of the host tree d onto the directory named dst.
func (p *Proc) bindDev(d *hostDev, dst string, flag int) error {
	newc, err := d.Attach(p, "")
	if err != nil {
		return err
	}
	return p.bindOn(newc, "#M", dst, flag)
}

// bindNames binds the file named src onto the one named dst.
func (p *Proc) bindNames(src, dst string, flag int) error {
	newc, err := p.namec(src)
	if err != nil {
		return err
	}
	return p.bindOn(newc, src, dst, flag)
}

// bindOn binds newc, known as src, onto the file named dst.
func (p *Proc) bindOn(newc *Chan, src, dst string, flag int) error {
	old, err := p.namec(dst)
	if err != nil {
		return err
	}
	return p.pgrp.bind(newc, old, flag, src, dst)
}
