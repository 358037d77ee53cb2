package sys9

import (
	"errors"
	"fmt"

	"9emu/mem"
)

// A sysent describes one system call: its name, the kinds of its
// arguments as the kernel reads them ('i' int, 'u' uint, 'l' long, 'p'
// pointer, 'v' vlong; these decide 4- or 8-byte reads, §4.1), how the
// trace shows each argument (see trace.go), and the handler.
type sysent struct {
	name    string
	kinds   string
	show    string
	fn      func(p *Proc, a *args) (uint64, error)
	support string // "" when complete; else what is missing
}

// errNoReturn tells the dispatcher that the handler replaced the
// registers (noted, exec) and no result is to be stored.
var errNoReturn = errors.New("no return")

// errBadAddr is returned by handlers for an argument that points at
// memory the process cannot access.
type badAddr struct {
	addr uint64
	n    int // length of the access, when known
}

func (e *badAddr) Error() string { return "bad address" }

// systab is indexed by the 9front system-call numbers (§4.1). It is
// filled in init because handlers (rfork starts processes) lead back to
// the dispatcher.
var systab [54]sysent

func init() {
	systab = [54]sysent{
		0:  {"sysr1", "", "", sysSysr1, ""},
		1:  {"_errstr", "p", "P", sysOErrstr, ""},
		2:  {"bind", "ppi", "ssm", sysBind, ""},
		3:  {"chdir", "p", "s", sysChdir, ""},
		4:  {"close", "i", "f", sysClose, ""},
		5:  {"dup", "ii", "ff", sysDup, ""},
		6:  {"alarm", "u", "d", sysAlarm, ""},
		7:  {"exec", "pp", "sA", sysExec, ""},
		8:  {"exits", "p", "S", sysExits, ""},
		9:  {"_fsession", "ipu", "fPd", sysFsession, ""},
		10: {"fauth", "ip", "fs", sysFauth, "no authentication"},
		11: {"_fstat", "ip", "fP", sysOld, "obsolete"},
		12: {"segbrk", "pp", "PP", sysSegbrk, ""},
		13: {"_mount", "ipip", "fsms", sysOld, "obsolete"},
		14: {"open", "pu", "so", sysOpen, ""},
		15: {"_read", "ipl", "fPd", sysORead, ""},
		16: {"oseek", "ili", "fdd", sysOSeek, ""},
		17: {"sleep", "l", "d", sysSleep, ""},
		18: {"_stat", "pp", "sP", sysOld, "obsolete"},
		19: {"rfork", "u", "r", sysRfork, ""},
		20: {"_write", "ipl", "fbd", sysOWrite, ""},
		21: {"pipe", "p", "P", sysPipe, ""},
		22: {"create", "piu", "soM", sysCreate, ""},
		23: {"fd2path", "ipu", "fPd", sysFd2path, ""},
		24: {"brk_", "p", "P", sysBrk, ""},
		25: {"remove", "p", "s", sysRemove, ""},
		26: {"_wstat", "", "", sysOldWstat, "obsolete"},
		27: {"_fwstat", "", "", sysOldWstat, "obsolete"},
		28: {"notify", "p", "P", sysNotify, ""},
		29: {"noted", "i", "d", sysNoted, ""},
		30: {"segattach", "ipvu", "dsPd", sysSegattach, ""},
		31: {"segdetach", "p", "P", sysSegdetach, ""},
		32: {"segfree", "pu", "Pd", sysSegfree, ""},
		33: {"segflush", "pu", "Pd", sysSegflush, ""},
		34: {"rendezvous", "pp", "PP", sysRendezvous, ""},
		35: {"unmount", "pp", "ss", sysUnmount, ""},
		36: {"_wait", "p", "P", sysOld, "obsolete"},
		37: {"semacquire", "pi", "Pd", sysSemacquire, ""},
		38: {"semrelease", "pl", "Pd", sysSemrelease, ""},
		39: {"seek", "pivi", "Pfvd", sysSeek, ""},
		40: {"fversion", "iipi", "fdsd", sysFversion, "no 9P mounts yet"},
		41: {"errstr", "pu", "Pd", sysErrstr, ""},
		42: {"stat", "ppu", "sPd", sysStat, ""},
		43: {"fstat", "ipu", "fPd", sysFstat, ""},
		44: {"wstat", "ppu", "sDd", sysWstat, ""},
		45: {"fwstat", "ipu", "fDd", sysFwstat, ""},
		46: {"mount", "iipip", "ffsms", sysMount, "no 9P mounts yet"},
		47: {"await", "pu", "Pd", sysAwait, ""},
		50: {"pread", "iplv", "fPdv", sysPread, ""},
		51: {"pwrite", "iplv", "fbdv", sysPwrite, ""},
		52: {"tsemacquire", "pu", "Pd", sysTsemacquire, ""},
		53: {"_nsec", "p", "P", sysNsec, ""},
	}
}

