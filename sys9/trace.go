package sys9

import (
	"encoding/binary"
	"fmt"
	"io"
	"strconv"
	"strings"
	"sync"
)

// The system-call trace (-s), in the spirit of 9front's syscallfmt.c and
// sysretfmt. One line per event, each starting with the pid and the
// process name:
//
//	1 hello: start /bin/hello ["hello" "-v"]
//	1 hello: open("/dev/cons", OWRITE) = 3
//	1 hello: pread(0, 0x7fffffffe5c8, 512, -1) = 6 "hello\n"
//	1 hello: stat("/x", 0x4008, 256) = -1 'file does not exist'
//	2 hello: start (rfork of 1)
//	1 hello: note "interrupt" to handler 0x1234 <handler>
//	1 hello: note "sys: trap: fault read addr=0x0 pc=0x1025" kills
//	1 hello: exits("done")
//	1 hello: exit "done"
//
// A system call is NAME(ARGS) = RESULT, then the error string in single
// quotes when it failed (-1, or ~0 for rendezvous) or, when it returned
// data, the data: the bytes read, the Dir of stat, the string errstr and
// fd2path returned, the two fds of pipe, the offset seek set. exits,
// noted and a successful exec have no result. Other lines (start, note, exit) have a
// word after the colon and no parenthesis. Strings are Go-quoted and cut
// at 64 bytes (data at 32), with "..." after the quote when cut.
//
// The show string of each sysent says how to print each argument:
//
//	d decimal   f fd   x hex   P pointer   v vlong   s string   S exit string
//	o open mode   M create perm   r rfork flags   m bind flags
//	b data written (excerpt)   A argv   D stat buffer (a Dir)
//
// with notify, noted and segattach's attributes named by call.
type tracer struct {
	mu    sync.Mutex
	w     io.Writer // nil when only a Watcher is listening
	watch Watcher
	args  bool // the Watcher wants the arguments decoded
}

// decoding reports whether system calls are to be decoded: for the trace,
// or for a Watcher that wants them.
func (t *tracer) decoding() bool { return t.w != nil || t.args }

// Caps on what a trace line shows.
const (
	traceStrMax  = 64
	traceDataMax = 32
	traceArgvMax = 16
)

// traceBuf carries a system call's decoded arguments from its entry to its
// return, and the process's name then (exec changes it).
type traceBuf struct {
	name string
	args string
}

// printf writes one trace line for p, if the trace goes anywhere.
func (p *Proc) printf(format string, args ...any) {
	p.printfAs(p.text, format, args...)
}

// printfAs is printf with the process called name.
func (p *Proc) printfAs(name, format string, args ...any) {
	t := p.k.trace
	if t == nil || t.w == nil {
		return
	}
	line := fmt.Sprintf("%d %s: ", p.pid, name) + fmt.Sprintf(format, args...) + "\n"
	t.mu.Lock()
	io.WriteString(t.w, line)
	t.mu.Unlock()
}

// trace reports a system call that does not exist (number n).
func (p *Proc) trace(n int, e *sysent, a *args, ret uint64, err error) {
	if p.k.trace == nil {
		return
	}
	name := fmt.Sprintf("sys%d", n)
	p.watchEvent(Event{Kind: EvSyscall, Call: name, Args: "..."})
	p.printf("%s(...) = -1 '%v'", name, err)
	p.watchEvent(Event{Kind: EvSysret, Call: name, Args: "...", Ret: "-1", Err: err.Error()})
}

// traceArgs formats a system call's arguments before the call.
func (p *Proc) traceArgs(e *sysent, a *args) *traceBuf {
	tb := &p.tb
	*tb = traceBuf{name: p.text}
	if !p.k.trace.decoding() {
		p.watchEvent(Event{Kind: EvSyscall, Call: e.name})
		return tb
	}
	tb.args = p.formatArgs(e, a)
	p.watchEvent(Event{Kind: EvSyscall, Call: e.name, Args: tb.args})
	if e.name == "exits" || e.name == "noted" {
		// They do not return (noted resumes the interrupted code, or
		// ends the process): the line goes out now.
		p.printf("%s(%s)", e.name, tb.args)
	}
	return tb
}

// formatArgs decodes the arguments as e.show says.
func (p *Proc) formatArgs(e *sysent, a *args) string {
	var b strings.Builder
	for i := 0; i < len(e.show); i++ {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(p.showArg(e, i, a))
	}
	return b.String()
}

