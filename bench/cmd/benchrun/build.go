package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
)

// A workload is one program in bench/testdata/work/<name>, plus any
// helper programs in its subdirectories (built next to it as
// <name>-<sub>).
type workload struct {
	name   string
	kind   string // kindCPU, kindRuntime or kindProcess
	dir    string // package path relative to the module root, "./bench/…"
	extras []string
}

// Workload kinds. Only kindCPU workloads enter the geometric mean: the
// others measure the operating system side (scheduler wake-ups,
// process creation) as much as the instruction rate.
const (
	kindCPU     = "cpu"
	kindRuntime = "runtime"
	kindProcess = "process"
)

// workOrder lists the known workloads in report order, with their kinds;
// other directories under bench/testdata/work are CPU workloads and come
// after, in name order.
var workOrder = []struct{ name, kind string }{
	{"sieve", kindCPU},
	{"hash", kindCPU},
	{"sha256", kindCPU},
	{"flate", kindCPU},
	{"sort", kindCPU},
	{"nbody", kindCPU},
	{"json", kindCPU},
	{"chan", kindRuntime},
	{"exec", kindProcess},
}

const workDir = "bench/testdata/work"

// moduleRoot returns the directory of the go.mod of the current module.
func moduleRoot(ctx context.Context) (string, error) {
	out, err := exec.CommandContext(ctx, "go", "env", "GOMOD").Output()
	if err != nil {
		return "", fmt.Errorf("go env GOMOD: %v", err)
	}
	mod := strings.TrimSpace(string(out))
	if mod == "" || mod == os.DevNull {
		return "", fmt.Errorf("not inside a Go module: run benchrun from the 9emu module")
	}
	root := filepath.Dir(mod)
	if _, err := os.Stat(filepath.Join(root, filepath.FromSlash(workDir))); err != nil {
		return "", fmt.Errorf("no %s in %s: run benchrun from the 9emu module", workDir, root)
	}
	return root, nil
}

// selectWorkloads finds the workloads, keeping those named in want (all
// if want is empty).
func selectWorkloads(root string, want []string) ([]*workload, error) {
	ents, err := os.ReadDir(filepath.Join(root, filepath.FromSlash(workDir)))
	if err != nil {
		return nil, err
	}
	var found []*workload
	for _, e := range ents {
		dir := filepath.Join(root, filepath.FromSlash(workDir), e.Name())
		if !e.IsDir() || !hasMain(dir) {
			continue
		}
		w := &workload{name: e.Name(), kind: kindCPU, dir: "./" + workDir + "/" + e.Name()}
		for _, k := range workOrder {
			if k.name == w.name {
				w.kind = k.kind
			}
		}
		subs, _ := os.ReadDir(dir)
		for _, s := range subs {
			if s.IsDir() && hasMain(filepath.Join(dir, s.Name())) {
				w.extras = append(w.extras, s.Name())
			}
		}
		found = append(found, w)
	}
	rank := func(name string) int {
		for i, k := range workOrder {
			if k.name == name {
				return i
			}
		}
		return len(workOrder)
	}
	slices.SortStableFunc(found, func(a, b *workload) int {
		if ra, rb := rank(a.name), rank(b.name); ra != rb {
			return ra - rb
		}
		return strings.Compare(a.name, b.name)
	})
	if len(want) == 0 {
		return found, nil
	}
	var sel []*workload
	for _, n := range want {
		i := slices.IndexFunc(found, func(w *workload) bool { return w.name == n })
		if i < 0 {
			var names []string
			for _, w := range found {
				names = append(names, w.name)
			}
			return nil, fmt.Errorf("no workload %q (have %s)", n, strings.Join(names, ", "))
		}
		sel = append(sel, found[i])
	}
	return sel, nil
}

func hasMain(dir string) bool {
	_, err := os.Stat(filepath.Join(dir, "main.go"))
	return err == nil
}

// A target is a GOOS/GOARCH the workloads are built for, in a directory
// of its own.
type target struct {
	goos, goarch string
	dir          string
	errs         map[string]string // workload name → build error
}

