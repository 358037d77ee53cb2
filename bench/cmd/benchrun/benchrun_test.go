package main

import (
	"bytes"
	"encoding/xml"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"
)

func TestParseInstructions(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want int64
		ok   bool
	}{
		{"instructions: 123456\n", 123456, true},
		{"hello\ninstructions: 1,234,567\n", 1234567, true},
		{"guest instructions = 1_000_000 (2 procs)\n", 1000000, true},
		{"Instructions:\t42\n", 42, true},
		{"pid 1 instructions: 10\npid 2 instructions: 5\n", 15, true},
		{"9emu: 98765 instructions in 1.2s\n", 98765, true},
		{"9emu: flag provided but not defined: -count\n", 0, false},
		{"", 0, false},
	} {
		got, ok := parseInstructions(tc.in)
		if got != tc.want || ok != tc.ok {
			t.Errorf("parseInstructions(%q) = %d, %v; want %d, %v", tc.in, got, ok, tc.want, tc.ok)
		}
	}
}

func TestReadTimeFile(t *testing.T) {
	dir := t.TempDir()
	for in, want := range map[string]int64{
		"1234\n": 1234,
		"Command exited with non-zero status 2\n5678\n": 5678,
	} {
		f := filepath.Join(dir, "t")
		os.WriteFile(f, []byte(in), 0o644)
		if got, ok := readTimeFile(f); !ok || got != want {
			t.Errorf("readTimeFile(%q) = %d, %v; want %d", in, got, ok, want)
		}
	}
	os.WriteFile(filepath.Join(dir, "bad"), []byte("Command terminated by signal 9\n"), 0o644)
	if _, ok := readTimeFile(filepath.Join(dir, "bad")); ok {
		t.Error("readTimeFile accepted a file without a number")
	}
}

func TestMedian(t *testing.T) {
	for _, tc := range []struct {
		in   []float64
		want float64
	}{{nil, 0}, {[]float64{3}, 3}, {[]float64{5, 1, 3}, 3}, {[]float64{4, 1, 3, 2}, 2.5}} {
		if got := median(tc.in); got != tc.want {
			t.Errorf("median(%v) = %v, want %v", tc.in, got, tc.want)
		}
	}
}

func TestFormat(t *testing.T) {
	for _, tc := range []struct{ got, want string }{
		{fmtSlowdown(1.234), "1.23×"},
		{fmtSlowdown(12.34), "12.3×"},
		{fmtSlowdown(123.4), "123×"},
		{fmtDuration(612 * time.Millisecond), "612 ms"},
		{fmtDuration(2346 * time.Millisecond), "2.35 s"},
		{fmtDuration(123 * time.Second), "123 s"},
		{fmtCount(1234567), "1.23 M"},
		{fmtCount(12), "12"},
	} {
		if tc.got != tc.want {
			t.Errorf("got %q, want %q", tc.got, tc.want)
		}
	}
}

// fakeReport builds a report by hand: two workloads, one of which fails
// on one system.
func fakeReport() *report {
	cfg := &config{n: 2, scale: 1}
	tg := &target{goos: "plan9", goarch: "386"}
	systems := []*system{
		{name: "native", kind: "native", t: tg},
		{name: "9emu/386", kind: "9emu", t: tg},
		{name: "9emu/amd64", kind: "9emu", t: tg},
	}
	works := []*workload{{name: "sieve", kind: kindCPU}, {name: "exec", kind: kindProcess}}
	s := func(ms int, instr int64) sample {
		return sample{wall: time.Duration(ms) * time.Millisecond, cpu: time.Duration(ms) * time.Millisecond, out: "x\n", instr: instr, peakKB: 2048}
	}
	res := map[key]*result{
		{"sieve", "native"}:     {samples: []sample{s(500, -1), s(600, -1)}, check: "ref"},
		{"sieve", "9emu/386"}:   {samples: []sample{s(50000, 1e9), s(60000, 1.2e9)}, check: "ok"},
		{"sieve", "9emu/amd64"}: {samples: []sample{s(20000, 1e9)}, check: "mismatch", fail: "checksum mismatch: <a|b>"},
		{"exec", "native"}:      {samples: []sample{s(300, -1)}, check: "ref"},
		{"exec", "9emu/386"}:    {fail: "timed out after 1m0s"},
		{"exec", "9emu/amd64"}:  {samples: []sample{s(3000, -1)}, check: "ok"},
	}
	return newReport(cfg, works, systems, res, &env{memSource: "test"})
}

