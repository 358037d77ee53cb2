package main

import (
	"encoding/binary"
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"

	"9emu/cmd/internal/disasm"
	"9emu/cpu"
	"9emu/mem"
)

// A dbgCmd is one debugger command.
type dbgCmd struct {
	name    string
	aliases []string
	args    string // the arguments, for help
	help    string // one line
	more    string // the rest of its help, if any
	run     func(d *debugger, arg string, fmtSuffix string) cmdResult
}

// cmdResult says what a command did to the session.
type cmdResult struct {
	resumed bool // the program runs: wait for the next stop (seq is the last one)
	seq     int
	quit    bool
}

// Locations and addresses, in commands: a number (0x1020, 4128), a symbol
// with an offset (main, main.main+0x10, buf-8), a source line (hello.c:7),
// or a register ($SP, $AX, $PC), joined with + and -.
const locHelp = `LOC and ADDR are a number (0x1020, 4128), a symbol with an optional offset
(main, main.main+0x10), a source line (hello.c:7, main.go:12), or a register
($PC, $SP, $AX), added up with + and - ($SP+8).`

var dbgCmds []*dbgCmd

func init() {
	dbgCmds = []*dbgCmd{
		{name: "help", aliases: []string{"h", "?"}, args: "[command]", help: "list the commands, or explain one", run: cmdHelp},
		{name: "break", aliases: []string{"b"}, args: "LOC", help: "set a breakpoint at LOC",
			more: "The program stops before it executes the instruction at LOC, in any process\nrunning the same program.\n" + locHelp, run: cmdBreak},
		{name: "watch", aliases: []string{"w"}, args: "ADDR [N]", help: "stop when the N bytes at ADDR change (N: a word)",
			more: "Every process then runs one instruction at a time, which is slow; the\nstop names the instruction that wrote. " + locHelp, run: cmdWatch},
		{name: "delete", aliases: []string{"d"}, args: "[N ...]", help: "delete breakpoints and watchpoints N (all of them if none is named)", run: cmdDelete},
		{name: "breaks", aliases: []string{"bl"}, help: "list the breakpoints and watchpoints", run: cmdBreaks},
		{name: "step", aliases: []string{"s"}, args: "[N]", help: "execute N instructions (default 1) of the current process",
			more: "Only the current process runs. A system call instruction is served by the\nkernel before the step ends. An empty line repeats step and next.", run: cmdStep},
		{name: "next", aliases: []string{"n"}, args: "[N]", help: "like step, but run a CALL through to its return",
			more: "All processes run while the called function does.", run: cmdNext},
		{name: "finish", aliases: []string{"f"}, help: "run until the current function returns to its caller", run: cmdFinish},
		{name: "cont", aliases: []string{"c"}, help: "let every process run, until a breakpoint, a watchpoint, a trap or the end", run: cmdCont},
		{name: "regs", aliases: []string{"r"}, args: "[fp|xmm|all]", help: "show the registers: the general ones, PC and flags; fp: the x87 stack; xmm: the XMM registers", run: cmdRegs},
		{name: "set", args: "REG VALUE", help: "set a register (AX...R15, SP, BP, PC, FLAGS) of the current process", run: cmdSet},
		{name: "x", aliases: []string{"mem"}, args: "/NFS ADDR", help: "examine N units of memory at ADDR, in format F and size S",
			more: `Formats: x hex, d decimal, u unsigned decimal, o octal, c characters,
a addresses (words, with symbols), f floating point, s NUL-terminated
strings, i instructions. Sizes: b 1, h 2, w 4, g 8 bytes; the default is a
word (c: a byte, f: 8). N is 1 and F is x unless given; F is remembered.
Example: x/4xw $SP.
` + locHelp, run: cmdExamine},
		{name: "write", args: "/S ADDR VALUE ...", help: "change memory at ADDR: integers of size S (b, h, w, g; default a word), or with /s a string",
			run: cmdWrite},
		{name: "dis", aliases: []string{"asm"}, args: "[LOC [N]]", help: "disassemble N instructions (default 8) from LOC (default the PC); a function name alone lists the function",
			more: "=> marks the instruction the process is at.\n" + locHelp, run: cmdDis},
		{name: "bt", aliases: []string{"stk", "where"}, help: "backtrace: the calls that led here, innermost first, with source lines", run: cmdBt},
		{name: "pc", help: "show where the current process is", run: cmdPC},
		{name: "sys", help: "show the system call in progress, the pending notes and the note being handled", run: cmdSys},
		{name: "ps", help: "list the processes and what they are doing; * marks the current one", run: cmdPs},
		{name: "proc", args: "PID", help: "make process PID the current one", run: cmdProc},
		{name: "quit", aliases: []string{"q"}, help: "end the program and 9emu", run: cmdQuit},
	}
}

