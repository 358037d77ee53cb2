package main

// Go's own standard-library tests as a peer's test suite: test binaries built
// with go test -c for plan9/386 and plan9/amd64 must print PASS under 9emu.

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"

	"9emu/cmd/internal/goexec"
)

// stdlibPackages are the packages whose tests run under 9emu: small ones,
// chosen for speed, that still cover strings, numbers, sorting, hashing, math
// and Examples (which the testing package runs through a pipe).
//
// Time for one test binary with -test.short, natively on Linux amd64 and,
// for a first measure, under an early 9emu on a busy 2-core machine (386 and
// amd64): unicode/utf8 0.01 s (15 s, 16 s), strings 0.07 s (14 s, 12 s),
// strconv 0.11 s (67 s, 54 s), sort 0.03 s (10 s, 8 s), bytes 0.26 s (21 s,
// 29 s), math 0.01 s (2 s, 1 s), math/bits 0.04 s (2 s, 2 s), unicode
// 0.02 s (3 s, 2 s), hash/crc32 0.04 s (1 s, 2 s), container/list 0.03 s
// (9 s, 2 s). About 270 s in all, so under 3 minutes on 2 cores.
// Left out for time: fmt (21 s, 12 s; the compute guest covers it), bufio
// (17 s, 12 s), regexp (1.9 s natively), sync/atomic (2 s natively),
// math/big (6 s of CPU natively).
var stdlibPackages = []string{
	"unicode/utf8", "strings", "strconv", "sort", "bytes",
	"math", "math/bits", "unicode", "hash/crc32", "container/list",
	"os", "os/exec", "path/filepath", "io/fs", "syscall",
}

// stdlibShortPackages run in short mode: one per architecture.
var stdlibShortPackages = []string{"unicode/utf8"}

// The last five are the processes and files of Plan 9 (fork, exec, wait,
// pipes, notes, name spaces, Dir encodings) as Go's own tests see them.
// Under 9emu, with -test.short, at f69abe6: os/exec 2.3 s and 2.0 s
// (amd64, 386), path/filepath 0.5 s, io/fs 8.7 s and 15.1 s, syscall
// 0.4 s and 0.6 s; the whole of TestStdlib 89 s on 2 cores.
//
// stdlibTreePackages need the files of a Plan 9 system, so they run with
// a Plan 9 tree as the root (9emu -r; see plan9Tree), the test binary and
// the package's directory named under /mnt/term. os reads /lib/ndb, runs
// /bin/pwd and changes to /usr. Measured at 6042151: os 30 s on amd64 and
// 45 s on 386 (-test.short), natively 1.4 s.
var stdlibTreePackages = map[string]bool{"os": true}

// stdlibSkip names, per package, tests known to need what 9emu does not
// provide yet, as a -test.skip pattern. Each entry needs a comment saying
// what is missing. None are known so far.
var stdlibSkip = map[string]string{}

// stdlibBuilds builds the test binaries for one architecture with a single
// go command, on first use. The keys are the entries of arches.
var stdlibBuilds = map[string]func() (string, error){
	"386":   sync.OnceValues(func() (string, error) { return buildStdlibTests("386") }),
	"amd64": sync.OnceValues(func() (string, error) { return buildStdlibTests("amd64") }),
}

func stdlibList() []string {
	if testing.Short() {
		return stdlibShortPackages
	}
	return stdlibPackages
}

// buildStdlibTests builds PKG.test (named after the last element of the
// import path) for every package of stdlibList into one directory.
func buildStdlibTests(arch string) (string, error) {
	g, err := findGo()
	if err != nil {
		return "", err
	}
	dir := filepath.Join(workDir, "stdlib-plan9-"+arch)
	args := append([]string{"test", "-c", "-o", dir + string(filepath.Separator)}, stdlibList()...)
	return dir, goRun(g, buildEnv("plan9", arch), args...)
}

var passLine = regexp.MustCompile(`(?m)^PASS$`)

func TestStdlib(t *testing.T) {
	t.Parallel()
	g := needGo(t)
	pkgs := stdlibList()
	bases := map[string]bool{}
	for _, pkg := range pkgs {
		base := filepath.Base(pkg)
		if bases[base] {
			t.Fatalf("two packages in the list are named %s: their test binaries would collide", base)
		}
		bases[base] = true
	}
	for _, arch := range arches {
		t.Run(arch, func(t *testing.T) {
			t.Parallel()
			for _, pkg := range pkgs {
				t.Run(pkg, func(t *testing.T) {
					t.Parallel()
					emulator(t) // report a broken 9emu before a long build
					dir, err := stdlibBuilds[arch]()
					if err != nil {
						t.Fatalf("building the test binaries failed:\n%v", err)
					}
					args := []string{"-test.short", "-test.v=false"}
					if skip, ok := stdlibSkip[pkg]; ok {
						args = append(args, "-test.skip="+skip)
					}
					e := emu{
						cmd:   filepath.Join(dir, filepath.Base(pkg)+".test"),
						args:  args,
						dir:   filepath.Join(g.goroot, "src", filepath.FromSlash(pkg)), // for testdata
						limit: *stdlibTimeout,
					}
					if stdlibTreePackages[pkg] {
						e.flags = []string{"-r", plan9Tree(t, arch)}
						e.cmd = underTerm(t, e.cmd)
					}
					out, errOut, code := e.run(t)
					if code != 0 || !passLine.MatchString(out) {
						t.Errorf("%s tests: exit status %d, want 0 and PASS\nstdout:\n%s\nstderr:\n%s",
							pkg, code, clip(lastLines(out, 60)), clip(errOut))
					}
				})
			}
		})
	}
}

// lastLines returns at most the last n lines of s.
func lastLines(s string, n int) string {
	lines := strings.SplitAfter(s, "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "")
}

// plan9Tree makes a small Plan 9 tree for tests that need a Plan 9
// system's files: /lib/ndb/common and /lib/ndb/local (a few lines of
// their usual kind), /usr, and pwd (the pwd guest for arch) in /rc/bin,
// which is in /bin for programs of either architecture.
func plan9Tree(t *testing.T, arch string) string {
	t.Helper()
	root := tempDir(t)
	files := map[string]string{
		"lib/ndb/common": "tcp=echo port=7\ntcp=discard port=9\ntcp=9fs port=564\nudp=dns port=53\n",
		"lib/ndb/local":  "database=\n\tfile=/lib/ndb/local\n\tfile=/lib/ndb/common\n",
	}
	for name, s := range files {
		p := filepath.Join(root, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(s), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	for _, d := range []string{"usr", "rc/bin"} {
		if err := os.MkdirAll(filepath.Join(root, filepath.FromSlash(d)), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	data, err := os.ReadFile(guest(t, arch, "pwd"))
	if err != nil {
		t.Fatal(err)
	}
	writeExecutable(t, filepath.Join(root, "rc", "bin"), "pwd", data)
	return root
}

// underTerm returns the name of host path p under /mnt/term, where a
// name space confined to a tree (9emu -r) has the host's tree.
func underTerm(t *testing.T, p string) string {
	t.Helper()
	abs, err := filepath.Abs(p)
	if err != nil {
		t.Fatal(err)
	}
	return goexec.UnderTerm(abs)
}
