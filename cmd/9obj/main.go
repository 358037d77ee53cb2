// Command 9obj looks inside a Plan 9 386 or amd64 a.out executable
// without running it.
//
// Usage:
//
//	9obj nm [-aghnsu] file ...
//	9obj size file ...
//	9obj disasm file [symbol ...]
//
// nm and size print exactly what Plan 9's nm(1) and size(1) print
// (9front's sys/src/cmd/nm.c and size.c, through libmach). disasm prints
// the text in Go (Plan 9) assembler syntax, one instruction a line as
//
//	ADDR	SYMBOL+OFF	FILE:LINE	INSTRUCTION
//
// with FILE:LINE from the a.out's pc/line table (8c/6c programs) or from
// the pclntab a Go program carries in its text segment.
//
// Errors are one line on standard error; the exit status is 0 on
// success, 1 when a file could not be read or is malformed, 2 for bad
// usage and 3 for an internal error (a bug in 9obj).
package main

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"strings"

	"9emu/aout"
)

func main() {
	// A bug in 9obj, not a user error, but still one line: the tests
	// (FuzzRun among them) call run directly and see the panic whole.
	defer func() {
		if r := recover(); r != nil {
			fmt.Fprintf(os.Stderr, "9obj: internal error: %v\n", r)
			os.Exit(3)
		}
	}()
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

const usage = `usage: 9obj nm [-aghnsu] file ...
       9obj size file ...
       9obj disasm file [symbol ...]`

// Exit statuses.
const (
	exitOK    = 0
	exitError = 1 // a file is missing, unreadable or malformed
	exitUsage = 2
)

// cmd is the state of one run: its output streams and exit status.
type cmd struct {
	out    *bufio.Writer
	stderr io.Writer
	status int
}

// errorf reports a problem with a file on standard error, after flushing
// what standard output holds so that the two stay in order.
func (c *cmd) errorf(format string, args ...any) {
	c.out.Flush()
	fmt.Fprintf(c.stderr, "9obj: "+format+"\n", args...)
	c.status = exitError
}

// usageErr reports bad usage: a reason, if any, then the usage text.
func (c *cmd) usageErr(format string, args ...any) int {
	c.out.Flush()
	if format != "" {
		fmt.Fprintf(c.stderr, "9obj: "+format+"\n", args...)
	}
	fmt.Fprintln(c.stderr, usage)
	return exitUsage
}

// run is the whole command; it returns the exit status.
func run(args []string, stdout, stderr io.Writer) int {
	c := &cmd{out: bufio.NewWriter(stdout), stderr: stderr}
	defer c.out.Flush()
	if len(args) == 0 {
		return c.usageErr("")
	}
	switch args[0] {
	case "nm":
		return c.nm(args[1:])
	case "size":
		return c.size(args[1:])
	case "disasm":
		return c.disasm(args[1:])
	case "-h", "-help", "--help", "help":
		fmt.Fprintln(c.out, usage)
		return exitOK
	}
	return c.usageErr("unknown command %q", args[0])
}

// open reads an a.out for inspection. Files are laid out at the
// addresses their linker used (aout.Options.Linked), so that 8l -T
// builds such as Go's debug/plan9obj testdata show their real symbol
// addresses; for ordinary executables that is exec's layout.
func open(name string) (*aout.File, error) {
	return aout.Options{Linked: true}.Open(name)
}

// flags parses Plan 9 style options (ARGBEGIN): single letters, which may
// be combined ("-ng"), up to the first argument that is not an option or
// up to "--". It returns the letters seen, the remaining arguments, and
// the first letter not in known (0 if none).
func flags(args []string, known string) (set map[byte]bool, rest []string, bad byte) {
	set = make(map[byte]bool)
	for len(args) > 0 {
		a := args[0]
		if a == "--" {
			args = args[1:]
			break
		}
		if len(a) < 2 || a[0] != '-' {
			break
		}
		for i := 1; i < len(a); i++ {
			if !strings.ContainsRune(known, rune(a[i])) {
				return set, nil, a[i]
			}
			set[a[i]] = true
		}
		args = args[1:]
	}
	return set, args, 0
}