func findCmd(name string) *dbgCmd {
	for _, c := range dbgCmds {
		if c.name == name {
			return c
		}
		for _, a := range c.aliases {
			if a == name {
				return c
			}
		}
	}
	return nil
}

// command runs one command line.
func (d *debugger) command(line string) cmdResult {
	line = strings.TrimSpace(line)
	if line == "" {
		if d.last == "" {
			return cmdResult{}
		}
		line = d.last
	}
	if strings.HasPrefix(line, "#") {
		return cmdResult{}
	}
	name, arg, _ := strings.Cut(line, " ")
	name, suffix, _ := strings.Cut(name, "/")
	c := findCmd(name)
	if c == nil {
		d.printf("unknown command %q; help lists the commands\n", name)
		return cmdResult{}
	}
	d.last = ""
	if c.name == "step" || c.name == "next" {
		d.last = line
	}
	return c.run(d, strings.TrimSpace(arg), suffix)
}

func (d *debugger) printf(format string, args ...any) {
	fmt.Fprintf(d.out, format, args...)
}

func cmdHelp(d *debugger, arg, _ string) cmdResult {
	if arg != "" {
		c := findCmd(arg)
		if c == nil {
			d.printf("no command %q\n", arg)
			return cmdResult{}
		}
		d.printf("%s\n\t%s\n", cmdUsage(c), c.help)
		if c.more != "" {
			d.printf("\t%s\n", strings.ReplaceAll(c.more, "\n", "\n\t"))
		}
		return cmdResult{}
	}
	for _, c := range dbgCmds {
		d.printf("%-28s %s\n", cmdUsage(c), c.help)
	}
	return cmdResult{}
}

// cmdUsage shows how a command is written: "x/NF ADDR (mem)".
func cmdUsage(c *dbgCmd) string {
	use := c.name
	if c.args != "" && c.args[0] == '/' {
		use += c.args
	} else if c.args != "" {
		use += " " + c.args
	}
	if len(c.aliases) > 0 {
		use += " (" + strings.Join(c.aliases, ", ") + ")"
	}
	return use
}

// cur returns the current process if it is held still (parked), or says
// why not.
func (d *debugger) held() (*pstate, bool) {
	d.mu.Lock()
	defer d.mu.Unlock()
	ps := d.cur
	switch {
	case ps == nil:
		d.printf("no process\n")
	case ps.exited:
		d.printf("process %d has exited\n", ps.pid)
	case !ps.parked:
		d.printf("process %d is in system call %s; its registers are those of the call (see regs)\n", ps.pid, ps.sysCall)
	default:
		return ps, true
	}
	return nil, false
}

// current returns the current process unless it has exited.
func (d *debugger) current() (*pstate, bool) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.cur == nil || d.cur.exited {
		d.printf("no process\n")
		return nil, false
	}
	return d.cur, true
}

// eval evaluates an address expression for the current process.
func (d *debugger) eval(ps *pstate, expr string) (uint64, error) {
	expr = strings.TrimSpace(expr)
	if expr == "" {
		return 0, fmt.Errorf("no address")
	}
	if ps.img != nil && strings.Contains(expr, ":") {
		return ps.img.Addr(expr)
	}
	var total uint64
	sign := uint64(1)
	start := 0
	for i := 0; i <= len(expr); i++ {
		if i < len(expr) && (expr[i] != '+' && expr[i] != '-' || i == start) {
			continue
		}
		term := strings.TrimSpace(expr[start:i])
		v, err := d.term(ps, term)
		if err != nil {
			return 0, err
		}
		total += sign * v
		if i < len(expr) {
			sign = 1
			if expr[i] == '-' {
				sign = ^uint64(0)
			}
		}
		start = i + 1
	}
	if ps.cpu.Mode() == cpu.Mode32 {
		total = uint64(uint32(total))
	}
	return total, nil
}

