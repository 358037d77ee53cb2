package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"time"
)

// env is what probing the machine found out.
type env struct {
	timePath  string // GNU time, when it works with -f %M -o
	memSource string // how peak memory is measured, for the report
	count     bool   // 9emu accepts -count and prints an instruction count

	loadStart, loadEnd string // the host's load averages, where known
}

const gnuTime = "/usr/bin/time"

// probe finds out how to measure peak memory and whether 9emu counts
// instructions.
func probe(ctx context.Context, root, tmp, emu string) *env {
	e := &env{memSource: "none", loadStart: loadAverage()}
	if hasRusage {
		e.memSource = "the child's rusage (maxrss)"
	}
	if self, err := os.Executable(); err == nil && runtime.GOOS != "windows" {
		f := filepath.Join(tmp, "time-probe")
		// benchrun -h prints its usage and exits 0.
		cmd := exec.CommandContext(ctx, gnuTime, "-f", "%M", "-o", f, self, "-h")
		if cmd.Run() == nil {
			if kb, ok := readTimeFile(f); ok && kb > 0 {
				e.timePath = gnuTime
				e.memSource = gnuTime + " -f %M"
			}
		}
	}
	if emu == "" {
		return e
	}
	for _, hello := range []string{"cmd/9emu/testdata/hello.amd64", "cmd/9emu/testdata/hello.386"} {
		if _, err := os.Stat(filepath.Join(root, filepath.FromSlash(hello))); err != nil {
			continue
		}
		pctx, cancel := context.WithTimeout(ctx, 2*time.Minute)
		cmd := exec.CommandContext(pctx, emu, "-count", hello)
		cmd.Dir = root
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		err := cmd.Run()
		cancel()
		if err == nil {
			_, e.count = parseInstructions(stderr.String())
		}
		break
	}
	return e
}

// readTimeFile reads the kilobytes GNU time wrote with -f %M -o: the last
// line (an earlier one says so when the command failed).
func readTimeFile(name string) (int64, bool) {
	b, err := os.ReadFile(name)
	if err != nil {
		return 0, false
	}
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")
	n, err := strconv.ParseInt(strings.TrimSpace(lines[len(lines)-1]), 10, 64)
	return n, err == nil
}

// countPatterns match the instruction count 9emu prints on standard error
// at exit when given -count. The first pattern with any match wins, and
// all its matches are added up (one line per process, or one total).
// Adjust them here if 9emu's wording changes.
var countPatterns = []*regexp.Regexp{
	// "instructions: 123456", "guest instructions = 1,234,567", "Instructions: 1_000"
	regexp.MustCompile(`(?i)\binstructions?\b[^0-9\n]*?[:=][ \t]*([0-9][0-9,_']*)`),
	// "123456 instructions"
	regexp.MustCompile(`(?i)\b([0-9][0-9,_']*)[ \t]+(?:guest[ \t]+)?instructions?\b`),
}

// parseInstructions returns the instruction count in 9emu's -count
// output.
func parseInstructions(stderr string) (int64, bool) {
	for _, re := range countPatterns {
		ms := re.FindAllStringSubmatch(stderr, -1)
		if len(ms) == 0 {
			continue
		}
		var sum int64
		for _, m := range ms {
			digits := strings.Map(func(r rune) rune {
				if r >= '0' && r <= '9' {
					return r
				}
				return -1
			}, m[1])
			n, err := strconv.ParseInt(digits, 10, 64)
			if err != nil {
				return 0, false
			}
			sum += n
		}
		return sum, true
	}
	return 0, false
}

// isCountLine reports whether a line of standard error is 9emu's count
// output rather than the program's.
func isCountLine(line string) bool {
	for _, re := range countPatterns {
		if re.MatchString(line) {
			return true
		}
	}
	return false
}

// A sample is one successful run.
type sample struct {
	wall   time.Duration
	cpu    time.Duration // user + system, the process and its children
	out    string
	instr  int64 // < 0: unknown
	peakKB int64 // < 0: unknown
}

// A result is every run of one workload on one system.
type result struct {
	samples []sample
	tries   int
	fail    string // why the runs stopped; "" if they did not
	check   string // "ok", "mismatch", "ref" (the native reference)
}

type key struct{ work, sys string }

// runAll runs every workload on every system, cfg.n times, interleaving
// the systems (in a rotating order) so that changes in the machine's load
// spread over all of them. A workload stops on a system at its first
// failure or checksum mismatch.
func runAll(ctx context.Context, cfg *config, works []*workload, systems []*system, e *env, log func(string, ...any)) map[key]*result {
	res := map[key]*result{}
	for _, w := range works {
		for _, s := range systems {
			r := &result{}
			res[key{w.name, s.name}] = r
			if msg, bad := s.t.errs[w.name]; bad {
				r.fail = "build failed: " + msg
			}
		}
		native := res[key{w.name, "native"}]
		for rep := 0; rep < cfg.n && ctx.Err() == nil; rep++ {
			for i := range systems {
				s := systems[(i+rep)%len(systems)]
				if rep == 0 {
					s = systems[i] // native first, for the reference output
				}
				r := res[key{w.name, s.name}]
				if r.fail != "" || ctx.Err() != nil {
					continue
				}
				if s.kind != "native" && len(native.samples) == 0 {
					r.fail = "no native reference"
					continue
				}
				timeout := cfg.timeout
				if timeout == 0 {
					timeout = 10 * time.Minute
					if len(native.samples) > 0 {
						timeout = 30*time.Second + 1000*medianWall(native.samples)
					}
				}
				r.tries++
				sm, err := runOne(ctx, cfg, w, s, e, timeout)
				if err != nil {
					r.fail = err.Error()
					log("%-8s %-11s %d/%d  FAIL  %s", w.name, s.name, rep+1, cfg.n, r.fail)
					continue
				}
				r.samples = append(r.samples, sm)
				ref := sm.out
				if len(native.samples) > 0 {
					ref = native.samples[0].out
				}
				status := "ok"
				switch {
				case sm.out != ref && s.kind == "native":
					r.fail = fmt.Sprintf("output changed between runs: %q then %q", firstLine(ref), firstLine(sm.out))
					status = "NONDETERMINISTIC"
				case sm.out != ref:
					r.check = "mismatch"
					r.fail = fmt.Sprintf("checksum mismatch: %q, native %q", firstLine(sm.out), firstLine(ref))
					status = "MISMATCH"
				case s.kind == "native":
					r.check = "ref"
				default:
					r.check = "ok"
				}
				log("%-8s %-11s %d/%d  %9.3fs  %s", w.name, s.name, rep+1, cfg.n, sm.wall.Seconds(), status)
			}
		}
	}
	return res
}

