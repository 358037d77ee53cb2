package main

import (
	"bytes"
	"cmp"
	"debug/plan9obj"
	"fmt"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
)

// run9obj runs the command in-process.
func run9obj(args ...string) (stdout, stderr string, status int) {
	var o, e bytes.Buffer
	status = run(args, &o, &e)
	return o.String(), e.String(), status
}

var goroot = sync.OnceValues(func() (string, error) {
	out, err := exec.Command("go", "env", "GOROOT").Output()
	if err != nil {
		return "", err
	}
	return strings.TrimSpace(string(out)), nil
})

// testdata returns the path of one of the 8c/6c "hello, world" programs
// in Go's debug/plan9obj testdata, skipping without a Go installation.
func testdata(t *testing.T, name string) string {
	t.Helper()
	root, err := goroot()
	if err != nil {
		t.Skipf("no Go installation (go env GOROOT: %v)", err)
	}
	p := filepath.Join(root, "src", "debug", "plan9obj", "testdata", name)
	if _, err := os.Stat(p); err != nil {
		t.Skipf("GOROOT has no plan9obj testdata: %v", err)
	}
	return p
}

var cFiles = []string{"386-plan9-exec", "amd64-plan9-exec"}

// wantNM computes nm's output for one file with debug/plan9obj as the
// reader, following nm.c's rules written out plainly: opts is a subset
// of "agnsu".
func wantNM(t *testing.T, name, opts, prefix string) string {
	t.Helper()
	pf, err := plan9obj.Open(name)
	if err != nil {
		t.Fatal(err)
	}
	defer pf.Close()
	syms, err := pf.Symbols()
	if err != nil {
		t.Fatal(err)
	}
	has := func(c byte) bool { return strings.IndexByte(opts, c) >= 0 }
	type row struct {
		value uint64
		typ   rune
		name  string
		key   string
	}
	var rows []row
	for _, s := range syms {
		hidden := !has('a') && (strings.HasPrefix(s.Name, ".") || strings.HasPrefix(s.Name, "$"))
		var keep bool
		switch s.Type {
		case 'T', 'L', 'D', 'B':
			keep = !has('u') && !hidden
		case 't', 'l', 'd', 'b':
			keep = !has('u') && !has('g') && !hidden
		case 'Z':
			keep = has('a')
		default:
			keep = has('a') && !has('u') && !has('g')
		}
		if !keep {
			continue
		}
		r := row{s.Value, s.Type, s.Name, s.Name}
		switch s.Type {
		case 'z':
			if len(r.name) > 1 {
				r.name = path.Clean(r.name)
			}
			r.key = ""
		case 'Z':
			r.name, r.key = "", ""
		}
		rows = append(rows, r)
	}
	switch {
	case has('s'):
	case has('n'):
		slices.SortStableFunc(rows, func(a, b row) int { return cmp.Compare(a.value, b.value) })
	default:
		slices.SortStableFunc(rows, func(a, b row) int { return strings.Compare(a.key, b.key) })
	}
	wid := 0
	for _, r := range rows {
		if r.value != 0 && wid == 0 {
			wid = 8
		} else if r.value >= 1<<32 && wid == 8 {
			wid = 16
		}
	}
	var b strings.Builder
	for _, r := range rows {
		v := ""
		if r.value != 0 || r.typ == 'a' || r.typ == 'p' {
			v = strconv.FormatUint(r.value, 16)
		}
		fmt.Fprintf(&b, "%s%*s %c %s\n", prefix, wid, v, r.typ, r.name)
	}
	return b.String()
}

func TestNM(t *testing.T) {
	for _, file := range cFiles {
		name := testdata(t, file)
		for _, opts := range []string{"", "n", "s", "a", "an", "as", "g", "gn", "u"} {
			t.Run(file+"/-"+opts, func(t *testing.T) {
				args := []string{"nm"}
				if opts != "" {
					args = append(args, "-"+opts)
				}
				out, errs, st := run9obj(append(args, name)...)
				if st != 0 || errs != "" {
					t.Fatalf("status %d, stderr %q", st, errs)
				}
				if want := wantNM(t, name, opts, ""); out != want {
					t.Errorf("got\n%s\nwant\n%s", head(out, 40), head(want, 40))
				}
			})
		}
	}
}

