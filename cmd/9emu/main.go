// Command 9emu runs Plan 9 programs (386 and amd64 a.out executables,
// C or Go) as ordinary host programs.
//
// Usage:
//
//	9emu [flags] cmd [arg ...]
//
// See the README for the flags and the exit status.
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/pkg/profile"

	"9emu/aout"
	"9emu/sys9"
)

type listFlag []string

func (l *listFlag) String() string     { return strings.Join(*l, ",") }
func (l *listFlag) Set(s string) error { *l = append(*l, s); return nil }

func main() {
	os.Exit(run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}

const usage = `usage: 9emu [-i] [-r root] [-E name=value] [-U name] [-u user] [-maxprocs n] [-maxmem size]
            [-s[=file]] [-t[=loc]] [-tn n] [-tpid pid] [-tout file]
            [-d[=file]] [-crash] [-count] [-pprof file] [-pprofrate n] [-profile kind] [cmd [arg ...]]`

// optFlag is a flag that may be given alone (-s) or with a value (-s=file).
type optFlag struct {
	set bool
	val string
}

func (f *optFlag) String() string   { return f.val }
func (f *optFlag) IsBoolFlag() bool { return true }
func (f *optFlag) Set(s string) error {
	switch s {
	case "true":
		f.set, f.val = true, ""
	case "false":
		f.set, f.val = false, ""
	default:
		f.set, f.val = true, s
	}
	return nil
}

// run is the whole command; it returns the exit status.
func run(argv []string, stdin io.Reader, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("9emu", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	root := fs.String("r", "", "host directory to use as the root of the name space")
	var trace, itrace, debug optFlag
	fs.Var(&trace, "s", "trace system calls on standard error, or with -s=FILE into FILE")
	fs.Var(&itrace, "t", "trace instructions; -t=LOC starts at LOC (symbol, file:line or address)")
	tn := fs.Int64("tn", -1, "trace at most N instructions")
	tpid := fs.Int("tpid", 0, "trace only process PID")
	tout := fs.String("tout", "", "write the instruction trace to FILE instead of standard error")
	fs.Var(&debug, "d", "debug: commands from standard input, or with -d=FILE from FILE")
	crash := fs.Bool("crash", false, "when a trap kills a process, report its registers and stack")
	count := fs.Bool("count", false, "at exit, report instructions, system calls and memory")
	pprofFile := fs.String("pprof", "", "write a profile of the guest program to FILE (go tool pprof reads it)")
	pprofRate := fs.Int64("pprofrate", 10000, "-pprof samples every N guest instructions; 1 counts each one exactly")
	prof := fs.String("profile", "", "profile the emulator: cpu, mem, block, mutex or trace")
	user := fs.String("u", "", "user name the program sees")
	interactive := fs.Bool("i", false, "run the name space's /bin/rc interactively (the default with no command)")
	maxProcs := fs.Int("maxprocs", defaultMaxProcs, "the most processes that may live at once; rfork fails beyond")
	maxMem := sizeFlag{defaultMaxMem()}
	fs.Var(&maxMem, "maxmem", "the most growable memory (brk, segattach) of all processes together, e.g. 2G; brk fails beyond (default half the host's memory)")
	var setEnv, unsetEnv listFlag
	fs.Var(&setEnv, "E", "set NAME=VALUE in /env (repeatable)")
	fs.Var(&unsetEnv, "U", "remove NAME from /env (repeatable)")
	if err := fs.Parse(argv); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			fmt.Fprintln(stderr, usage)
			return 0
		}
		fmt.Fprintf(stderr, "9emu: %v\n%s\n", err, usage)
		return 2
	}
	args := fs.Args()
	shell := *interactive || len(args) == 0
	if shell {
		// As a Plan 9 terminal starts: the shell, interactive, with
		// whatever arguments follow.
		args = append([]string{"/bin/rc", "-i"}, args...)
	}
	switch *prof {
	case "":
	case "cpu":
		defer profile.Start(profile.CPUProfile, profile.ProfilePath("."), profile.Quiet).Stop()
	case "mem":
		defer profile.Start(profile.MemProfile, profile.ProfilePath("."), profile.Quiet).Stop()
	case "block":
		defer profile.Start(profile.BlockProfile, profile.ProfilePath("."), profile.Quiet).Stop()
	case "mutex":
		defer profile.Start(profile.MutexProfile, profile.ProfilePath("."), profile.Quiet).Stop()
	case "trace":
		defer profile.Start(profile.TraceProfile, profile.ProfilePath("."), profile.Quiet).Stop()
	default:
		fmt.Fprintf(stderr, "9emu: unknown profile kind %q (cpu, mem, block, mutex, trace)\n", *prof)
		return 2
	}

	if *pprofRate < 1 {
		fmt.Fprintf(stderr, "9emu: -pprofrate %d: want 1 or more\n%s\n", *pprofRate, usage)
		return 2
	}

	// The debugger reads its commands from standard input (the program
	// then gets none) or from a file.
	var cmdIn io.Reader
	echo := true
	guestIn := stdin
	if debug.set {
		if debug.val != "" {
			f, err := os.Open(debug.val)
			if err != nil {
				fmt.Fprintf(stderr, "9emu: %v\n", err)
				return 1
			}
			defer f.Close()
			cmdIn = f
		} else {
			cmdIn = stdin
			guestIn = strings.NewReader("")
			if f, ok := stdin.(*os.File); ok && isTerminal(f) {
				echo = false
			}
		}
	}

	cfg := sys9.Config{Stdin: guestIn, Stdout: stdout, Stderr: stderr, MaxProcs: *maxProcs, MaxMem: maxMem.n}
	if ht := newHostTerminal(guestIn); ht != nil {
		cfg.RawMode = ht.setRaw // /dev/consctl rawon, rawoff
		defer ht.restore()
	}
	cfg.User = *user
	if cfg.User == "" {
		cfg.User = hostUser()
	}
	cfg.Sysname, _ = os.Hostname()
	if *root != "" {
		abs, err := filepath.Abs(*root)
		if err != nil {
			fmt.Fprintf(stderr, "9emu: %v\n", err)
			return 1
		}
		if fi, err := os.Stat(abs); err != nil || !fi.IsDir() {
			fmt.Fprintf(stderr, "9emu: root %s: not a directory\n", *root)
			return 1
		}
		cfg.Root = abs
		cfg.Confine = true
		cfg.Term = filepath.VolumeName(abs) + string(filepath.Separator)
	}
	cfg.Dot = dotIn(cfg.Root, cfg.Term)
	env := sys9.DefaultEnv(cfg.User, cfg.Sysname, cfg.Root)
	for _, kv := range setEnv {
		if !strings.Contains(kv, "=") {
			fmt.Fprintf(stderr, "9emu: -E %s: want NAME=VALUE\n", kv)
			return 2
		}
		env = append(env, kv)
	}
	for _, name := range unsetEnv {
		var kept []string
		for _, kv := range env {
			if n, _, _ := strings.Cut(kv, "="); n != name {
				kept = append(kept, kv)
			}
		}
		env = kept
	}
	cfg.Env = env
	if trace.set {
		cfg.Trace = stderr
		if trace.val != "" {
			f, err := os.Create(trace.val)
			if err != nil {
				fmt.Fprintf(stderr, "9emu: %v\n", err)
				return 1
			}
			defer f.Close()
			cfg.Trace = &lockedWriter{w: f}
		}
	}

	k, err := sys9.NewKernel(cfg)
	if err != nil {
		fmt.Fprintf(stderr, "9emu: %v\n", err)
		return 1
	}
	var mon *monitor
	if itrace.set || debug.set || *crash || *count || *pprofFile != "" {
		mon = newMonitor(k, stderr)
		mon.crash = *crash || debug.set
		if itrace.set {
			w := stderr
			var c io.Closer
			if *tout != "" {
				f, err := os.Create(*tout)
				if err != nil {
					fmt.Fprintf(stderr, "9emu: %v\n", err)
					return 1
				}
				w, c = f, f
			}
			mon.itrace = newItracer(w, itrace.val, *tpid, *tn)
			mon.itrace.c = c
			defer mon.itrace.close()
		}
		if *count {
			mon.count = newCounter()
		}
		if *pprofFile != "" {
			mon.prof = newProfiler(*pprofFile, *pprofRate)
		}
		if debug.set {
			mon.dbg = newDebugger(mon, cmdIn, stdout, echo)
		}
		k.SetWatcher(mon, debug.set)
	}
	cmd := args[0]
	p, err := k.Start(cmd, args)
	if err != nil {
		fmt.Fprintf(stderr, "9emu: %s\n", startError(cmd, err))
		if shell {
			fmt.Fprintf(stderr, "9emu: name a command, or give -r a Plan 9 tree with rc in /386/bin, /amd64/bin or /rc/bin\n%s\n", usage)
		}
		return 1
	}
	sigs := make(chan os.Signal, 4)
	signal.Notify(sigs, os.Interrupt, syscall.SIGHUP, syscall.SIGTERM)
	defer signal.Stop(sigs)
	if mon != nil && mon.dbg != nil {
		// The terminal's interrupt key stops the program; the other
		// signals end it.
		stop := make(chan struct{})
		go func() {
			for {
				select {
				case s := <-sigs:
					if s == os.Interrupt {
						mon.dbg.interrupt()
						continue
					}
					mon.dbg.detach()
					k.Shutdown()
				case <-stop:
					return
				}
			}
		}()
		mon.dbg.session()
		close(stop)
	}
	for {
		select {
		case s := <-sigs:
			switch s {
			case os.Interrupt:
				k.Interrupt("interrupt")
			case syscall.SIGHUP:
				k.Interrupt("hangup")
			default:
				k.Shutdown()
				return 1
			}
			continue
		case <-p.Done():
		}
		break
	}
	status := p.Wait()
	k.Shutdown()
	if n, ok := p.NoteDeath(); ok {
		fmt.Fprintf(stderr, "%s\n", n)
	}
	if mon != nil {
		mon.end(stderr)
	}
	return exitCode(status)
}

