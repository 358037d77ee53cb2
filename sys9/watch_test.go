package sys9

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"9emu/cpu"
)

// recorder is a Watcher that runs each process one instruction at a time
// and writes down what it is told.
type recorder struct {
	k      *Kernel
	mu     sync.Mutex
	events []string
	steps  map[int]int
	pages  int
	listed bool // the process was in Procs when it started
}

func (r *recorder) Run(p *Proc) cpu.Exit {
	for {
		e := p.CPU().Step()
		r.mu.Lock()
		r.steps[p.Pid()]++
		r.mu.Unlock()
		if e != cpu.ExitLimit {
			return e
		}
	}
}

func (r *recorder) Event(ev *Event) {
	s := fmt.Sprintf("%d %s %s", ev.Proc.Pid(), ev.Proc.Name(), ev.Kind)
	switch ev.Kind {
	case EvStart:
		if l := r.k.Procs(); len(l) == 1 && l[0] == ev.Proc {
			r.mu.Lock()
			r.listed = true
			r.mu.Unlock()
		}
	case EvSyscall:
		s += " " + ev.Call + "(" + ev.Args + ")"
	case EvSysret:
		s += " " + ev.Call + " = " + ev.Ret
		if ev.Err != "" {
			s += " '" + ev.Err + "'"
		}
	case EvExec:
		s += " " + ev.Args
	case EvNote:
		s += fmt.Sprintf(" %q fatal=%v trap=%v", ev.Note, ev.Fatal, ev.Trap)
	case EvExit:
		s += fmt.Sprintf(" %q", ev.Status)
		if pages, size := ev.Proc.MemUse(); pages > 0 && size > 0 {
			r.mu.Lock()
			r.pages = pages
			r.mu.Unlock()
		}
	}
	r.mu.Lock()
	r.events = append(r.events, s)
	r.mu.Unlock()
}

// runWatched runs a program as runProg does, under r (or w, which wraps
// it).
func runWatched(t *testing.T, a *asm, r *recorder, w Watcher, args bool) *Proc {
	t.Helper()
	root := t.TempDir()
	if err := os.WriteFile(filepath.Join(root, "t"), a.image(), 0o755); err != nil {
		t.Fatal(err)
	}
	k, err := NewKernel(Config{Root: root, Now: func() time.Time { return fixedNow }})
	if err != nil {
		t.Fatal(err)
	}
	r.k = k
	if w == nil {
		w = r
	}
	k.SetWatcher(w, args)
	t.Cleanup(k.Shutdown)
	p, err := k.Start("/t", []string{"t"})
	if err != nil {
		t.Fatal(err)
	}
	waitDone(t, k, p.Done())
	return p
}

// A Watcher runs the processes and hears of every system call, the start
// and the end; with args, it gets the calls decoded as -s shows them.
func TestWatcherEvents(t *testing.T) {
	for _, arch := range arches {
		for _, args := range []bool{true, false} {
			t.Run(fmt.Sprintf("%v/args=%v", arch, args), func(t *testing.T) {
				a := newAsm(arch)
				a.sys(14, a.str("/nope"), OREAD)
				a.sys(17, 0)
				a.exits("done")
				r := &recorder{steps: map[int]int{}}
				p := runWatched(t, a, r, nil, args)
				if p.Wait() != "done" {
					t.Fatalf("exit %q", p.Wait())
				}
				want := []string{"1 t start",
					`1 t syscall open("/nope", OREAD)`, `1 t sysret open = -1 'file does not exist'`,
					"1 t syscall sleep(0)", "1 t sysret sleep = 0",
					`1 t syscall exits("done")`, `1 t exit "done"`}
				if !args {
					want = []string{"1 t start", "1 t syscall open()", "1 t sysret open =  'file does not exist'",
						"1 t syscall sleep()", "1 t sysret sleep = ", "1 t syscall exits()", `1 t exit "done"`}
				}
				if got := strings.Join(r.events, "\n"); got != strings.Join(want, "\n") {
					t.Errorf("events:\n%s\nwant:\n%s", got, strings.Join(want, "\n"))
				}
				if r.steps[1] == 0 || r.pages == 0 || !r.listed {
					t.Errorf("steps %v, pages at exit %d, in Procs at its start %v", r.steps, r.pages, r.listed)
				}
			})
		}
	}
}

// A fault with no handler: the Watcher hears of the fatal note while the
// registers are still those of the fault.
func TestWatcherTrap(t *testing.T) {
	for _, arch := range arches {
		t.Run(arch.String(), func(t *testing.T) {
			a := newAsm(arch)
			a.emit(0xC7, 0x04, 0x25, 0, 0, 0, 0, 42, 0, 0, 0) // MOVL $42, 0
			r := &recorder{steps: map[int]int{}}
			runWatched(t, a, r, &trapCheck{recorder: r, pc: a.textStart()}, true)
			want := fmt.Sprintf(`1 t note "sys: trap: fault write addr=0x0 pc=%#x" fatal=true trap=true`, a.textStart())
			if !strings.Contains(strings.Join(r.events, "\n"), want) {
				t.Errorf("events:\n%s\nwant a line %s", strings.Join(r.events, "\n"), want)
			}
		})
	}
}

// trapCheck checks that the PC is the fault's at the fatal note.
type trapCheck struct {
	*recorder
	pc uint64
}

func (c *trapCheck) Event(ev *Event) {
	if ev.Kind == EvNote && ev.Fatal && ev.Proc.CPU().PC != c.pc {
		ev.Note += fmt.Sprintf(" (PC %#x)", ev.Proc.CPU().PC)
	}
	c.recorder.Event(ev)
}
