package sys9

import (
	"bytes"
	"encoding/binary"
	"strings"
	"testing"
	"time"

	"9emu/aout"
)

// fuzzNames are the file names a fuzzed pointer argument may point at.
var fuzzNames = []string{"/f", "/d", "/d/g", "/bin/hello", "/dev/null", "/dev/cons", "/env/x", "/proc/1/note",
	"/proc/1/ctl", "#|", "#|/data", "#d/0", "#s", "/srv/s", "/", "..", "", "#c/pid", "/dev/bintime", "#e",
	"/fd/1", "/nope", "#Z", "\xff\xfe", "a\x01b", "shared", "memory", "/proc/1/status", "/bin/script", "kill"}

// plan9Errors are the error strings a system call may leave: Plan 9's,
// spelled as in errstr.go, and what host errors map to.
var plan9Errors = map[string]bool{}

func init() {
	for _, e := range []Error{Enonexist, Eexist, Eperm, Enotdir, Eisdir, Ebadarg, Ebadfd, Ebadusefd, Enofd,
		Einuse, Eio, Etoobig, Etoosmall, Ehungup, Eintr, Enochild, Eprocdied, Enovmem, Enomem, Esoverlap,
		Ebadexec, Eisstream, Enegoff, Edirseek, Eshort, Eshortstat, Ebadstat, Etoolong, Ebadchar, Efilename,
		Ebadsharp, Enocreate, Eismtpt, Eunmount, Emount, Eunion, Eshutdown, Enoattach, Ebadctl, Egreg,
		Enoreg, Enotempty, Enoproc, Enoteposted, Ebadsys, Eoldwstat, Enotimpl} {
		plan9Errors[string(e)] = true
	}
	plan9Errors["file system full"] = true
	plan9Errors["read-only file system"] = true
}

// plan9Notes are the notes a system call may post.
var plan9Notes = map[string]bool{
	"sys: bad address in syscall": true, "sys: bad sys call": true, "sys: write on closed pipe": true,
	"interrupt": true, "sys: killed": true, "alarm": true,
}

// callsWithErrstr are the calls whose -1 result always comes with an
// error string.
var callsWithErrstr = map[int]bool{2: true, 3: true, 4: true, 5: true, 14: true, 21: true, 22: true, 23: true,
	25: true, 39: true, 42: true, 43: true, 44: true, 45: true, 47: true, 50: true, 51: true}

type fuzzReader struct{ b []byte }

func (r *fuzzReader) byte() byte {
	if len(r.b) == 0 {
		return 0
	}
	c := r.b[0]
	r.b = r.b[1:]
	return c
}

func (r *fuzzReader) u64() uint64 {
	var b [8]byte
	for i := range b {
		b[i] = r.byte()
	}
	return binary.LittleEndian.Uint64(b[:])
}

// fuzzArg makes one argument: a small number, a pointer into the scratch
// window, a file name, an unmapped, read-only or edge-of-bss address,
// or a raw word. Short encodings keep short inputs meaningful.
func fuzzArg(tp *tproc, names []uint64, r *fuzzReader) uint64 {
	sel := r.byte()
	switch sel % 8 {
	case 0, 1:
		return uint64(int64(r.byte()%80) - 8)
	case 2:
		return tp.scratch + uint64(r.byte())<<8 | uint64(r.byte())
	case 3:
		return names[int(r.byte())%len(names)]
	case 4:
		return tp.unmapped() + uint64(r.byte())
	case 5:
		return tp.textAddr() + uint64(r.byte())
	case 6:
		_, top := tp.p.bss.Bounds()
		return uint64(top) - uint64(r.byte()%64)
	}
	return r.u64()
}

func fuzzSetup(tp *tproc) {
	tp.hostFile("f", "0123456789", 0644)
	tp.hostFile("d/g", "x", 0644)
	tp.hostFile("bin/hello", string(helloImage(tp.arch)), 0755)
	tp.hostFile("bin/script", "#!/bin/hello a\n", 0755)
}

