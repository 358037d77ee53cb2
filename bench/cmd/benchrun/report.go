package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"text/tabwriter"
	"time"
)

// A row is one workload on one system, summarised.
type row struct {
	work   *workload
	sys    *system
	res    *result
	med    time.Duration // median wall time; 0 if no run succeeded
	cpu    time.Duration // median CPU time (user + system)
	slow   float64       // against native, by wall or CPU time (config.byCPU); 0 if unknown
	instr  int64         // median guest instructions; < 0 if unknown
	mips   float64       // instr per second of wall or CPU time, in millions; 0 if unknown
	peakKB int64         // largest peak resident set over the runs; < 0 if unknown
	note   int           // index+1 into report.notes, 0 for none
}

// A geo is the geometric mean slowdown of one system over the CPU
// workloads.
type geo struct {
	sys   string
	mean  float64 // 0 if no workload has a slowdown
	n, of int     // workloads in the mean, CPU workloads
}

type report struct {
	cfg     *config
	env     *env
	works   []*workload
	systems []*system
	rows    []*row
	geos    []geo
	notes   []string // failures, numbered in the tables
	info    [][2]string
}

func newReport(cfg *config, works []*workload, systems []*system, res map[key]*result, e *env) *report {
	rp := &report{cfg: cfg, env: e, works: works, systems: systems}
	for _, w := range works {
		native := res[key{w.name, "native"}]
		nt := rp.time(medianWall(native.samples), medianCPU(native.samples))
		for _, s := range systems {
			r := res[key{w.name, s.name}]
			rw := &row{work: w, sys: s, res: r, instr: -1, peakKB: -1,
				med: medianWall(r.samples), cpu: medianCPU(r.samples)}
			if t := rp.time(rw.med, rw.cpu); t > 0 && nt > 0 {
				rw.slow = float64(t) / float64(nt)
			}
			var instr []float64
			for _, sm := range r.samples {
				if sm.instr >= 0 {
					instr = append(instr, float64(sm.instr))
				}
				rw.peakKB = max(rw.peakKB, sm.peakKB)
			}
			if len(instr) > 0 {
				rw.instr = int64(median(instr))
				if t := rp.time(rw.med, rw.cpu); t > 0 {
					rw.mips = float64(rw.instr) / t.Seconds() / 1e6
				}
			}
			if r.fail != "" {
				rp.notes = append(rp.notes, fmt.Sprintf("%s on %s: %s", w.name, s.name, r.fail))
				rw.note = len(rp.notes)
			}
			rp.rows = append(rp.rows, rw)
		}
	}
	for _, s := range systems[1:] {
		g := geo{sys: s.name}
		sum := 0.0
		for _, rw := range rp.rows {
			if rw.sys != s || rw.work.kind != kindCPU {
				continue
			}
			g.of++
			if rw.slow > 0 && rw.res.check == "ok" {
				g.n++
				sum += math.Log(rw.slow)
			}
		}
		if g.n > 0 {
			g.mean = math.Exp(sum / float64(g.n))
		}
		rp.geos = append(rp.geos, g)
	}
	rp.info = machineInfo(cfg, e)
	return rp
}

// time picks the wall or the CPU time, as the configuration asks.
func (rp *report) time(wall, cpu time.Duration) time.Duration {
	if rp.cfg.byCPU {
		return cpu
	}
	return wall
}

// metric names the time slowdowns are computed from.
func (rp *report) metric() string {
	if rp.cfg.byCPU {
		return "CPU time (user + system)"
	}
	return "wall time"
}

// machineInfo describes the run for the report's header.
func machineInfo(cfg *config, e *env) [][2]string {
	host := fmt.Sprintf("%s/%s, %d CPUs", runtime.GOOS, runtime.GOARCH, runtime.NumCPU())
	if m := cpuModel(); m != "" {
		host += ", " + m
	}
	info := [][2]string{
		{"date", time.Now().UTC().Format("2006-01-02 15:04 UTC")},
		{"host", host},
		{"Go", runtime.Version()},
	}
	if e.loadStart != "" {
		info = append(info, [2]string{"load average", fmt.Sprintf("%s at the start, %s at the end", e.loadStart, e.loadEnd)})
	}
	runs := fmt.Sprintf("%d per system, interleaved; -scale %g", cfg.n, cfg.scale)
	for _, v := range []string{"GO386", "GOAMD64"} {
		if s := os.Getenv(v); s != "" {
			runs += fmt.Sprintf("; %s=%s", v, s)
		}
	}
	info = append(info, [2]string{"runs", runs})
	info = append(info, [2]string{"peak memory", e.memSource})
	count := "9emu -count"
	if !e.count {
		count = "n/a (9emu has no -count yet)"
	}
	info = append(info, [2]string{"instructions", count})
	return info
}