func TestReport(t *testing.T) {
	rp := fakeReport()
	if g := rp.geos[0]; g.n != 1 || g.of != 1 || g.mean < 99.9 || g.mean > 100.1 {
		t.Errorf("geomean for 9emu/386 = %+v, want 100 over 1 of 1", g)
	}
	if g := rp.geos[1]; g.n != 0 || g.mean != 0 {
		t.Errorf("geomean for 9emu/amd64 = %+v, want none (mismatch)", g)
	}
	var md bytes.Buffer
	if err := rp.writeMarkdown(&md); err != nil {
		t.Fatal(err)
	}
	rows := 0
	for _, l := range strings.Split(md.String(), "\n") {
		if strings.HasPrefix(l, "| sieve |") || strings.HasPrefix(l, "| exec |") {
			rows++
			if n := strings.Count(strings.ReplaceAll(l, `\|`, ""), "|"); n != len(columns)+1 {
				t.Errorf("row has %d cells, want %d: %s", n-1, len(columns), l)
			}
		}
	}
	if rows != 6 {
		t.Errorf("%d table rows, want 6:\n%s", rows, md.String())
	}
	for _, want := range []string{"100×", "MISMATCH [1]", "FAIL [2]", "timed out", "1.10 G", "20.0 MIPS"} {
		if !strings.Contains(md.String(), strings.TrimSuffix(want, " MIPS")) {
			t.Errorf("markdown lacks %q:\n%s", want, md.String())
		}
	}
	var txt bytes.Buffer
	rp.writeText(&txt)
	if !strings.Contains(txt.String(), "geometric mean") {
		t.Errorf("text report lacks the geometric mean:\n%s", txt.String())
	}
	var raw bytes.Buffer
	rp.writeRaw(&raw)
	if n := strings.Count(raw.String(), "\nBenchmarkWork/"); n != 7 {
		t.Errorf("%d raw samples, want 7:\n%s", n, raw.String())
	}
}

func TestSVG(t *testing.T) {
	var b bytes.Buffer
	if err := fakeReport().writeSVG(&b); err != nil {
		t.Fatal(err)
	}
	d := xml.NewDecoder(&b)
	rects, texts := 0, []string{}
	for {
		tok, err := d.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("not well-formed XML: %v\n%s", err, b.String())
		}
		switch e := tok.(type) {
		case xml.StartElement:
			if e.Name.Local == "rect" {
				rects++
			}
		case xml.CharData:
			texts = append(texts, string(e))
		}
	}
	all := strings.Join(texts, "\n")
	for _, want := range []string{"sieve", "exec", "geomean (CPU)", "100×", "checksum mismatch", "failed", "9emu/amd64"} {
		if !strings.Contains(all, want) {
			t.Errorf("chart lacks %q", want)
		}
	}
	// Background, two legend swatches, three bars (sieve 386, exec
	// amd64, the 386 geometric mean).
	if rects != 6 {
		t.Errorf("%d rects, want 6", rects)
	}
}

// TestWorkloads vets the workloads for every target (go vet ./... skips
// testdata) and runs the harness natively on two of them at a small
// scale.
func TestWorkloads(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs programs")
	}
	if _, err := exec.LookPath("go"); err != nil {
		t.Skip("no go command")
	}
	root, err := filepath.Abs(filepath.Join("..", "..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	for _, tg := range [][2]string{{runtime.GOOS, runtime.GOARCH}, {"plan9", "386"}, {"plan9", "amd64"}} {
		cmd := exec.Command("go", "vet", "./"+workDir+"/...")
		cmd.Dir = root
		cmd.Env = append(os.Environ(), "GOOS="+tg[0], "GOARCH="+tg[1], "CGO_ENABLED=0")
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Errorf("go vet for %s/%s: %v\n%s", tg[0], tg[1], err, out)
		}
	}

	out := t.TempDir()
	var stdout, stderr bytes.Buffer
	t.Chdir(root)
	err = run([]string{"-sys", "native", "-work", "sieve,exec", "-n", "2", "-scale", "0.01", "-out", out}, &stdout, &stderr)
	if err != nil {
		t.Fatalf("benchrun: %v\n%s", err, stderr.String())
	}
	md, err := os.ReadFile(filepath.Join(out, "results.md"))
	if err != nil {
		t.Fatal(err)
	}
	for _, w := range []string{"| sieve | native | 2/2 |", "| exec | native | 2/2 |"} {
		if !strings.Contains(string(md), w) {
			t.Errorf("results.md lacks %q:\n%s\nlog:\n%s", w, md, stderr.String())
		}
	}
	for _, f := range []string{"slowdown.svg", "raw.txt"} {
		if _, err := os.Stat(filepath.Join(out, f)); err != nil {
			t.Error(err)
		}
	}
}