// runOne runs workload w once on system s.
func runOne(ctx context.Context, cfg *config, w *workload, s *system, e *env, timeout time.Duration) (sample, error) {
	exe := w.name + exeSuffix(s.t.goos)
	args := []string{"-scale", strconv.FormatFloat(cfg.scale, 'g', -1, 64)}
	var argv []string
	switch s.kind {
	case "9emu":
		// 9emu resolves a name with a slash against its current
		// directory, which is the host's.
		argv = append(argv, s.prefix...)
		if e.count {
			argv = append(argv, "-count")
		}
		argv = append(argv, "./"+exe)
	default:
		argv = append(append(argv, s.prefix...), filepath.Join(s.t.dir, exe))
	}
	argv = append(argv, args...)
	var memFile string
	if e.timePath != "" {
		memFile = filepath.Join(s.t.dir, "peak-"+w.name+".txt")
		os.Remove(memFile)
		argv = append([]string{e.timePath, "-f", "%M", "-o", memFile}, argv...)
	}

	rctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	cmd := exec.CommandContext(rctx, argv[0], argv[1:]...)
	cmd.Dir = s.t.dir
	stdout := &capBuffer{max: 1 << 20}
	stderr := &capBuffer{max: 1 << 20}
	cmd.Stdout = stdout
	cmd.Stderr = stderr
	killGroup(cmd)
	cmd.WaitDelay = 5 * time.Second

	start := time.Now()
	err := cmd.Run()
	wall := time.Since(start)
	switch {
	case rctx.Err() == context.DeadlineExceeded:
		return sample{}, fmt.Errorf("timed out after %v", timeout.Round(time.Second))
	case ctx.Err() != nil:
		return sample{}, fmt.Errorf("interrupted")
	case err != nil:
		var ee *exec.ExitError
		msg := err.Error()
		if errors.As(err, &ee) {
			msg = ee.ProcessState.String()
		}
		if l := programError(stderr.String()); l != "" {
			msg += ": " + l
		}
		return sample{}, errors.New(msg)
	}
	// With GNU time in between, its rusage includes 9emu's or the
	// program's, and that of any children they waited for.
	sm := sample{wall: wall, out: stdout.String(), instr: -1, peakKB: -1,
		cpu: cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime()}
	if s.kind == "9emu" && e.count {
		if n, ok := parseInstructions(stderr.String()); ok {
			sm.instr = n
		}
	}
	if memFile != "" {
		if kb, ok := readTimeFile(memFile); ok {
			sm.peakKB = kb
		}
	} else if kb, ok := maxRSS(cmd.ProcessState); ok {
		sm.peakKB = kb
	}
	return sm, nil
}

// programError picks the line of a failed run's standard error that best
// says what went wrong: the first that is not 9emu's count or GNU time's
// status line.
func programError(stderr string) string {
	for _, l := range strings.Split(stderr, "\n") {
		l = strings.TrimSpace(l)
		if l == "" || isCountLine(l) || strings.HasPrefix(l, "Command exited with") || strings.HasPrefix(l, "Command terminated by") {
			continue
		}
		return truncate(l, 160)
	}
	return ""
}

func firstLine(s string) string {
	l, _, _ := strings.Cut(strings.TrimSpace(s), "\n")
	return truncate(l, 100)
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}

// medianWall returns the median wall time of samples (0 for none).
func medianWall(ss []sample) time.Duration {
	var d []float64
	for _, s := range ss {
		d = append(d, float64(s.wall))
	}
	return time.Duration(median(d))
}

// medianCPU returns the median CPU time of samples (0 for none).
func medianCPU(ss []sample) time.Duration {
	var d []float64
	for _, s := range ss {
		d = append(d, float64(s.cpu))
	}
	return time.Duration(median(d))
}

// median returns the median of v (0 for none); v is not changed.
func median(v []float64) float64 {
	if len(v) == 0 {
		return 0
	}
	s := slices.Clone(v)
	slices.Sort(s)
	m := len(s) / 2
	if len(s)%2 == 1 {
		return s[m]
	}
	return (s[m-1] + s[m]) / 2
}

// capBuffer keeps the first max bytes written to it and discards the
// rest, so that a runaway program cannot fill the harness's memory.
type capBuffer struct {
	bytes.Buffer
	max int
}

func (b *capBuffer) Write(p []byte) (int, error) {
	if room := b.max - b.Len(); room > 0 {
		b.Buffer.Write(p[:min(len(p), room)])
	}
	return len(p), nil
}