// traceEnd writes the line of a system call that has returned (or, for
// exec, replaced the program).
func (p *Proc) traceEnd(tb *traceBuf, e *sysent, a *args, ret uint64, err error) {
	if err == errNoReturn {
		err = nil
	}
	if !p.k.trace.decoding() {
		switch {
		case e.name == "exits":
		case e.name == "exec" && err == nil:
			p.watchEvent(Event{Kind: EvExec, Call: e.name})
		case err != nil:
			p.watchEvent(Event{Kind: EvSysret, Call: e.name, Err: err.Error()})
		default:
			p.watchEvent(Event{Kind: EvSysret, Call: e.name})
		}
		return
	}
	switch {
	case e.name == "exits":
		return // written by traceArgs
	case e.name == "noted" && err == nil:
		p.watchEvent(Event{Kind: EvSysret, Call: e.name, Args: tb.args})
		return
	case e.name == "exec" && err == nil:
		p.printfAs(tb.name, "%s(%s)", e.name, tb.args)
		p.watchEvent(Event{Kind: EvExec, Call: e.name, Args: tb.args})
		return
	}
	r := p.formatRet(e, ret)
	if err != nil {
		p.printf("%s(%s) = %s '%v'", e.name, tb.args, r, err)
		p.watchEvent(Event{Kind: EvSysret, Call: e.name, Args: tb.args, Ret: r, Err: err.Error()})
		return
	}
	if d := p.retData(e, a, ret); d != "" {
		r += " " + d
	}
	p.printf("%s(%s) = %s", e.name, tb.args, r)
	p.watchEvent(Event{Kind: EvSysret, Call: e.name, Args: tb.args, Ret: r})
}

// formatRet formats a result: an address for the calls that return one,
// else a number of the process's word size.
func (p *Proc) formatRet(e *sysent, ret uint64) string {
	if p.abi.w == 4 {
		ret = uint64(uint32(ret))
	}
	switch e.name {
	case "rendezvous", "segattach", "segbrk":
		if ret != ^uint64(0) && !(p.abi.w == 4 && ret == 0xFFFFFFFF) {
			return fmt.Sprintf("%#x", ret)
		}
	}
	if p.abi.w == 4 {
		return strconv.FormatInt(int64(int32(ret)), 10)
	}
	return strconv.FormatInt(int64(ret), 10)
}

// retData shows what a successful call returned in memory.
func (p *Proc) retData(e *sysent, a *args, ret uint64) string {
	n := int(int32(ret))
	switch e.name {
	case "pread", "_read":
		return p.dataExcerpt(a.ptr(1), n)
	case "stat", "fstat":
		if n <= 2 {
			return ""
		}
		return p.dirAt(a.ptr(1), n)
	case "errstr", "_errstr":
		return p.strAt(a.ptr(0), 128)
	case "fd2path":
		return p.strAt(a.ptr(1), int(a.uint(2)))
	case "fversion":
		if n > 0 {
			return p.dataExcerpt(a.ptr(2), n)
		}
	case "await":
		return p.dataExcerpt(a.ptr(0), n)
	case "pipe":
		fd0, err0 := p.cpu.ReadU32(a.ptr(0))
		fd1, err1 := p.cpu.ReadU32(a.ptr(0) + 4)
		if err0 == nil && err1 == nil {
			return fmt.Sprintf("[%d %d]", int32(fd0), int32(fd1))
		}
	case "seek", "_nsec":
		if v, err := p.cpu.ReadU64(a.ptr(0)); err == nil {
			return fmt.Sprintf("[%d]", int64(v))
		}
	}
	return ""
}

// traceStart reports that the process is about to run, from its own
// goroutine: a new program, or an rfork child.
func (p *Proc) traceStart() {
	if p.k.trace == nil {
		return
	}
	if p.parent != nil {
		p.printf("start (rfork of %d)", p.ppid)
	} else {
		p.printf("start %s %s", p.exe, quoteList(p.args))
	}
	p.watchEvent(Event{Kind: EvStart})
}

// traceFork is called by rfork in the parent; the child reports its own
// start (traceStart).
func (p *Proc) traceFork(child *Proc) {}

// traceNote reports a note: delivered to the handler at handler, or, when
// fatal, the one the process dies of.
func (p *Proc) traceNote(n note, handler uint64, fatal bool) {
	if p.k.trace == nil {
		return
	}
	if fatal {
		p.printf("note %s kills", strconv.Quote(n.msg))
	} else {
		p.printf("note %s to handler %s", strconv.Quote(n.msg), p.codeAddr(handler))
	}
	trap := n.kind == noteKernel && (strings.HasPrefix(n.msg, "sys: trap:") || strings.HasPrefix(n.msg, "sys: fp:") ||
		strings.HasPrefix(n.msg, "sys: breakpoint"))
	p.watchEvent(Event{Kind: EvNote, Note: n.msg, Fatal: fatal, Trap: trap})
}