// cpuModel returns the processor's name where the host says it simply.
func cpuModel() string {
	f, err := os.Open("/proc/cpuinfo")
	if err != nil {
		return ""
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if k, v, ok := strings.Cut(sc.Text(), ":"); ok && strings.TrimSpace(k) == "model name" {
			return strings.TrimSpace(v)
		}
	}
	return ""
}

// loadAverage returns the 1, 5 and 15 minute load averages where the host
// publishes them.
func loadAverage() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return ""
	}
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return ""
	}
	return strings.Join(f[:3], " ")
}

// The columns of both tables.
var columns = []string{"workload", "system", "runs", "wall", "cpu", "slowdown", "instructions", "MIPS", "peak mem", "check"}

func (rp *report) cells(rw *row) []string {
	na := "n/a"
	c := []string{rw.work.name, rw.sys.name, fmt.Sprintf("%d/%d", len(rw.res.samples), rp.cfg.n), na, na, na, na, na, na, ""}
	if rw.med > 0 {
		c[3] = fmtDuration(rw.med)
		c[4] = fmtDuration(rw.cpu)
	}
	switch {
	case rw.sys.kind == "native" && rw.med > 0:
		c[5] = "1"
	case rw.slow > 0:
		c[5] = fmtSlowdown(rw.slow)
	}
	if rw.instr >= 0 {
		c[6] = fmtCount(rw.instr)
	}
	if rw.mips > 0 {
		c[7] = fmt.Sprintf("%.0f", rw.mips)
	}
	if rw.peakKB > 0 {
		c[8] = fmt.Sprintf("%.1f MiB", float64(rw.peakKB)/1024)
	}
	chk := &c[len(c)-1]
	switch {
	case rw.res.check == "mismatch":
		*chk = "MISMATCH"
	case rw.res.fail != "" && len(rw.res.samples) > 0:
		*chk = "FAIL later"
	case rw.res.fail != "":
		*chk = "FAIL"
	case rw.res.check == "ref":
		*chk = "reference"
	case rw.res.check == "ok":
		*chk = "ok"
	}
	if rw.note > 0 {
		*chk += fmt.Sprintf(" [%d]", rw.note)
	}
	return c
}

func (rp *report) geoText(g geo) string {
	if g.mean == 0 {
		return fmt.Sprintf("n/a (0 of %d CPU workloads)", g.of)
	}
	return fmt.Sprintf("%s (%d of %d CPU workloads)", fmtSlowdown(g.mean), g.n, g.of)
}

// cpuWorkNames lists the CPU workloads, for the geometric mean's caption.
func (rp *report) cpuWorkNames() string {
	var n []string
	for _, w := range rp.works {
		if w.kind == kindCPU {
			n = append(n, w.name)
		}
	}
	return strings.Join(n, ", ")
}

// writeText prints the table for a terminal.
func (rp *report) writeText(w io.Writer) {
	for _, kv := range rp.info {
		fmt.Fprintf(w, "%-13s %s\n", kv[0]+":", kv[1])
	}
	fmt.Fprintln(w)
	tw := tabwriter.NewWriter(w, 0, 8, 2, ' ', 0)
	fmt.Fprintln(tw, strings.Join(columns, "\t"))
	last := ""
	for _, rw := range rp.rows {
		c := rp.cells(rw)
		if c[0] == last {
			c[0] = ""
		}
		last = rw.work.name
		fmt.Fprintln(tw, strings.Join(c, "\t"))
	}
	tw.Flush()
	if len(rp.geos) > 0 {
		fmt.Fprintf(w, "\ngeometric mean slowdown (%s) over %s:\n", rp.metric(), rp.cpuWorkNames())
		for _, g := range rp.geos {
			fmt.Fprintf(w, "  %-11s %s\n", g.sys, rp.geoText(g))
		}
	}
	if len(rp.notes) > 0 {
		fmt.Fprintln(w)
		for i, n := range rp.notes {
			fmt.Fprintf(w, "[%d] %s\n", i+1, n)
		}
	}
}