// end finishes the monitor's work when the program is over: it lets the
// other processes end, then writes the profile and the counts.
func (m *monitor) end(stderr io.Writer) {
	if m.dbg != nil {
		m.dbg.detach()
	}
	m.finish(10 * time.Second)
	if m.itrace != nil {
		m.itrace.flush()
	}
	if m.prof != nil {
		if err := m.prof.write(); err != nil {
			fmt.Fprintf(stderr, "9emu: %v\n", err)
		}
	}
	if m.count != nil {
		m.count.report(stderr, m.all())
	}
}

// lockedWriter serialises writes to a file shared by several writers.
type lockedWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (l *lockedWriter) Write(b []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(b)
}

// exitCode maps a Plan 9 exit string to a host status: 0 for "", the
// number for a decimal 1..255 (Go's os.Exit(n) sends one), 1 otherwise.
//
// "main" is what libc's start-up code passes to exits when a C program's
// main returns instead of calling exits: the C idiom for success, so it
// exits 0 as it would from a C program on the host.
func exitCode(status string) int {
	if status == "" || status == "main" {
		return 0
	}
	if n, err := strconv.Atoi(status); err == nil && n >= 1 && n <= 255 {
		return n
	}
	return 1
}

// startError words a failure to start the command in one line.
func startError(cmd string, err error) string {
	var ae *aout.Error
	if errors.As(err, &ae) {
		return err.Error()
	}
	return fmt.Sprintf("%s: %v", cmd, err)
}

// dotIn returns the host's current directory as a name-space path: under
// root, else under /mnt/term where the host tree (from term) appears,
// else "/".
func dotIn(root, term string) string {
	wd, err := os.Getwd()
	if err != nil {
		return "/"
	}
	if root == "" {
		return filepath.ToSlash(wd)
	}
	if rel, ok := under(root, wd); ok {
		return path.Join("/", rel)
	}
	if rel, ok := under(term, wd); ok && term != "" {
		return path.Join("/mnt/term", rel)
	}
	return "/"
}

// under reports whether host path p lies in directory dir, and its name
// relative to dir with slashes.
func under(dir, p string) (string, bool) {
	rel, err := filepath.Rel(dir, p)
	if err != nil || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
		return "", false
	}
	return filepath.ToSlash(rel), true
}

func hostUser() string {
	for _, v := range []string{"USER", "USERNAME", "LOGNAME"} {
		if u := os.Getenv(v); u != "" {
			return u
		}
	}
	return "glenda"
}