// A system is one way of running a target's binaries.
type system struct {
	name   string // "native", "9emu/386", "qemu/amd64"
	kind   string // "native", "9emu" or "qemu"
	t      *target
	prefix []string // the emulator and its flags, before the program
}

// qemuNames are the qemu user-mode emulators for Linux binaries.
var qemuNames = map[string]string{"386": "qemu-i386", "amd64": "qemu-x86_64"}

// planSystems lists the systems to run, native first, with the targets
// they need; binaries go under tmp.
func planSystems(cfg *config, emu, tmp string) []*system {
	targets := map[string]*target{}
	get := func(goos, goarch string) *target {
		k := goos + "-" + goarch
		if t := targets[k]; t != nil {
			return t
		}
		t := &target{goos: goos, goarch: goarch, dir: filepath.Join(tmp, k), errs: map[string]string{}}
		targets[k] = t
		return t
	}
	sys := []*system{{name: "native", kind: "native", t: get(runtime.GOOS, runtime.GOARCH)}}
	if cfg.systems["9emu"] && emu != "" {
		for _, a := range cfg.arches {
			sys = append(sys, &system{name: "9emu/" + a, kind: "9emu", t: get("plan9", a), prefix: []string{emu}})
		}
	}
	if cfg.systems["qemu"] && runtime.GOOS == "linux" {
		for _, a := range cfg.arches {
			if q, err := exec.LookPath(qemuNames[a]); err == nil {
				sys = append(sys, &system{name: "qemu/" + a, kind: "qemu", t: get("linux", a), prefix: []string{q}})
			}
		}
	}
	return sys
}

// buildAll builds every workload for every target. A workload that does
// not build is recorded against its target; only a failure to build
// anything at all is an error.
func buildAll(ctx context.Context, root string, works []*workload, systems []*system, log func(string, ...any)) error {
	done := map[*target]bool{}
	for _, s := range systems {
		t := s.t
		if done[t] {
			continue
		}
		done[t] = true
		if err := os.MkdirAll(t.dir, 0o755); err != nil {
			return err
		}
		log("building workloads for %s/%s", t.goos, t.goarch)
		for _, w := range works {
			out := filepath.Join(t.dir, w.name+exeSuffix(t.goos))
			err := goBuild(ctx, root, w.dir, out, t.goos, t.goarch)
			for _, x := range w.extras {
				if err != nil {
					break
				}
				err = goBuild(ctx, root, w.dir+"/"+x, filepath.Join(t.dir, w.name+"-"+x+exeSuffix(t.goos)), t.goos, t.goarch)
			}
			if err != nil {
				if ctx.Err() != nil {
					return ctx.Err()
				}
				t.errs[w.name] = err.Error()
				log("  %s: build failed: %v", w.name, err)
			}
		}
	}
	return nil
}

// goBuild builds the package pkg (relative to root) into out, for
// goos/goarch, without cgo. Other settings (GO386, GOAMD64, GOFLAGS)
// come from the environment.
func goBuild(ctx context.Context, root, pkg, out, goos, goarch string) error {
	cmd := exec.CommandContext(ctx, "go", "build", "-trimpath", "-o", out, pkg)
	cmd.Dir = root
	cmd.Env = append(os.Environ(), "GOOS="+goos, "GOARCH="+goarch, "CGO_ENABLED=0")
	var msg bytes.Buffer
	cmd.Stdout = &msg
	cmd.Stderr = &msg
	if err := cmd.Run(); err != nil {
		s := strings.TrimSpace(msg.String())
		if s == "" {
			s = err.Error()
		}
		return fmt.Errorf("%s", firstLines(s, 3))
	}
	return nil
}

func exeSuffix(goos string) string {
	if goos == "windows" {
		return ".exe"
	}
	return ""
}

// firstLines returns at most n lines of s, joined with "; ".
func firstLines(s string, n int) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	if len(lines) > n {
		lines = append(lines[:n], "…")
	}
	return strings.Join(lines, "; ")
}