// A few lines spelled out, so that the oracle's reading of nm.c is
// checked too: values in an 8-wide column, blanks for main at 0.
func TestNMLines(t *testing.T) {
	name := testdata(t, "386-plan9-exec")
	out, _, _ := run9obj("nm", "-n", name)
	for _, want := range []string{"         T main\n", "      14 T _main\n", "    5000 D argv0\n", "    5c70 B end\n"} {
		if !strings.Contains(out, want) {
			t.Errorf("nm -n output lacks %q", want)
		}
	}
	if !strings.HasPrefix(out, "         T main\n") {
		t.Errorf("nm -n output starts %q", head(out, 2))
	}
	out, _, _ = run9obj("nm", "-a", name)
	for _, want := range []string{
		"       1 z /mnt/term/usr/local/go/src/pkg/debug/plan9obj/testdata/hello.c\n",
		"       1 f /\n",
		"       c m .frame\n", // SUBL $8, SP: frame 8+4
	} {
		if !strings.Contains(out, want) {
			t.Errorf("nm -a output lacks %q", want)
		}
	}
}

func TestNMMultipleFiles(t *testing.T) {
	a, b := testdata(t, cFiles[0]), testdata(t, cFiles[1])
	out, errs, st := run9obj("nm", "-g", a, b)
	if want := wantNM(t, a, "g", a+":") + wantNM(t, b, "g", b+":"); out != want || st != 0 || errs != "" {
		t.Errorf("status %d, stderr %q, got\n%s\nwant\n%s", st, errs, head(out, 10), head(want, 10))
	}
	out, _, _ = run9obj("nm", "-gh", a, b)
	if want := wantNM(t, a, "g", "") + wantNM(t, b, "g", ""); out != want {
		t.Errorf("-h: got\n%s\nwant\n%s", head(out, 10), head(want, 10))
	}
	// A missing file is reported and the others are still listed.
	missing := filepath.Join(t.TempDir(), "nonexistent")
	out, errs, st = run9obj("nm", a, missing)
	if st != 1 || !strings.HasPrefix(out, a+":") || oneLine(errs) == "" || !strings.Contains(errs, "nonexistent") {
		t.Errorf("status %d, stderr %q, stdout %q", st, errs, head(out, 2))
	}
}

func TestSize(t *testing.T) {
	for _, file := range cFiles {
		name := testdata(t, file)
		pf, err := plan9obj.Open(name)
		if err != nil {
			t.Fatal(err)
		}
		tx, d := pf.Section("text").Size, pf.Section("data").Size
		b := pf.Bss
		pf.Close()
		want := fmt.Sprintf("%dt + %dd + %db = %d\t%s\n", tx, d, b, tx+d+b, name)
		out, errs, st := run9obj("size", name)
		if out != want || errs != "" || st != 0 {
			t.Errorf("size %s: status %d, stderr %q, got %q, want %q", file, st, errs, out, want)
		}
	}
	// Spelled out once: 386 text 0x4c5f, data 0x94c, bss 0x324.
	name := testdata(t, "386-plan9-exec")
	if out, _, _ := run9obj("size", name); out != "19551t + 2380d + 804b = 22735\t"+name+"\n" {
		t.Errorf("size: %q", out)
	}
}

// The listing of main in the two C programs, from hello.c:
//
//	5 main(void)
//	6 {
//	7 	print("hello, world\n");
//	8 }
const helloC = "/mnt/term/usr/local/go/src/pkg/debug/plan9obj/testdata/hello.c"

var wantMain = map[string]string{
	"386-plan9-exec": `main:
0x0	main	hello.c:5	SUBL $0x4, SP
0x3	main+0x3	hello.c:7	MOVL $.string(SB), AX
0x8	main+0x8	hello.c:7	MOVL AX, 0(SP)
0xb	main+0xb	hello.c:7	CALL print(SB)
0x10	main+0x10	hello.c:7	ADDL $0x4, SP
0x13	main+0x13	hello.c:7	RET
`,
	"amd64-plan9-exec": `main:
0x0	main	hello.c:5	SUBQ $0x8, SP
0x4	main+0x4	hello.c:7	MOVL $.string(SB), BP
0x9	main+0x9	hello.c:7	CALL print(SB)
0xe	main+0xe	hello.c:7	ADDQ $0x8, SP
0x12	main+0x12	hello.c:7	RET
`,
}

