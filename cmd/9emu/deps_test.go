package main

import (
	"go/build"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
)

// allowed is the import policy of DESIGN.md and STYLE.md §3.1: for each
// package of 9emu, the 9emu packages and outside modules it may import.
// The standard library is always allowed except where forbidden below.
var allowed = map[string][]string{
	"9emu/aout": {},
	"9emu/mem":  {},
	"9emu/cpu":  {"9emu/mem", "golang.org/x/arch/x86/x86asm"},
	"9emu/sys9": {"9emu/cpu", "9emu/mem", "9emu/aout"},
	// The command's tracer, debugger and profiler look at registers and
	// memory (cpu, mem), name and decode code (cmd/internal/disasm) and
	// write pprof files.
	"9emu/cmd/9emu": {"9emu/sys9", "9emu/aout", "9emu/cpu", "9emu/mem", "9emu/cmd/internal/disasm",
		"github.com/pkg/profile", "github.com/google/pprof/profile", "golang.org/x/term"},
	"9emu/cmd/9obj": {"9emu/aout", "9emu/cmd/internal/disasm"},
	// disasm names and decodes code for the commands: besides cpu, it is
	// the one place that decodes x86 itself. No emulator package may
	// import it.
	"9emu/cmd/internal/disasm": {"9emu/aout", "golang.org/x/arch/x86/x86asm"},
}

// forbiddenStd are standard packages a 9emu package must not use: cpu
// does no I/O and no printing.
var forbiddenStd = map[string][]string{
	"9emu/cpu": {"os", "log", "fmt/print"},
}

func TestDeps(t *testing.T) {
	_, file, _, _ := runtime.Caller(0)
	root := filepath.Join(filepath.Dir(file), "..", "..")
	for pkg, ok := range allowed {
		dir := filepath.Join(root, strings.TrimPrefix(pkg, "9emu/"))
		bp, err := build.ImportDir(dir, 0)
		if err != nil {
			t.Fatalf("%s: %v", pkg, err)
		}
		for _, imp := range bp.Imports {
			isOurs := strings.HasPrefix(imp, "9emu/")
			isModule := strings.Contains(strings.Split(imp, "/")[0], ".")
			if (isOurs || isModule) && !slices.Contains(ok, imp) {
				t.Errorf("%s imports %s, which the policy does not allow", pkg, imp)
			}
			if slices.Contains(forbiddenStd[pkg], imp) {
				t.Errorf("%s imports %s", pkg, imp)
			}
		}
	}
}