// term evaluates one term: a register, a number or a symbol.
func (d *debugger) term(ps *pstate, t string) (uint64, error) {
	if strings.HasPrefix(t, "$") {
		r, err := d.regsOf(ps)
		if err != nil {
			return 0, err
		}
		name := strings.ToUpper(t[1:])
		if name == "PC" {
			return r.PC, nil
		}
		for i, n := range regNames {
			if n == name {
				return r.R[i], nil
			}
		}
		return 0, fmt.Errorf("no register %s", t)
	}
	if v, err := strconv.ParseUint(t, 0, 64); err == nil {
		return v, nil
	}
	if ps.img != nil {
		if v, ok := ps.img.Lookup(t); ok {
			return v, nil
		}
	}
	return 0, fmt.Errorf("no symbol %s", t)
}

// regsOf returns the registers of ps: live when it is held, as of its
// system call when it is in one.
func (d *debugger) regsOf(ps *pstate) (regs, error) {
	d.mu.Lock()
	parked, insys, exited := ps.parked, ps.insys, ps.exited
	sr := ps.sysRegs
	d.mu.Unlock()
	switch {
	case exited:
		return regs{}, fmt.Errorf("process %d has exited", ps.pid)
	case parked:
		return snapshot(ps.cpu), nil
	case insys:
		return sr, nil
	}
	return regs{}, fmt.Errorf("process %d is running", ps.pid)
}

// readMem reads the memory of ps.
func (d *debugger) readMem(ps *pstate, addr uint64, b []byte) error {
	d.mu.Lock()
	parked := ps.parked
	d.mu.Unlock()
	if parked {
		return ps.cpu.ReadGuest(b, addr)
	}
	sp := ps.p.Mem()
	if sp == nil {
		return fmt.Errorf("no memory")
	}
	return sp.ReadAt(b, mem.Addr(addr))
}

func cmdBreak(d *debugger, arg, _ string) cmdResult {
	ps, ok := d.current()
	if !ok {
		return cmdResult{}
	}
	a, err := d.eval(ps, arg)
	if err != nil {
		d.printf("break: %v\n", err)
		return cmdResult{}
	}
	d.mu.Lock()
	bp := &breakpoint{id: d.nextID, addr: a, file: ps.file, spec: arg}
	d.nextID++
	d.bps = append(d.bps, bp)
	d.mu.Unlock()
	d.m.gen.Add(1)
	d.printf("breakpoint %d at %s\n", bp.id, where(ps, a))
	return cmdResult{}
}

func cmdWatch(d *debugger, arg, _ string) cmdResult {
	ps, ok := d.current()
	if !ok {
		return cmdResult{}
	}
	f := strings.Fields(arg)
	if len(f) == 0 || len(f) > 2 {
		d.printf("usage: watch ADDR [N]\n")
		return cmdResult{}
	}
	a, err := d.eval(ps, f[0])
	if err != nil {
		d.printf("watch: %v\n", err)
		return cmdResult{}
	}
	n := int(ps.cpu.Mode()) / 8
	if len(f) == 2 {
		if n, err = strconv.Atoi(f[1]); err != nil || n <= 0 || n > 4096 {
			d.printf("watch: bad size %q\n", f[1])
			return cmdResult{}
		}
	}
	old := make([]byte, n)
	if err := d.readMem(ps, a, old); err != nil {
		d.printf("watch: %v\n", err)
		return cmdResult{}
	}
	spc := ps.p.Mem()
	d.mu.Lock()
	w := &watchpoint{id: d.nextID, addr: a, n: n, seg: spc.SegmentAt(mem.Addr(a)), spec: f[0], old: old, buf: make([]byte, n)}
	d.nextID++
	d.watches = append(d.watches, w)
	d.nwatch.Store(int32(len(d.watches)))
	d.mu.Unlock()
	d.printf("watchpoint %d at %s (%d bytes): %s\n", w.id, addrName(ps, a), n, memValue(old))
	return cmdResult{}
}