func TestDisasmC(t *testing.T) {
	for _, file := range cFiles {
		t.Run(file, func(t *testing.T) {
			name := testdata(t, file)
			out, errs, st := run9obj("disasm", name, "main")
			if st != 0 || errs != "" {
				t.Fatalf("status %d, stderr %q", st, errs)
			}
			if got := strings.ReplaceAll(out, helloC, "hello.c"); got != wantMain[file] {
				t.Errorf("got\n%s\nwant\n%s", got, wantMain[file])
			}
			out, errs, st = run9obj("disasm", name)
			if st != 0 || errs != "" {
				t.Fatalf("whole text: status %d, stderr %q", st, errs)
			}
			checkListing(t, name, out, "etext")
			// 8c/6c code decodes completely, and has lines everywhere but
			// at the very end, where the pc/line table stops short (as
			// libmach's pc2line also finds).
			notLast := out[:strings.LastIndex(out, "\n\n")]
			for l := range strings.Lines(notLast) {
				f := strings.Split(l, "\t")
				if len(f) == 4 && (f[2] == "?" || strings.HasPrefix(f[3], "BYTE")) {
					t.Errorf("line without source position or instruction: %q", l)
				}
			}
		})
	}
}

// checkListing checks a whole-text listing against the symbols as
// debug/plan9obj reads them: one label per text symbol below the end of
// code (end), in address order, each followed by code at its address,
// and addresses increasing up to the next symbol.
func checkListing(t *testing.T, name, out, end string) {
	t.Helper()
	pf, err := plan9obj.Open(name)
	if err != nil {
		t.Fatal(err)
	}
	defer pf.Close()
	syms, _ := pf.Symbols()
	var endVal uint64
	for _, s := range syms {
		if s.Name == end {
			endVal = s.Value
		}
	}
	addr := make(map[string]uint64)
	var want []string
	for _, s := range syms {
		if (s.Type == 'T' || s.Type == 't') && s.Value < endVal {
			want = append(want, s.Name)
			addr[s.Name] = s.Value
		}
	}
	slices.SortStableFunc(want, func(a, b string) int { return cmp.Compare(addr[a], addr[b]) })

	var labels []string
	var last, fnAddr uint64
	pending := false
	for l := range strings.Lines(out) {
		l = strings.TrimSuffix(l, "\n")
		if l == "" {
			continue
		}
		if lab, ok := strings.CutSuffix(l, ":"); ok && !strings.Contains(l, "\t") {
			labels = append(labels, lab)
			fnAddr, pending = addr[lab], true
			continue
		}
		f := strings.Split(l, "\t")
		if len(f) != 4 {
			t.Fatalf("malformed line %q", l)
		}
		pc, err := strconv.ParseUint(strings.TrimPrefix(f[0], "0x"), 16, 64)
		if err != nil {
			t.Fatalf("bad address in %q", l)
		}
		if pending && pc != fnAddr || !pending && pc <= last || pc >= endVal {
			t.Fatalf("address out of order or place: %q after %#x (function at %#x)", l, last, fnAddr)
		}
		last, pending = pc, false
	}
	if !slices.Equal(labels, want) {
		t.Errorf("labels differ from the text symbols: %d labels, %d symbols", len(labels), len(want))
	}
}

func TestDecodeVZEROUPPER(t *testing.T) {
	d := &disassembler{mode: 64}
	for _, tt := range []struct {
		b    []byte
		n    int
		text string
	}{
		{[]byte{0xC5, 0xF8, 0x77, 0xC3}, 3, "VZEROUPPER"},
		{[]byte{0xC5, 0xFC, 0x77}, 3, "VZEROALL"},
		{[]byte{0xC3}, 1, "RET"},
	} {
		n, text, ok := d.decode(tt.b, 0x1000)
		if n != tt.n || text != tt.text || !ok {
			t.Errorf("decode(% x) = %d, %q, %v; want %d, %q", tt.b, n, text, ok, tt.n, tt.text)
		}
	}
}

// goProg is the Go program the tests build for Plan 9.
const goProg = `package main

import (
	"fmt"
	"os"
)

//go:noinline
func greet(who string) {
	fmt.Println("hello,", who)
}

func main() {
	greet(os.Args[0])
}
`

// Lines of goProg.
const (
	printlnLine = 10
	greetLine   = 14
)

// buildGo builds goProg for plan9/goarch and returns the binary and the
// source file's path, skipping the test if there is no go command.
func buildGo(t *testing.T, goarch string) (bin, src string) {
	t.Helper()
	if testing.Short() {
		t.Skip("skipping: building a Go program for Plan 9 is slow")
	}
	gocmd, err := exec.LookPath("go")
	if err != nil {
		t.Skip("skipping: no go command")
	}
	dir := t.TempDir()
	src = filepath.Join(dir, "prog.go")
	if err := os.WriteFile(src, []byte(goProg), 0o666); err != nil {
		t.Fatal(err)
	}
	bin = filepath.Join(dir, "prog."+goarch)
	cmd := exec.Command(gocmd, "build", "-o", bin, "prog.go")
	cmd.Dir = dir
	cmd.Env = append(slices.DeleteFunc(os.Environ(), func(kv string) bool {
		k, _, _ := strings.Cut(kv, "=")
		return slices.Contains([]string{"GOOS", "GOARCH", "GO386", "GOAMD64", "CGO_ENABLED", "GOFLAGS"}, k)
	}), "GOOS=plan9", "GOARCH="+goarch, "CGO_ENABLED=0", "GO111MODULE=on")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin, src
}