// FuzzSyscall makes up to four system calls with fuzzed numbers and
// arguments against a fresh process: no Go panic, no hang, and only
// Plan 9 error strings and notes.
func FuzzSyscall(f *testing.F) {
	// Seeds: arch, fill length (0), then calls: number and arguments
	// (selector byte and value bytes, as fuzzArg reads them).
	num := func(v int) []byte { return []byte{0, byte(v + 8)} }
	name := func(i int) []byte { return []byte{3, byte(i)} }
	scr := func(o int) []byte { return []byte{2, byte(o >> 8), byte(o)} }
	raw := func(v uint64) []byte { return append([]byte{7}, le64(v)...) }
	bad := []byte{4, 0}
	call := func(n byte, args ...[]byte) []byte { return append([]byte{n}, bytes.Join(args, nil)...) }
	for _, arch := range []byte{0, 1} {
		for _, calls := range [][][]byte{
			{call(14, name(0), num(0))},
			{call(14, name(0), num(2)), call(50, num(3), scr(0), num(10), raw(^uint64(0)))},
			{call(21, scr(0)), call(51, num(4), scr(8), num(4), raw(^uint64(0))), call(50, num(3), scr(16), num(4), num(0))},
			{call(7, name(3), scr(0))},
			{call(44, name(0), scr(0), num(60))},
			{call(22, name(6), num(1), num(0))},
			{call(39, scr(0), num(0), num(0), num(2))},
			{call(19, raw(RFPROC|RFMEM))},
			{call(17, raw(1000))},
			{call(41, bad, num(120))},
			{call(34, num(1), num(2))},
			{call(30, num(0), name(25), num(0), raw(4096))},
			{call(2, name(1), name(14), num(1)), call(50, num(3), scr(0), num(10), num(0))},
			{call(28, raw(0x1020)), call(29, num(0))},
			{call(22, name(16), num(1), num(0))}, // create("")
		} {
			f.Add(append([]byte{arch, 0}, bytes.Join(calls, nil)...))
		}
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) == 0 {
			return
		}
		arch := aout.Arch386
		if data[0]&1 != 0 {
			arch = aout.ArchAMD64
		}
		r := &fuzzReader{b: data[1:]}
		tp := newTP(t, arch, tpOpts{})
		fuzzSetup(tp)
		// A length byte, then that many bytes for the scratch window.
		fill := make([]byte, r.byte())
		for i := range fill {
			fill[i] = r.byte()
		}
		tp.put(tp.scratch, fill)
		// The names are written before any call: brk_ or segdetach may
		// take the memory away later.
		var names []uint64
		for _, n := range fuzzNames {
			names = append(names, tp.str(n))
		}
		for i := 0; i < 4 && len(r.b) > 0; i++ {
			nb := r.byte()
			n := int(nb % 56)
			if nb >= 250 {
				n = []int{-1, 1000, 1 << 30, -1 << 31, 48, 49}[nb-250]
			}
			nargs := 6
			if n >= 0 && n < len(systab) && systab[n].fn != nil {
				nargs = len(systab[n].kinds)
			}
			var args []any
			for j := 0; j < nargs; j++ {
				args = append(args, fuzzArg(tp, names, r))
			}
			if tp.p.killed.Load() {
				return
			}
			res, ok := boundedCall(t, tp, n, args)
			if !ok || res.ret == -999 { // the process ended, or a panic was reported
				return
			}
			if callsWithErrstr[n] && res.ret == -1 && res.err == "" && len(res.notes) == 0 {
				t.Errorf("%s%v = -1 with no error string", sysName(n), args)
			}
			// errstr and _errstr set the string to anything the caller likes.
			if res.err != "" && !plan9Errors[res.err] && n != 1 && n != 41 {
				t.Errorf("%s%v: error string %q is not a Plan 9 one", sysName(n), args, res.err)
			}
			for _, nt := range res.notes {
				if !plan9Notes[nt] {
					t.Errorf("%s%v posted note %q", sysName(n), args, nt)
				}
			}
			if s := tp.errw.String(); strings.Contains(s, "internal error") {
				t.Errorf("%s%v: %s", sysName(n), args, s)
			}
		}
	})
}

// boundedCall makes the call, interrupting it with a note if it blocks
// (sleep, semacquire, rendezvous, a pipe read) and failing the test if
// it does not return even then. It reports false if the process ended.
func boundedCall(t *testing.T, tp *tproc, n int, args []any) (callResult, bool) {
	done := make(chan callResult, 1)
	go func() { done <- tp.call(n, args...) }()
	select {
	case r := <-done:
		return r, !tp.p.killed.Load()
	case <-time.After(20 * time.Millisecond):
	}
	// Still in the call: a note must interrupt it.
	tp.p.postnote("interrupt", noteUser, false)
	select {
	case r := <-done:
		return r, !tp.p.killed.Load()
	case <-time.After(20 * time.Second):
		t.Fatalf("%s%v hangs even after a note", sysName(n), args)
	}
	return callResult{}, false
}