// addrName shows a data address with its symbol.
func addrName(ps *pstate, a uint64) string {
	if ps.img == nil {
		return hexAddr(a)
	}
	if n := ps.img.AddrName(a); !strings.HasPrefix(n, "0x") {
		return hexAddr(a) + " " + n
	}
	return hexAddr(a)
}

func cmdDelete(d *debugger, arg, _ string) cmdResult {
	d.mu.Lock()
	defer d.mu.Unlock()
	if arg == "" {
		d.bps, d.watches = nil, nil
	} else {
		for _, s := range strings.Fields(arg) {
			id, err := strconv.Atoi(s)
			found := false
			for i, bp := range d.bps {
				if err == nil && bp.id == id {
					d.bps = append(d.bps[:i], d.bps[i+1:]...)
					found = true
					break
				}
			}
			for i, w := range d.watches {
				if err == nil && w.id == id {
					d.watches = append(d.watches[:i], d.watches[i+1:]...)
					found = true
					break
				}
			}
			if !found {
				d.printf("delete: no breakpoint or watchpoint %s\n", s)
			}
		}
	}
	d.nwatch.Store(int32(len(d.watches)))
	d.m.gen.Add(1)
	return cmdResult{}
}

func cmdBreaks(d *debugger, _, _ string) cmdResult {
	d.mu.Lock()
	defer d.mu.Unlock()
	if len(d.bps) == 0 && len(d.watches) == 0 {
		d.printf("no breakpoints or watchpoints\n")
	}
	for _, bp := range d.bps {
		loc := hexAddr(bp.addr)
		for _, ps := range d.procs {
			if ps.file == bp.file && ps.img != nil {
				loc = hexAddr(bp.addr) + " " + ps.img.PCName(bp.addr) + " " + ps.img.LineString(bp.addr)
				break
			}
		}
		d.printf("%d\tbreakpoint %s\t%s\thit %d times\n", bp.id, bp.spec, loc, bp.hits)
	}
	for _, w := range d.watches {
		d.printf("%d\twatchpoint %s\t%s, %d bytes\tnow %s\n", w.id, w.spec, hexAddr(w.addr), w.n, memValue(w.old))
	}
	return cmdResult{}
}

func cmdStep(d *debugger, arg, _ string) cmdResult {
	n := 1
	if arg != "" {
		var err error
		if n, err = strconv.Atoi(arg); err != nil || n <= 0 {
			d.printf("step: bad count %q\n", arg)
			return cmdResult{}
		}
	}
	if _, ok := d.current(); !ok {
		return cmdResult{}
	}
	return cmdResult{resumed: true, seq: d.resume(false, n)}
}

func cmdNext(d *debugger, arg, _ string) cmdResult {
	n := 1
	if arg != "" {
		var err error
		if n, err = strconv.Atoi(arg); err != nil || n <= 0 {
			d.printf("next: bad count %q\n", arg)
			return cmdResult{}
		}
	}
	var res cmdResult
	for i := 0; i < n; i++ {
		if i > 0 {
			if d.waitStop(res.seq) {
				return res // the program ended: the session notices
			}
			d.mu.Lock()
			stopped := len(d.reasons) > 0 && d.reasons[len(d.reasons)-1].text != ""
			d.mu.Unlock()
			if stopped {
				return res // a breakpoint or trap came first
			}
		}
		ps, ok := d.held()
		if !ok {
			return res
		}
		c := ps.cpu
		code := make([]byte, 16)
		for len(code) > 0 && c.ReadGuest(code, c.PC) != nil {
			code = code[:len(code)-1]
		}
		if l, call := disasm.Call(code, modeBits(c)); call {
			sp := c.R[cpu.RSP]
			if c.Mode() == cpu.Mode32 {
				sp = uint64(uint32(sp))
			}
			d.setTmp(ps, c.PC+uint64(l), sp)
			res = cmdResult{resumed: true, seq: d.resume(true, 0)}
		} else {
			res = cmdResult{resumed: true, seq: d.resume(false, 1)}
		}
	}
	return res
}