func TestGo(t *testing.T) {
	for _, goarch := range []string{"386", "amd64"} {
		t.Run(goarch, func(t *testing.T) {
			bin, src := buildGo(t, goarch)

			out, errs, st := run9obj("disasm", bin, "main.greet", "main.main")
			if st != 0 || errs != "" {
				t.Fatalf("status %d, stderr %q", st, errs)
			}
			if !strings.HasPrefix(out, "main.greet:\n") || !strings.Contains(out, "\nmain.main:\n") {
				t.Errorf("missing labels:\n%s", out)
			}
			greet, mainFn, _ := strings.Cut(out, "\nmain.main:\n")
			var sawPrintln, sawLine, sawCall bool
			for l := range strings.Lines(greet) {
				f := strings.Split(strings.TrimSuffix(l, "\n"), "\t")
				if len(f) != 4 {
					continue
				}
				// fmt.Println is inlined into a call of fmt.Fprintln.
				if f[3] == "CALL fmt.Println(SB)" || f[3] == "CALL fmt.Fprintln(SB)" {
					sawPrintln = true
				}
				if f[2] == fmt.Sprintf("%s:%d", src, printlnLine) || f[2] == fmt.Sprintf("%s:%d", filepath.ToSlash(src), printlnLine) {
					sawLine = true
				}
			}
			for l := range strings.Lines(mainFn) {
				if strings.HasSuffix(l, fmt.Sprintf("\t%s:%d\tCALL main.greet(SB)\n", src, greetLine)) ||
					strings.HasSuffix(l, fmt.Sprintf("\t%s:%d\tCALL main.greet(SB)\n", filepath.ToSlash(src), greetLine)) {
					sawCall = true
				}
			}
			if !sawPrintln || !sawLine || !sawCall {
				t.Errorf("CALL fmt.[F]println %v, %s:%d %v, CALL main.greet at line %d %v in\n%s",
					sawPrintln, src, printlnLine, sawLine, greetLine, sawCall, out)
			}

			// The whole text: the build ID is skipped, nothing fails to
			// decode, and the listing stays in step with the symbols
			// (on amd64 through the runtime's VZEROUPPERs).
			out, errs, st = run9obj("disasm", bin)
			if st != 0 || errs != "" {
				t.Fatalf("whole text: status %d, stderr %q", st, errs)
			}
			if !strings.Contains(out, "\tgo:buildid\t") && !strings.Contains(out, "(Go build ID: ") {
				t.Errorf("no build ID line")
			}
			if strings.Contains(out, "BYTE $") {
				t.Errorf("undecoded bytes in the listing of a Go program")
			}
			if goarch == "amd64" && !strings.Contains(out, "\tVZEROUPPER\n") {
				t.Errorf("no VZEROUPPER in the amd64 runtime")
			}
			checkListing(t, bin, out, "runtime.etext")

			// nm and size agree with debug/plan9obj on a big table too.
			out, errs, st = run9obj("nm", "-n", bin)
			if want := wantNM(t, bin, "n", ""); out != want || st != 0 || errs != "" {
				t.Errorf("nm -n: status %d, stderr %q, got\n%s\nwant\n%s", st, errs, head(out, 10), head(want, 10))
			}
			out, _, _ = run9obj("size", bin)
			if !strings.HasSuffix(out, "\t"+bin+"\n") || !strings.Contains(out, "t + ") {
				t.Errorf("size: %q", out)
			}
		})
	}
}

