package sys9

import (
	"fmt"
	"io"
	"strings"
	"sync"
)

// tracer writes the system-call trace (-s): one line per call with pid,
// process name, call, decoded arguments, result and the error string on
// failure. The formatting is driven by each sysent's show string:
//
//	d decimal   f fd   x hex   P pointer   v vlong   s string   S exit string
//	o open mode   M create perm   r rfork flags   m bind flags
//	b data written (excerpt)   A argv   D stat buffer
type tracer struct {
	mu sync.Mutex
	w  io.Writer
}

type traceBuf struct {
	args string
}

func (p *Proc) trace(n int, e *sysent, a *args, ret uint64, err error) {
	t := p.k.trace
	if t == nil {
		return
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	fmt.Fprintf(t.w, "%d %s: sys%d(...) = -1 '%v'\n", p.pid, p.text, n, err)
}

func (p *Proc) traceArgs(e *sysent, a *args) *traceBuf {
	var parts []string
	for i := 0; i < len(e.show); i++ {
		parts = append(parts, p.showArg(e.show[i], a, i))
	}
	return &traceBuf{args: strings.Join(parts, ", ")}
}

func (p *Proc) traceEnd(tb *traceBuf, e *sysent, a *args, ret uint64, err error) {
	t := p.k.trace
	t.mu.Lock()
	defer t.mu.Unlock()
	if err == errNoReturn {
		err = nil
	}
	r := fmt.Sprint(int64(ret))
	if p.abi.w == 4 {
		r = fmt.Sprint(int32(ret))
	}
	if strings.ContainsAny(e.show, "") && (e.name == "rendezvous" || e.name == "segattach" || e.name == "brk_" && ret != 0) {
		r = fmt.Sprintf("%#x", ret)
	}
	if err != nil {
		fmt.Fprintf(t.w, "%d %s: %s(%s) = %s '%v'\n", p.pid, p.text, e.name, tb.args, r, err)
		return
	}
	fmt.Fprintf(t.w, "%d %s: %s(%s) = %s\n", p.pid, p.text, e.name, tb.args, r)
}

func (p *Proc) traceFork(child *Proc) {}

func (p *Proc) showArg(k byte, a *args, i int) string {
	switch k {
	case 'd', 'f':
		return fmt.Sprint(a.int(i))
	case 'x':
		return fmt.Sprintf("%#x", a.uint(i))
	case 'P':
		return fmt.Sprintf("%#x", a.ptr(i))
	case 'v':
		return fmt.Sprint(a.vlong(i))
	case 's', 'S':
		if a.ptr(i) == 0 {
			return "nil"
		}
		s, ok, err := p.cpu.ReadString(a.ptr(i), 64)
		if err != nil {
			return fmt.Sprintf("%#x", a.ptr(i))
		}
		q := fmt.Sprintf("%q", s)
		if !ok {
			q += "..."
		}
		return q
	case 'o':
		return openModeString(int(a.uint(i)))
	case 'M':
		return fmt.Sprintf("%#o", a.uint(i))
	case 'r':
		return rforkString(int(a.uint(i)))
	case 'm':
		return fmt.Sprint(a.int(i))
	case 'b':
		n := int(a.int(i + 1))
		if n < 0 {
			n = 0
		}
		if n > 32 {
			n = 32
		}
		b := make([]byte, n)
		if p.cpu.ReadGuest(b, a.ptr(i)) != nil {
			return fmt.Sprintf("%#x", a.ptr(i))
		}
		q := fmt.Sprintf("%q", b)
		if int(a.int(i+1)) > n {
			q += "..."
		}
		return q
	}
	return fmt.Sprintf("%#x", a.ptr(i))
}

func openModeString(m int) string {
	s := []string{"OREAD", "OWRITE", "ORDWR", "OEXEC"}[m&3]
	for _, f := range []struct {
		bit  int
		name string
	}{{OTRUNC, "OTRUNC"}, {OCEXEC, "OCEXEC"}, {ORCLOSE, "ORCLOSE"}, {OEXCL, "OEXCL"}} {
		if m&f.bit != 0 {
			s += "|" + f.name
		}
	}
	return s
}

func rforkString(f int) string {
	var s []string
	for _, x := range []struct {
		bit  int
		name string
	}{{RFNAMEG, "RFNAMEG"}, {RFENVG, "RFENVG"}, {RFFDG, "RFFDG"}, {RFNOTEG, "RFNOTEG"},
		{RFPROC, "RFPROC"}, {RFMEM, "RFMEM"}, {RFNOWAIT, "RFNOWAIT"}, {RFCNAMEG, "RFCNAMEG"},
		{RFCENVG, "RFCENVG"}, {RFCFDG, "RFCFDG"}, {RFREND, "RFREND"}, {RFNOMNT, "RFNOMNT"}} {
		if f&x.bit != 0 {
			s = append(s, x.name)
		}
	}
	if len(s) == 0 {
		return "0"
	}
	return strings.Join(s, "|")
}