func cmdFinish(d *debugger, _, _ string) cmdResult {
	ps, ok := d.held()
	if !ok {
		return cmdResult{}
	}
	if ps.img == nil {
		d.printf("finish: no symbols\n")
		return cmdResult{}
	}
	c := ps.cpu
	ret, csp, ok := ps.img.Caller(c.PC, c.R[cpu.RSP], readWord(c))
	if !ok {
		d.printf("finish: cannot find the caller of %s\n", ps.img.PCName(c.PC))
		return cmdResult{}
	}
	d.printf("run till exit from %s\n", where(ps, c.PC))
	d.setTmp(ps, ret, csp)
	return cmdResult{resumed: true, seq: d.resume(true, 0)}
}

// setTmp sets the temporary stop of next and finish: at addr, when the
// stack pointer is sp in the memory of ps's stack.
func (d *debugger) setTmp(ps *pstate, addr, sp uint64) {
	var seg *mem.Segment
	if m := ps.p.Mem(); m != nil {
		seg = m.SegmentAt(mem.Addr(sp))
	}
	d.mu.Lock()
	d.tmp = tmpStop{set: true, addr: addr, sp: sp, file: ps.file, seg: seg}
	d.mu.Unlock()
}

func cmdCont(d *debugger, _, _ string) cmdResult {
	return cmdResult{resumed: true, seq: d.resume(true, 0)}
}

func cmdRegs(d *debugger, arg, _ string) cmdResult {
	ps, ok := d.current()
	if !ok {
		return cmdResult{}
	}
	r, err := d.regsOf(ps)
	if err != nil {
		d.printf("regs: %v\n", err)
		return cmdResult{}
	}
	mode := ps.cpu.Mode()
	d.mu.Lock()
	insys := ps.insys && !ps.parked
	d.mu.Unlock()
	if insys {
		d.printf("(as at the system call %s)\n", ps.sysCall)
	}
	switch arg {
	case "":
		d.printf("%s", regsText(mode, &r))
	case "fp":
		d.printf("%s", fpText(&r))
	case "xmm":
		d.printf("%s", xmmText(mode, &r))
	case "all":
		d.printf("%s%s%s", regsText(mode, &r), fpText(&r), xmmText(mode, &r))
	default:
		d.printf("regs: unknown set %q (fp, xmm, all)\n", arg)
	}
	return cmdResult{}
}

func cmdSet(d *debugger, arg, _ string) cmdResult {
	ps, ok := d.held()
	if !ok {
		return cmdResult{}
	}
	f := strings.Fields(arg)
	if len(f) != 2 {
		d.printf("usage: set REG VALUE\n")
		return cmdResult{}
	}
	v, err := d.eval(ps, f[1])
	if err != nil {
		d.printf("set: %v\n", err)
		return cmdResult{}
	}
	c := ps.cpu
	name := strings.ToUpper(strings.TrimPrefix(f[0], "$"))
	if c.Mode() == cpu.Mode32 {
		v = uint64(uint32(v))
	}
	switch name {
	case "PC":
		c.PC = v
		ps.pass = false
	case "FLAGS":
		c.SetFlags(v)
	default:
		i := -1
		for j, n := range regNames[:nregs(c.Mode())] {
			if n == name {
				i = j
			}
		}
		if i < 0 {
			d.printf("set: no register %s\n", f[0])
			return cmdResult{}
		}
		c.R[i] = v
	}
	d.printf("%s = %s\n", name, hexWord(c.Mode(), v))
	return cmdResult{}
}

