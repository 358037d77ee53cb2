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
	"path/filepath"
	"strconv"
	"strings"
	"syscall"

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

const usage = `usage: 9emu [-s] [-r root] [-E name=value] [-U name] [-profile kind] cmd [arg ...]`

// run is the whole command; it returns the exit status.
func run(argv []string, stdin io.Reader, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("9emu", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	root := fs.String("r", "", "host directory to use as the root of the name space")
	trace := fs.Bool("s", false, "trace system calls on standard error")
	prof := fs.String("profile", "", "profile the emulator: cpu, mem, block, mutex or trace")
	user := fs.String("u", "", "user name the program sees")
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
	if len(args) == 0 {
		fmt.Fprintln(stderr, usage)
		return 2
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

	cfg := sys9.Config{Stdin: stdin, Stdout: stdout, Stderr: stderr}
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
	}
	cfg.Dot = dotIn(cfg.Root)
	env := sys9.DefaultEnv(cfg.User, cfg.Sysname)
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
	if *trace {
		cfg.Trace = stderr
	}

	k, err := sys9.NewKernel(cfg)
	if err != nil {
		fmt.Fprintf(stderr, "9emu: %v\n", err)
		return 1
	}
	cmd := args[0]
	p, err := k.Start(cmd, args)
	if err != nil {
		fmt.Fprintf(stderr, "9emu: %s\n", startError(cmd, err))
		return 1
	}
	sigs := make(chan os.Signal, 4)
	signal.Notify(sigs, os.Interrupt, syscall.SIGHUP, syscall.SIGTERM)
	defer signal.Stop(sigs)
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
	return exitCode(status)
}

// exitCode maps a Plan 9 exit string to a host status: 0 for "", the
// number for a decimal 1..255 (Go's os.Exit(n) sends one), 1 otherwise.
func exitCode(status string) int {
	if status == "" {
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

// dotIn returns the host's current directory as a name-space path under
// root, or "/" when it lies outside.
func dotIn(root string) string {
	wd, err := os.Getwd()
	if err != nil {
		return "/"
	}
	if root == "" {
		return filepath.ToSlash(wd)
	}
	rel, err := filepath.Rel(root, wd)
	if err != nil || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
		return "/"
	}
	return "/" + filepath.ToSlash(rel)
}

func hostUser() string {
	for _, v := range []string{"USER", "USERNAME", "LOGNAME"} {
		if u := os.Getenv(v); u != "" {
			return u
		}
	}
	return "glenda"
}