func TestErrors(t *testing.T) {
	dir := t.TempDir()
	missing := filepath.Join(dir, "missing")
	junk := filepath.Join(dir, "junk")
	os.WriteFile(junk, []byte("#!/bin/rc\necho hello\n"), 0o666)
	short := filepath.Join(dir, "short")
	os.WriteFile(short, []byte{0, 0, 1}, 0o666)
	trunc := filepath.Join(dir, "trunc") // a 386 header whose text runs past the end
	os.WriteFile(trunc, []byte{0, 0, 1, 0xeb, 0, 0, 0x10, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x10, 0x20, 0, 0, 0, 0, 0, 0, 0, 0}, 0o666)

	for _, tt := range []struct {
		args   []string
		status int
		stderr string // a substring of the first line
	}{
		{nil, 2, "usage: 9obj"},
		{[]string{"frob"}, 2, `unknown command "frob"`},
		{[]string{"nm"}, 2, "nm: no file"},
		{[]string{"nm", "-x", junk}, 2, "nm: unknown option -x"},
		{[]string{"size"}, 2, "size: no file"},
		{[]string{"disasm"}, 2, "disasm: no file"},
		{[]string{"nm", missing}, 1, "missing"},
		{[]string{"size", missing}, 1, "missing"},
		{[]string{"disasm", missing}, 1, "missing"},
		{[]string{"nm", junk}, 1, "not a Plan 9 executable"},
		{[]string{"size", junk}, 1, "not a Plan 9 executable"},
		{[]string{"disasm", junk}, 1, "not a Plan 9 executable"},
		{[]string{"size", short}, 1, "truncated header"},
		{[]string{"disasm", trunc}, 1, "exceeds file size"},
	} {
		out, errs, st := run9obj(tt.args...)
		first, _, _ := strings.Cut(errs, "\n")
		if st != tt.status || !strings.Contains(first, tt.stderr) || out != "" {
			t.Errorf("9obj %q: status %d, stdout %q, stderr %q; want status %d, stderr containing %q",
				tt.args, st, out, errs, tt.status, tt.stderr)
		}
		if st == 1 && (oneLine(errs) == "" || !strings.HasPrefix(errs, "9obj: ")) {
			t.Errorf("9obj %q: stderr %q is not one line starting with 9obj:", tt.args, errs)
		}
	}

	name := testdata(t, "386-plan9-exec")
	out, errs, st := run9obj("disasm", name, "nosuch")
	if st != 1 || out != "" || oneLine(errs) != fmt.Sprintf("9obj: %s: no function nosuch", name) {
		t.Errorf("disasm nosuch: status %d, stdout %q, stderr %q", st, out, errs)
	}
}

// A symbol table that goes bad part-way: nm lists what decoded and
// reports the rest; size does not read the table.
func TestBadSymbolTable(t *testing.T) {
	name := testdata(t, "386-plan9-exec")
	b, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	pf, err := plan9obj.Open(name)
	if err != nil {
		t.Fatal(err)
	}
	symoff := pf.Section("syms").Offset
	pf.Close()
	// The first record is "etext": value, type 'T'|0x80, name. Clear the
	// 0x80 flag of the second record's type.
	second := int(symoff) + 4 + 1 + len("etext") + 1
	b[second+4] &^= 0x80
	bad := filepath.Join(t.TempDir(), "bad")
	if err := os.WriteFile(bad, b, 0o666); err != nil {
		t.Fatal(err)
	}
	out, errs, st := run9obj("nm", bad)
	if st != 1 || out != "    4c5f T etext\n" || !strings.Contains(oneLine(errs), "symbol table") {
		t.Errorf("nm: status %d, stdout %q, stderr %q", st, out, errs)
	}
	if _, errs, st := run9obj("size", bad); st != 0 || errs != "" {
		t.Errorf("size: status %d, stderr %q", st, errs)
	}
}

// FuzzRun feeds arbitrary files to every subcommand: errors are fine,
// panics are not.
func FuzzRun(f *testing.F) {
	for _, file := range cFiles {
		root, err := goroot()
		if err != nil {
			break
		}
		if b, err := os.ReadFile(filepath.Join(root, "src", "debug", "plan9obj", "testdata", file)); err == nil {
			f.Add(b)
		}
	}
	f.Add([]byte{0, 0, 1, 0xeb})
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, b []byte) {
		name := filepath.Join(dir, "a.out")
		if err := os.WriteFile(name, b, 0o666); err != nil {
			t.Fatal(err)
		}
		for _, args := range [][]string{{"nm", "-a", name}, {"size", name}, {"disasm", name}} {
			run9obj(args...)
		}
	})
}

// oneLine returns s without its newline if it is exactly one line.
func oneLine(s string) string {
	l, ok := strings.CutSuffix(s, "\n")
	if !ok || strings.Contains(l, "\n") {
		return ""
	}
	return l
}

func head(s string, n int) string {
	lines := strings.SplitAfter(s, "\n")
	if len(lines) > n {
		lines = append(lines[:n], "...\n")
	}
	return strings.Join(lines, "")
}