// examineSpec parses x's suffix, as gdb's: a count, a format letter
// (x d u o c a f s i) and a size letter (b h w g), each optional.
func (d *debugger) examineSpec(suffix string, w int) (n int, f byte, size int, err error) {
	n, f, size = 1, d.xfmt, 0
	i := 0
	for i < len(suffix) && suffix[i] >= '0' && suffix[i] <= '9' {
		i++
	}
	if i > 0 {
		n, _ = strconv.Atoi(suffix[:i])
	}
	for _, c := range []byte(suffix[i:]) {
		switch {
		case strings.IndexByte("xduocafsi", c) >= 0:
			f = c
		case c == 'b':
			size = 1
		case c == 'h':
			size = 2
		case c == 'w':
			size = 4
		case c == 'g':
			size = 8
		default:
			return 0, 0, 0, fmt.Errorf("unknown format or size %c", c)
		}
	}
	if n <= 0 || n > 4096 {
		return 0, 0, 0, fmt.Errorf("bad count %d", n)
	}
	switch {
	case f == 'a':
		size = w
	case size != 0:
	case f == 'c':
		size = 1
	case f == 'f':
		size = 8
	default:
		size = w
	}
	if f == 'f' && size != 4 && size != 8 {
		return 0, 0, 0, fmt.Errorf("floating point is 4 or 8 bytes")
	}
	return n, f, size, nil
}

func cmdExamine(d *debugger, arg, suffix string) cmdResult {
	ps, ok := d.current()
	if !ok {
		return cmdResult{}
	}
	w := int(ps.cpu.Mode()) / 8
	n, f, size, err := d.examineSpec(suffix, w)
	if err != nil {
		d.printf("x: %v\n", err)
		return cmdResult{}
	}
	d.xfmt = f
	a, err := d.eval(ps, arg)
	if err != nil {
		d.printf("x: %v\n", err)
		return cmdResult{}
	}
	switch f {
	case 's':
		for i := 0; i < n; i++ {
			var b []byte
			var buf [1]byte
			for len(b) < 4096 {
				if err := d.readMem(ps, a+uint64(len(b)), buf[:]); err != nil {
					d.printf("x: %v\n", err)
					return cmdResult{}
				}
				if buf[0] == 0 {
					break
				}
				b = append(b, buf[0])
			}
			d.printf("%s: %q\n", addrName(ps, a), b)
			a += uint64(len(b)) + 1
		}
		return cmdResult{}
	case 'i':
		d.disList(ps, a, n)
		return cmdResult{}
	}
	perLine := max(16/size, 1)
	if f == 'a' {
		perLine = 1
	}
	buf := make([]byte, n*size)
	if err := d.readMem(ps, a, buf); err != nil {
		d.printf("x: %v\n", err)
		return cmdResult{}
	}
	var b strings.Builder
	for i := 0; i < n; i++ {
		if i%perLine == 0 {
			if i > 0 {
				b.WriteString("\n")
			}
			fmt.Fprintf(&b, "%s:", addrName(ps, a+uint64(i*size)))
		}
		u := buf[i*size : (i+1)*size]
		var v uint64
		switch size {
		case 1:
			v = uint64(u[0])
		case 2:
			v = uint64(binary.LittleEndian.Uint16(u))
		case 4:
			v = uint64(binary.LittleEndian.Uint32(u))
		case 8:
			v = binary.LittleEndian.Uint64(u)
		}
		shift := 64 - 8*uint(size)
		switch f {
		case 'd':
			fmt.Fprintf(&b, "\t%d", int64(v<<shift)>>shift)
		case 'u':
			fmt.Fprintf(&b, "\t%d", v)
		case 'o':
			fmt.Fprintf(&b, "\t%#o", v)
		case 'c':
			fmt.Fprintf(&b, "\t%q", rune(v))
		case 'f':
			if size == 4 {
				fmt.Fprintf(&b, "\t%g", math.Float32frombits(uint32(v)))
			} else {
				fmt.Fprintf(&b, "\t%g", math.Float64frombits(v))
			}
		case 'a':
			fmt.Fprintf(&b, "\t%s", hexAddr(v))
			if ps.img != nil {
				if s := ps.img.AddrName(v); !strings.HasPrefix(s, "0x") {
					fmt.Fprintf(&b, " %s", s)
				}
			}
		default:
			fmt.Fprintf(&b, "\t0x%0*x", 2*size, v)
		}
	}
	b.WriteString("\n")
	d.printf("%s", b.String())
	return cmdResult{}
}

