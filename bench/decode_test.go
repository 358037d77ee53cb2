package bench

import (
	"path/filepath"
	"testing"

	"golang.org/x/arch/x86/x86asm"

	"9emu/aout"
)

// goHello returns the Go "hello, world" the repository carries, built for
// plan9/386 or plan9/amd64.
func goHello(is64 bool) string {
	name := "hello.386"
	if is64 {
		name = "hello.amd64"
	}
	return filepath.Join("..", "cmd", "9emu", "testdata", name)
}

// textInsts returns the start offsets of the instructions of the text of
// the a.out at path, decoded linearly (undecodable bytes are skipped).
func textInsts(tb testing.TB, path string, mode int) ([]byte, []int) {
	f, err := aout.Open(path)
	if err != nil {
		tb.Skipf("no test program: %v", err)
	}
	var offs []int
	for off := 0; off < len(f.Text); {
		inst, err := x86asm.Decode(f.Text[off:], mode)
		if err != nil || inst.Len == 0 {
			off++
			continue
		}
		offs = append(offs, off)
		off += inst.Len
	}
	return f.Text, offs
}

// BenchmarkDecode is the baseline the interpreter's decode cache is there
// to avoid paying more than once: x86asm.Decode of one instruction,
// cycling through every instruction of a Go program's text. ns/op is ns
// per instruction.
func BenchmarkDecode(b *testing.B) {
	for _, m := range []struct {
		name string
		is64 bool
		mode int
	}{{"386", false, 32}, {"amd64", true, 64}} {
		b.Run(m.name, func(b *testing.B) {
			text, offs := textInsts(b, goHello(m.is64), m.mode)
			b.ReportAllocs()
			i := 0
			for b.Loop() {
				if _, err := x86asm.Decode(text[offs[i]:], m.mode); err != nil {
					b.Fatal(err)
				}
				if i++; i == len(offs) {
					i = 0
				}
			}
		})
	}
}