// traceExit reports the end of the process, before its memory goes.
func (p *Proc) traceExit(msg string) {
	if p.k.trace == nil {
		return
	}
	p.printf("exit %s", strconv.Quote(msg))
	p.watchEvent(Event{Kind: EvExit, Status: msg})
}

// codeAddr shows a code address with the function holding it.
func (p *Proc) codeAddr(pc uint64) string {
	if p.image != nil {
		if name, off, ok := p.image.Lookup(pc); ok {
			if off == 0 {
				return fmt.Sprintf("%#x <%s>", pc, name)
			}
			return fmt.Sprintf("%#x <%s+%#x>", pc, name, off)
		}
	}
	return fmt.Sprintf("%#x", pc)
}

// showArg formats argument i of a call.
func (p *Proc) showArg(e *sysent, i int, a *args) string {
	switch e.name {
	case "notify":
		if a.ptr(0) == 0 {
			return "nil"
		}
		return p.codeAddr(a.ptr(0))
	case "noted":
		return notedString(a.int(0))
	case "segattach":
		if i == 0 {
			return segattrString(a.uint(0))
		}
	}
	switch e.show[i] {
	case 'd', 'f':
		return strconv.Itoa(a.int(i))
	case 'x':
		return fmt.Sprintf("%#x", a.uint(i))
	case 'P':
		return fmt.Sprintf("%#x", a.ptr(i))
	case 'v':
		return strconv.FormatInt(a.vlong(i), 10)
	case 's':
		return p.strAt(a.ptr(i), traceStrMax)
	case 'S':
		return p.strAt(a.ptr(i), 128)
	case 'o':
		return openModeString(int(a.uint(i)))
	case 'M':
		return permString(a.uint(i))
	case 'r':
		return rforkString(int(a.uint(i)))
	case 'm':
		return bindFlagString(a.int(i))
	case 'b':
		return p.dataExcerpt(a.ptr(i), a.int(i+1))
	case 'A':
		return p.argvAt(a.ptr(i))
	case 'D':
		return p.dirAt(a.ptr(i), a.int(i+1))
	}
	return fmt.Sprintf("%#x", a.ptr(i))
}

// strAt shows the NUL-terminated string at addr, quoted, cut at max bytes.
func (p *Proc) strAt(addr uint64, max int) string {
	if addr == 0 {
		return "nil"
	}
	if max <= 0 {
		return `""`
	}
	s, ok, err := p.cpu.ReadString(addr, min(max, traceStrMax)+1)
	if err != nil {
		return fmt.Sprintf("%#x", addr)
	}
	cut := !ok || len(s) > traceStrMax
	if len(s) > traceStrMax {
		s = s[:traceStrMax]
	}
	q := strconv.Quote(s)
	if cut {
		q += "..."
	}
	return q
}

// dataExcerpt shows the first bytes of the n at addr, quoted.
func (p *Proc) dataExcerpt(addr uint64, n int) string {
	k := max(min(n, traceDataMax), 0)
	b := make([]byte, k)
	if p.cpu.ReadGuest(b, addr) != nil {
		return fmt.Sprintf("%#x", addr)
	}
	q := strconv.Quote(string(b))
	if n > k {
		q += "..."
	}
	return q
}

// argvAt shows a nil-terminated argument list.
func (p *Proc) argvAt(addr uint64) string {
	var l []string
	w := p.abi.w
	for i := uint64(0); ; i++ {
		if i == traceArgvMax {
			l = append(l, "...")
			break
		}
		v, err := p.readWordErr(addr + i*w)
		if err != nil {
			return fmt.Sprintf("%#x", addr)
		}
		if v == 0 {
			break
		}
		l = append(l, p.strAt(v, traceStrMax))
	}
	return "[" + strings.Join(l, " ") + "]"
}

// dirAt shows the stat record of n bytes at addr as Plan 9's %D does, or
// the address if it does not decode.
func (p *Proc) dirAt(addr uint64, n int) string {
	if n < STATFIXLEN || n > STATMAX {
		return fmt.Sprintf("%#x", addr)
	}
	b := make([]byte, n)
	if p.cpu.ReadGuest(b, addr) != nil {
		return fmt.Sprintf("%#x", addr)
	}
	if sz := int(binary.LittleEndian.Uint16(b)) + 2; sz < n {
		b = b[:sz]
	}
	d, err := UnmarshalDir(b)
	if err != nil {
		return fmt.Sprintf("%#x", addr)
	}
	return dirString(&d)
}