func cmdWrite(d *debugger, arg, suffix string) cmdResult {
	ps, ok := d.held()
	if !ok {
		return cmdResult{}
	}
	addr, rest, _ := strings.Cut(strings.TrimSpace(arg), " ")
	a, err := d.eval(ps, addr)
	if err != nil || strings.TrimSpace(rest) == "" {
		d.printf("usage: write[/F] ADDR VALUE ...\n")
		return cmdResult{}
	}
	rest = strings.TrimSpace(rest)
	var data []byte
	w := int(ps.cpu.Mode()) / 8
	switch suffix {
	case "s":
		s, err := strconv.Unquote(rest)
		if err != nil {
			s = rest
		}
		data = []byte(s)
	case "", "b", "h", "w", "g":
		size := map[string]int{"": w, "b": 1, "h": 2, "w": 4, "g": 8}[suffix]
		for _, t := range strings.Fields(rest) {
			v, err := d.eval(ps, t)
			if err != nil {
				d.printf("write: %v\n", err)
				return cmdResult{}
			}
			var u [8]byte
			binary.LittleEndian.PutUint64(u[:], v)
			data = append(data, u[:size]...)
		}
	default:
		d.printf("write: unknown format %q (b, h, w, g, s)\n", suffix)
		return cmdResult{}
	}
	if err := ps.cpu.WriteGuest(data, a); err != nil {
		d.printf("write: %v\n", err)
		return cmdResult{}
	}
	d.printf("wrote %d bytes at %s\n", len(data), addrName(ps, a))
	return cmdResult{}
}

func cmdDis(d *debugger, arg, _ string) cmdResult {
	ps, ok := d.current()
	if !ok {
		return cmdResult{}
	}
	f := strings.Fields(arg)
	n := 8
	var a uint64
	switch {
	case len(f) == 0:
		r, err := d.regsOf(ps)
		if err != nil {
			d.printf("dis: %v\n", err)
			return cmdResult{}
		}
		a = r.PC
	default:
		var err error
		if a, err = d.eval(ps, f[0]); err != nil {
			d.printf("dis: %v\n", err)
			return cmdResult{}
		}
		if len(f) > 1 {
			if n, err = strconv.Atoi(f[1]); err != nil || n <= 0 {
				d.printf("dis: bad count %q\n", f[1])
				return cmdResult{}
			}
		} else if ps.img != nil {
			// A function name alone: the whole function.
			if v, ok := ps.img.Lookup(f[0]); ok && v == a {
				if start, end, ok := ps.img.FuncBounds(a); ok && start == a {
					d.disRange(ps, a, end)
					return cmdResult{}
				}
			}
		}
	}
	d.disList(ps, a, n)
	return cmdResult{}
}

// disLine formats one instruction of a listing, marked if the process is
// at it.
func (d *debugger) disLine(ps *pstate, pc, at uint64) (string, int) {
	dec := d.decodeAt(ps, pc)
	mark := "  "
	if pc == at {
		mark = "=>"
	}
	sym, pos := "?", "?"
	if ps.img != nil {
		sym, pos = ps.img.PCName(pc), ps.img.LineString(pc)
	}
	return fmt.Sprintf("%s %s\t%s\t%s\t%s\n", mark, hexAddr(pc), sym, pos, dec.text), dec.n
}

// decodeAt decodes the instruction at pc in ps's memory.
func (d *debugger) decodeAt(ps *pstate, pc uint64) decoded {
	var buf [16]byte
	code := buf[:]
	for len(code) > 0 && d.readMem(ps, pc, code) != nil {
		code = code[:len(code)-1]
	}
	if len(code) == 0 {
		return decoded{1, "?"}
	}
	var dec decoded
	var ok bool
	if ps.img != nil {
		dec.n, dec.text, ok = ps.img.Disasm(code, pc)
	} else {
		dec.n, dec.text, ok = disasm.Decode(code, modeBits(ps.cpu), pc, nil)
	}
	if !ok {
		return decoded{1, fmt.Sprintf("BYTE $%#02x", code[0])}
	}
	return dec
}

func (d *debugger) atPC(ps *pstate) uint64 {
	r, err := d.regsOf(ps)
	if err != nil {
		return 0
	}
	return r.PC
}

