// Benchrun times the workloads in bench/testdata/work natively, under
// 9emu (built for plan9/386 and plan9/amd64) and, where installed, under
// qemu user-mode emulation, and reports per workload and system the median
// wall time, the slowdown against native, the guest instructions and MIPS
// (when 9emu has -count) and the peak memory.
//
// Usage, from the module root:
//
//	go run ./bench/cmd/benchrun [flags]
//
// Flags:
//
//	-n N         repetitions of every run (default 5); systems are interleaved
//	-work LIST   comma-separated workloads (default: all)
//	-arch LIST   guest architectures (default 386,amd64)
//	-sys LIST    systems to run: native, 9emu, qemu (default: all available)
//	-out DIR     where results.md, slowdown.svg and raw.txt go (default bench/out)
//	-9emu PATH   the 9emu binary (default: build ./cmd/9emu into a temporary directory)
//	-scale F     multiply every workload's amount of work by F (default 1)
//	-timeout D   per-run limit (default: 30s + 1000 × the native median)
//	-by wall|cpu compute slowdowns from wall time (default) or CPU time
//	-keep        keep the temporary directory of binaries
//
// Every workload prints one checksum line; a run whose output differs from
// the native run's, or that fails or times out, is reported as such and
// the harness carries on with the rest.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"time"
)

func main() {
	if err := run(os.Args[1:], os.Stdout, os.Stderr); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			os.Exit(0)
		}
		fmt.Fprintln(os.Stderr, "benchrun:", err)
		os.Exit(1)
	}
}

// config is the parsed command line.
type config struct {
	n       int
	works   []string // empty: all
	arches  []string
	systems map[string]bool // native, 9emu, qemu
	outDir  string
	emu     string
	scale   float64
	timeout time.Duration // 0: automatic
	byCPU   bool          // slowdowns from CPU time rather than wall time
	keep    bool
}

func parseFlags(args []string, stderr io.Writer) (*config, error) {
	fs := flag.NewFlagSet("benchrun", flag.ContinueOnError)
	fs.SetOutput(stderr)
	c := &config{}
	fs.IntVar(&c.n, "n", 5, "repetitions of every run")
	work := fs.String("work", "", "comma-separated workloads (default: all)")
	arch := fs.String("arch", "386,amd64", "comma-separated guest architectures")
	sys := fs.String("sys", "native,9emu,qemu", "comma-separated systems: native, 9emu, qemu (qemu only where installed)")
	fs.StringVar(&c.outDir, "out", "", "output directory (default bench/out in the module)")
	fs.StringVar(&c.emu, "9emu", "", "9emu binary (default: build ./cmd/9emu)")
	fs.Float64Var(&c.scale, "scale", 1, "multiply every workload's amount of work by `f`")
	fs.DurationVar(&c.timeout, "timeout", 0, "per-run time limit (default: 30s + 1000 × the native median)")
	fs.BoolVar(&c.keep, "keep", false, "keep the temporary directory of binaries")
	by := fs.String("by", "wall", "compute slowdowns from `wall` time or from cpu time (user+system; steadier on a loaded machine)")
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	if fs.NArg() != 0 {
		return nil, fmt.Errorf("unexpected arguments %q", fs.Args())
	}
	if c.n < 1 {
		return nil, fmt.Errorf("-n must be at least 1")
	}
	if c.scale <= 0 {
		return nil, fmt.Errorf("-scale must be positive")
	}
	switch *by {
	case "wall":
	case "cpu":
		c.byCPU = true
	default:
		return nil, fmt.Errorf("-by %s: want wall or cpu", *by)
	}
	c.works = splitList(*work)
	c.arches = splitList(*arch)
	for _, a := range c.arches {
		if a != "386" && a != "amd64" {
			return nil, fmt.Errorf("-arch %s: want 386 or amd64", a)
		}
	}
	c.systems = map[string]bool{}
	for _, s := range splitList(*sys) {
		if s != "native" && s != "9emu" && s != "qemu" {
			return nil, fmt.Errorf("-sys %s: want native, 9emu or qemu", s)
		}
		c.systems[s] = true
	}
	if !c.systems["native"] {
		// Slowdowns and checksums are against native runs.
		return nil, fmt.Errorf("-sys must include native")
	}
	return c, nil
}

func splitList(s string) []string {
	var l []string
	for _, f := range strings.Split(s, ",") {
		if f = strings.TrimSpace(f); f != "" {
			l = append(l, f)
		}
	}
	return l
}

// run is the whole command.
func run(args []string, stdout, stderr io.Writer) error {
	cfg, err := parseFlags(args, stderr)
	if err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	root, err := moduleRoot(ctx)
	if err != nil {
		return err
	}
	if cfg.outDir == "" {
		cfg.outDir = filepath.Join(root, "bench", "out")
	}
	works, err := selectWorkloads(root, cfg.works)
	if err != nil {
		return err
	}
	tmp, err := os.MkdirTemp("", "benchrun-")
	if err != nil {
		return err
	}
	if cfg.keep {
		fmt.Fprintf(stderr, "binaries in %s\n", tmp)
	} else {
		defer os.RemoveAll(tmp)
	}
	log := func(format string, a ...any) { fmt.Fprintf(stderr, format+"\n", a...) }

	emu := cfg.emu
	if cfg.systems["9emu"] && len(cfg.arches) > 0 {
		if emu == "" {
			log("building 9emu")
			emu = filepath.Join(tmp, "9emu"+exeSuffix(runtime.GOOS))
			if err := goBuild(ctx, root, "./cmd/9emu", emu, runtime.GOOS, runtime.GOARCH); err != nil {
				return fmt.Errorf("building 9emu: %v", err)
			}
		} else if emu, err = filepath.Abs(emu); err != nil {
			return err
		}
	}

	systems := planSystems(cfg, emu, tmp)
	if err := buildAll(ctx, root, works, systems, log); err != nil {
		return err
	}

	mach := probe(ctx, root, tmp, emu)
	log("peak memory from %s; 9emu -count: %s", mach.memSource, yesNo(mach.count))

	res := runAll(ctx, cfg, works, systems, mach, log)
	mach.loadEnd = loadAverage()
	if ctx.Err() != nil {
		log("interrupted: reporting what finished")
	}

	rep := newReport(cfg, works, systems, res, mach)
	rep.writeText(stdout)
	if err := os.MkdirAll(cfg.outDir, 0o755); err != nil {
		return err
	}
	var wrote []string
	for _, f := range []struct {
		name  string
		write func(io.Writer) error
	}{{"results.md", rep.writeMarkdown}, {"slowdown.svg", rep.writeSVG}, {"raw.txt", rep.writeRaw}} {
		name := filepath.Join(cfg.outDir, f.name)
		if err := writeFile(name, f.write); err != nil {
			return err
		}
		wrote = append(wrote, name)
	}
	if err := runBenchstat(ctx, cfg.outDir); err != nil {
		log("benchstat: %v", err)
	}
	log("wrote %s", strings.Join(wrote, ", "))
	return nil
}

func writeFile(name string, write func(io.Writer) error) error {
	f, err := os.Create(name)
	if err != nil {
		return err
	}
	if err := write(f); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "not supported (instruction columns are n/a)"
}