// dirString formats d as libc's dirfmt (%D) does, in braces.
func dirString(d *Dir) string {
	return fmt.Sprintf("{'%s' '%s' '%s' '%s' q (%016x %d %02x) m %#o at %d mt %d l %d t %d d %d}",
		d.Name, d.Uid, d.Gid, d.Muid, d.Qid.Path, d.Qid.Vers, d.Qid.Type, d.Mode,
		int32(d.Atime), int32(d.Mtime), int64(d.Length), d.Type, d.Dev)
}

func quoteList(l []string) string {
	q := make([]string, len(l))
	for i, s := range l {
		q[i] = strconv.Quote(s)
	}
	return "[" + strings.Join(q, " ") + "]"
}

type flagName struct {
	bit  int
	name string
}

// flagString names the bits of f that are in names, joined with |, and
// shows the others in hex.
func flagString(f int, names []flagName) string {
	var s []string
	for _, x := range names {
		if f&x.bit != 0 {
			s = append(s, x.name)
			f &^= x.bit
		}
	}
	if f != 0 {
		s = append(s, fmt.Sprintf("%#x", f))
	}
	if len(s) == 0 {
		return "0"
	}
	return strings.Join(s, "|")
}

func openModeString(m int) string {
	s := []string{"OREAD", "OWRITE", "ORDWR", "OEXEC"}[m&3]
	rest := flagString(m&^3, []flagName{{OTRUNC, "OTRUNC"}, {OCEXEC, "OCEXEC"}, {ORCLOSE, "ORCLOSE"}, {OEXCL, "OEXCL"}})
	if rest != "0" {
		s += "|" + rest
	}
	return s
}

func rforkString(f int) string {
	return flagString(f, []flagName{{RFNAMEG, "RFNAMEG"}, {RFENVG, "RFENVG"}, {RFFDG, "RFFDG"}, {RFNOTEG, "RFNOTEG"},
		{RFPROC, "RFPROC"}, {RFMEM, "RFMEM"}, {RFNOWAIT, "RFNOWAIT"}, {RFCNAMEG, "RFCNAMEG"},
		{RFCENVG, "RFCENVG"}, {RFCFDG, "RFCFDG"}, {RFREND, "RFREND"}, {RFNOMNT, "RFNOMNT"}})
}

// bindFlagString names bind and mount flags: the order (MREPL, MBEFORE,
// MAFTER) and MCREATE, MCACHE.
func bindFlagString(f int) string {
	s := []string{"MREPL", "MBEFORE", "MAFTER", "MORDER"}[f&3]
	rest := flagString(f&^3, []flagName{{MCREATE, "MCREATE"}, {MCACHE, "MCACHE"}})
	if rest != "0" {
		s += "|" + rest
	}
	return s
}

// permString shows create's permission: the DM bits by name, then the
// permission bits in octal.
func permString(perm uint32) string {
	var s []string
	for _, x := range []struct {
		bit  uint32
		name string
	}{{DMDIR, "DMDIR"}, {DMAPPEND, "DMAPPEND"}, {DMEXCL, "DMEXCL"}, {DMMOUNT, "DMMOUNT"}, {DMAUTH, "DMAUTH"}, {DMTMP, "DMTMP"}} {
		if perm&x.bit != 0 {
			s = append(s, x.name)
			perm &^= x.bit
		}
	}
	return strings.Join(append(s, fmt.Sprintf("%#o", perm)), "|")
}

func notedString(v int) string {
	switch v {
	case NCONT:
		return "NCONT"
	case NDFLT:
		return "NDFLT"
	case NSAVE:
		return "NSAVE"
	case NRSTR:
		return "NRSTR"
	}
	return strconv.Itoa(v)
}

func segattrString(attr uint32) string {
	rest := flagString(int(attr&(SG_RONLY|SG_CEXEC)), []flagName{{SG_RONLY, "SG_RONLY"}, {SG_CEXEC, "SG_CEXEC"}})
	if t := attr &^ (SG_RONLY | SG_CEXEC); t != 0 || rest == "0" {
		if rest == "0" {
			return fmt.Sprintf("%#o", t)
		}
		return fmt.Sprintf("%s|%#o", rest, t)
	}
	return rest
}