// syscall services the system call the CPU stopped at. It reports
// whether notes may be delivered on the way back (not after rfork).
func (p *Proc) syscall() bool {
	c := p.cpu
	n := p.abi.sysno(c)
	if n < 0 || n >= len(systab) || systab[n].fn == nil {
		p.trace(n, nil, nil, 0, Ebadsys)
		p.setErr(Ebadsys)
		p.abi.setRet(c, ^uint64(0))
		p.postnote("sys: bad sys call", noteKernel, false)
		return true
	}
	e := &systab[n]
	var a args
	if err := p.fetchArgs(e.kinds, &a); err != nil {
		p.badAddress(&badAddr{addr: p.abi.argBase(c), n: int(p.abi.w) * len(e.kinds)})
		return true
	}
	p.syscallName.Store(&e.name)
	var tb *traceBuf
	if p.k.trace != nil {
		tb = p.traceArgs(e, &a)
	}
	ret, err := e.fn(p, &a)
	p.syscallName.Store(nil)
	if err == errNoReturn {
		if tb != nil {
			p.traceEnd(tb, e, &a, c.R[0], nil)
		}
		// No notes now after rfork (the child), exec, or exits: an
		// ended process has no memory to push one on (another thread's
		// note could arrive as it ended).
		return n != 19 && n != 7 && n != 8
	}
	var ba *badAddr
	if errors.As(err, &ba) || isFault(err) {
		if tb != nil {
			p.traceEnd(tb, e, &a, ^uint64(0), Ebadarg)
		}
		if ba == nil {
			ba = &badAddr{}
		}
		p.badAddress(ba)
		return true
	}
	if err != nil {
		p.setErr(err)
		ret = ^uint64(0)
		if n == 34 { // rendezvous: ~0 without errstr when interrupted
			ret = ^uint64(0)
		}
	}
	p.abi.setRet(c, ret)
	if tb != nil {
		p.traceEnd(tb, e, &a, ret, err)
	}
	return n != 19
}

func isFault(err error) bool {
	var f *mem.Fault
	return errors.As(err, &f)
}

// badAddress fails a system call whose arguments point at inaccessible
// memory: error "bad arg in system call" and the note "sys: bad address
// in syscall", fatal unless handled (§3.5).
func (p *Proc) badAddress(ba *badAddr) {
	p.pprint(fmt.Sprintf("suicide: invalid address %#x/%d in sys call pc=%#x\n", ba.addr, ba.n, p.cpu.PC))
	p.setErr(Ebadarg)
	p.abi.setRet(p.cpu, ^uint64(0))
	p.postnote("sys: bad address in syscall", noteKernel, false)
}

// setErr sets the process's error string, truncated to ERRMAX-1 bytes at
// a UTF-8 boundary.
func (p *Proc) setErr(err error) {
	p.errstr = truncUTF8(err.Error(), 127)
}

func truncUTF8(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && s[n]&0xC0 == 0x80 {
		n--
	}
	return s[:n]
}

// Guest memory helpers for handlers: every access is checked.

func (p *Proc) readBytes(a uint64, n int) ([]byte, error) {
	if n < 0 {
		return nil, Ebadarg
	}
	b := make([]byte, n)
	if err := p.cpu.ReadGuest(b, a); err != nil {
		return nil, &badAddr{addr: a, n: n}
	}
	return b, nil
}

func (p *Proc) writeBytes(a uint64, b []byte) error {
	if err := p.cpu.WriteGuest(b, a); err != nil {
		return &badAddr{addr: a, n: len(b)}
	}
	return nil
}

// readName reads a file name argument.
func (p *Proc) readName(a uint64) (string, error) {
	s, ok, err := p.cpu.ReadString(a, 8192)
	if err != nil {
		return "", &badAddr{addr: a}
	}
	if !ok {
		return "", Etoolong
	}
	return s, nil
}

func (p *Proc) writeWord(a uint64, v uint64) error {
	var err error
	if p.abi.w == 8 {
		err = p.cpu.WriteU64(a, v)
	} else {
		err = p.cpu.WriteU32(a, uint32(v))
	}
	if err != nil {
		return &badAddr{addr: a}
	}
	return nil
}

func (p *Proc) writeVlong(a uint64, v int64) error {
	if err := p.cpu.WriteU64(a, uint64(v)); err != nil {
		return &badAddr{addr: a}
	}
	return nil
}

func sysSysr1(p *Proc, a *args) (uint64, error) { return 0, nil }

func sysOld(p *Proc, a *args) (uint64, error) { return 0, Ebadarg }

func sysOldWstat(p *Proc, a *args) (uint64, error) { return 0, Eoldwstat }
