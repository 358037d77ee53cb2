package sys9

import (
	"bytes"
	"fmt"
	"strings"
	"testing"

	"9emu/aout"
)

// A sysCase is one row of a per-system-call table, in the style of
// wazero's WASI tests: set up a process on a fresh name space (over a new
// host directory), fill the scratch window with '?', make the call, then
// compare the result, the error string, the notes posted, the exact
// window and the trace line.
type sysCase struct {
	name  string
	setup func(tp *tproc)       // optional: files, open fds
	call  func(tp *tproc) []any // the system call's arguments
	ret   int64
	err   string // expected errstr; "" for success
	win   []byte // the window after the call; nil: untouched ('?')
	// winFn computes win when it depends on the process (addresses, pids).
	winFn func(tp *tproc) []byte
	notes []string // notes the call posts
	trace string   // expected trace line after "pid name: ", with {buf} for the window address; "" not checked
	check func(t *testing.T, tp *tproc, r callResult)
	skip  func(arch aout.Arch) string // a reason to skip on this arch, or ""
	// errstr0 is the error string before the call (a successful call
	// leaves it as it is); cleared says the call leaves it empty.
	errstr0 string
	cleared bool
	// anyRet skips the checks of the result and the window, for rows
	// whose check function looks at them.
	anyRet bool
	// noWin skips the window check, for rows that unmap it.
	noWin bool
}

// Placeholders for arguments that depend on the process.
type (
	sarg  string   // a pointer to this NUL-terminated string
	buf   int      // a pointer into the scratch window at this offset
	badp  struct{} // a pointer to unmapped memory
	textp struct{} // a pointer into the read-only text segment
)

func (tp *tproc) resolve(v []any) []any {
	out := make([]any, len(v))
	for i, x := range v {
		switch x := x.(type) {
		case sarg:
			out[i] = tp.str(string(x))
		case buf:
			out[i] = tp.scratch + uint64(x)
		case badp:
			out[i] = tp.unmapped()
		case textp:
			out[i] = tp.textAddr()
		default:
			out[i] = x
		}
	}
	return out
}

// runCases runs the rows for system call n on both architectures.
func runCases(t *testing.T, n int, fixture func(tp *tproc), rows []sysCase) {
	t.Helper()
	for _, arch := range arches {
		for _, c := range rows {
			t.Run(arch.String()+"/"+c.name, func(t *testing.T) {
				if c.skip != nil {
					if why := c.skip(arch); why != "" {
						t.Skip(why)
					}
				}
				tp := newTP(t, arch, tpOpts{})
				if fixture != nil {
					fixture(tp)
				}
				if c.setup != nil {
					c.setup(tp)
				}
				tp.fill()
				args := tp.resolve(c.call(tp))
				tp.p.errstr = c.errstr0
				tp.keepErr = true
				r := tp.call(n, args...)
				tp.keepErr = false
				wantErr := c.err
				if wantErr == "" && !c.cleared {
					wantErr = c.errstr0
				}
				if !c.anyRet && r.ret != c.ret || r.err != wantErr {
					t.Errorf("%s = %d %q, want %d %q", sysName(n), r.ret, r.err, c.ret, wantErr)
				}
				if fmt.Sprint(r.notes) != fmt.Sprint(c.notes) {
					t.Errorf("notes %q, want %q", r.notes, c.notes)
				}
				w := c.win
				if c.winFn != nil {
					w = c.winFn(tp)
				}
				if c.anyRet || c.noWin {
					// not checked
				} else if got := tp.window(); !bytes.Equal(got, want(w)) {
					t.Errorf("window\n got %q\nwant %q", got, want(w))
				}
				if !r.regsOK && r.ret != -999 {
					t.Errorf("registers other than the result changed")
				}
				if c.trace != "" {
					wt := fmt.Sprintf("%d t: %s\n", tp.p.pid, strings.NewReplacer("{buf}", fmt.Sprintf("%#x", tp.scratch),
						"{buf+1024}", fmt.Sprintf("%#x", tp.scratch+1024)).Replace(c.trace))
					if r.trace != wt {
						t.Errorf("trace\n got %q\nwant %q", r.trace, wt)
					}
				}
				if c.check != nil {
					c.check(t, tp, r)
				}
			})
		}
	}
}

// consts is shorthand for a row whose arguments are constants.
func consts(v ...any) func(*tproc) []any { return func(*tproc) []any { return v } }

func sysName(n int) string {
	if n >= 0 && n < len(systab) && systab[n].name != "" {
		return systab[n].name
	}
	return fmt.Sprintf("sys%d", n)
}

// le16, le32 and le64 encode little-endian words for expected windows.
func le16(v uint16) []byte { return []byte{byte(v), byte(v >> 8)} }
func le32(v uint32) []byte { return []byte{byte(v), byte(v >> 8), byte(v >> 16), byte(v >> 24)} }
func le64(v uint64) []byte { return append(le32(uint32(v)), le32(uint32(v>>32))...) }

func cat(b ...[]byte) []byte { return bytes.Join(b, nil) }

const badAddrNote = "sys: bad address in syscall"