// writeMarkdown writes the same report as Markdown, for the README.
func (rp *report) writeMarkdown(w io.Writer) error {
	bw := bufio.NewWriter(w)
	fmt.Fprintf(bw, "# 9emu benchmark results\n\n")
	fmt.Fprintf(bw, "Produced by `go run ./bench/cmd/benchrun`. Times are medians over the runs, ")
	fmt.Fprintf(bw, "start-up included; cpu is user + system time of the process and its children. ")
	fmt.Fprintf(bw, "Slowdown is against the native run of the same workload, by %s; ", rp.metric())
	fmt.Fprintf(bw, "MIPS is guest instructions per second of that time; peak mem is the largest ")
	fmt.Fprintf(bw, "resident set of the process (9emu itself, for 9emu runs).\n\n")
	for _, kv := range rp.info {
		fmt.Fprintf(bw, "- %s: %s\n", kv[0], mdEscape(kv[1]))
	}
	fmt.Fprintf(bw, "\n| %s |\n|", strings.Join(columns, " | "))
	for i := range columns {
		if i >= 2 && i < len(columns)-1 {
			fmt.Fprint(bw, " ---: |")
		} else {
			fmt.Fprint(bw, " --- |")
		}
	}
	fmt.Fprintln(bw)
	for _, rw := range rp.rows {
		c := rp.cells(rw)
		for i := range c {
			c[i] = mdEscape(c[i])
		}
		fmt.Fprintf(bw, "| %s |\n", strings.Join(c, " | "))
	}
	if len(rp.geos) > 0 {
		fmt.Fprintf(bw, "\nGeometric mean slowdown (%s) over the CPU workloads (%s):\n\n", rp.metric(), rp.cpuWorkNames())
		fmt.Fprintf(bw, "| system | slowdown |\n| --- | ---: |\n")
		for _, g := range rp.geos {
			fmt.Fprintf(bw, "| %s | %s |\n", g.sys, mdEscape(rp.geoText(g)))
		}
	}
	if len(rp.notes) > 0 {
		fmt.Fprintf(bw, "\nFailures:\n\n")
		for i, n := range rp.notes {
			fmt.Fprintf(bw, "%d. %s\n", i+1, mdEscape(n))
		}
	}
	fmt.Fprintf(bw, "\n![slowdown per workload](slowdown.svg)\n")
	return bw.Flush()
}

// mdEscape keeps a cell's text from breaking the table.
func mdEscape(s string) string {
	return strings.NewReplacer("|", `\|`, "\n", " ", "<", "&lt;", ">", "&gt;").Replace(s)
}

// writeRaw writes every sample in the Go benchmark format, for benchstat:
//
//	benchstat -col /sys raw.txt
func (rp *report) writeRaw(w io.Writer) error {
	bw := bufio.NewWriter(w)
	fmt.Fprintf(bw, "goos: %s\ngoarch: %s\npkg: 9emu/bench/testdata/work\n", runtime.GOOS, runtime.GOARCH)
	if m := cpuModel(); m != "" {
		fmt.Fprintf(bw, "cpu: %s\n", m)
	}
	for _, rw := range rp.rows {
		for _, sm := range rw.res.samples {
			fmt.Fprintf(bw, "BenchmarkWork/work=%s/sys=%s 1 %d ns/op %d cpu-ns/op", rw.work.name,
				strings.ReplaceAll(rw.sys.name, "/", "-"), sm.wall.Nanoseconds(), sm.cpu.Nanoseconds())
			if sm.peakKB > 0 {
				fmt.Fprintf(bw, " %d peak-KiB", sm.peakKB)
			}
			if sm.instr >= 0 {
				fmt.Fprintf(bw, " %d guest-insts", sm.instr)
			}
			fmt.Fprintln(bw)
		}
	}
	return bw.Flush()
}

// runBenchstat summarises raw.txt with benchstat into benchstat.txt, when
// benchstat is installed.
func runBenchstat(ctx context.Context, dir string) error {
	bs, err := exec.LookPath("benchstat")
	if err != nil {
		return nil
	}
	cmd := exec.CommandContext(ctx, bs, "-col", "/sys", "raw.txt")
	cmd.Dir = dir
	out, err := cmd.CombinedOutput()
	if err != nil {
		return fmt.Errorf("%v: %s", err, firstLines(string(out), 3))
	}
	return os.WriteFile(filepath.Join(dir, "benchstat.txt"), out, 0o644)
}

func fmtDuration(d time.Duration) string {
	s := d.Seconds()
	switch {
	case s >= 100:
		return fmt.Sprintf("%.0f s", s)
	case s >= 10:
		return fmt.Sprintf("%.1f s", s)
	case s >= 1:
		return fmt.Sprintf("%.2f s", s)
	}
	return fmt.Sprintf("%.0f ms", s*1000)
}

// fmtSlowdown prints a ratio with three significant digits.
func fmtSlowdown(x float64) string {
	switch {
	case x >= 100:
		return fmt.Sprintf("%.0f×", x)
	case x >= 10:
		return fmt.Sprintf("%.1f×", x)
	}
	return fmt.Sprintf("%.2f×", x)
}

// fmtCount prints a large count with an SI prefix.
func fmtCount(n int64) string {
	f := float64(n)
	switch {
	case f >= 1e12:
		return fmt.Sprintf("%.2f T", f/1e12)
	case f >= 1e9:
		return fmt.Sprintf("%.2f G", f/1e9)
	case f >= 1e6:
		return fmt.Sprintf("%.2f M", f/1e6)
	case f >= 1e3:
		return fmt.Sprintf("%.2f k", f/1e3)
	}
	return fmt.Sprint(n)
}