func (d *debugger) disList(ps *pstate, a uint64, n int) {
	at := d.atPC(ps)
	var b strings.Builder
	for i := 0; i < n; i++ {
		l, sz := d.disLine(ps, a, at)
		b.WriteString(l)
		a += uint64(sz)
	}
	d.printf("%s", b.String())
}

func (d *debugger) disRange(ps *pstate, a, end uint64) {
	at := d.atPC(ps)
	var b strings.Builder
	fmt.Fprintf(&b, "%s:\n", ps.img.PCName(a))
	for a < end {
		l, sz := d.disLine(ps, a, at)
		b.WriteString(l)
		a += uint64(sz)
	}
	d.printf("%s", b.String())
}

func cmdBt(d *debugger, _, _ string) cmdResult {
	ps, ok := d.held()
	if !ok {
		return cmdResult{}
	}
	if ps.img == nil {
		d.printf("bt: no symbols\n")
		return cmdResult{}
	}
	c := ps.cpu
	for i, f := range ps.img.Backtrace(c.PC, c.R[cpu.RSP], readWord(c), maxFrames) {
		d.printf("#%d %s %s %s\n", i, hexAddr(f.PC), frameName(ps.img, f), ps.img.LineString(f.LinePC()))
	}
	return cmdResult{}
}

func cmdPC(d *debugger, _, _ string) cmdResult {
	ps, ok := d.current()
	if !ok {
		return cmdResult{}
	}
	d.printf("%d %s: %s\n", ps.pid, ps.name, d.location(ps))
	return cmdResult{}
}

func cmdSys(d *debugger, _, _ string) cmdResult {
	ps, ok := d.current()
	if !ok {
		return cmdResult{}
	}
	d.mu.Lock()
	insys, parked, call, args := ps.insys, ps.parked, ps.sysCall, ps.sysArgs
	d.mu.Unlock()
	if insys && !parked {
		d.printf("system call: %s(%s)\n", call, args)
	} else {
		d.printf("system call: none\n")
	}
	pending, current, notified := ps.p.Notes()
	if notified {
		d.printf("handling note: %q\n", current)
	}
	if len(pending) == 0 {
		d.printf("notes pending: none\n")
	}
	for _, n := range pending {
		d.printf("note pending: %q\n", n)
	}
	return cmdResult{}
}

func cmdPs(d *debugger, _, _ string) cmdResult {
	d.mu.Lock()
	procs := append([]*pstate(nil), d.procs...)
	cur := d.cur
	type row struct {
		ps    *pstate
		state string
	}
	var rows []row
	for _, ps := range procs {
		st := "running"
		switch {
		case ps.exited:
			st = fmt.Sprintf("exited %q", ps.status)
		case ps.parked:
			st = "stopped"
		case ps.insys:
			st = "in " + ps.sysCall
		}
		rows = append(rows, row{ps, st})
	}
	d.mu.Unlock()
	sort.Slice(rows, func(i, j int) bool { return rows[i].ps.pid < rows[j].ps.pid })
	for _, r := range rows {
		mark := " "
		if r.ps == cur {
			mark = "*"
		}
		pc := ""
		if r.state == "stopped" {
			pc = " at " + where(r.ps, r.ps.cpu.PC)
		}
		d.printf("%s%d\t%s\t%s%s\n", mark, r.ps.pid, r.ps.name, r.state, pc)
	}
	return cmdResult{}
}

func cmdProc(d *debugger, arg, _ string) cmdResult {
	pid, err := strconv.Atoi(arg)
	if err != nil {
		d.printf("usage: proc PID\n")
		return cmdResult{}
	}
	d.mu.Lock()
	var found *pstate
	for _, ps := range d.procs {
		if ps.pid == pid && !ps.exited {
			found = ps
		}
	}
	if found != nil {
		d.cur = found
	}
	d.mu.Unlock()
	if found == nil {
		d.printf("proc: no process %d\n", pid)
		return cmdResult{}
	}
	return cmdPC(d, "", "")
}

func cmdQuit(d *debugger, _, _ string) cmdResult { return cmdResult{quit: true} }
