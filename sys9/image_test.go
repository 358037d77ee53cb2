package sys9

import (
	"os"
	"path/filepath"
	"testing"

	"9emu/aout"
	"9emu/mem"
)

// TestImageCache checks that processes running the same executable share
// one text segment (and so one decoded-code cache), and that a file
// changed on the host is read afresh.
func TestImageCache(t *testing.T) {
	for _, arch := range []aout.Arch{aout.Arch386, aout.ArchAMD64} {
		t.Run(arch.String(), func(t *testing.T) {
			tp := newTP(t, arch, tpOpts{})
			a := newAsm(arch)
			a.label("l")
			a.jmp("l")
			host := filepath.Join(tp.root, "prog")
			if err := os.WriteFile(host, a.image(), 0o755); err != nil {
				t.Fatal(err)
			}
			p := tp.p
			f1, c1, err := p.openExec("/prog")
			if err != nil {
				t.Fatal(err)
			}
			c1.decref(p)
			f2, c2, err := p.openExec("/prog")
			if err != nil {
				t.Fatal(err)
			}
			c2.decref(p)
			if f1 != f2 {
				t.Fatal("the same file was parsed twice")
			}
			text := p.k.images.text(f1)
			if text == nil {
				t.Fatal("no cached text segment")
			}
			if err := p.load(f1, "/prog", []string{"prog"}); err != nil {
				t.Fatal(err)
			}
			if got := p.mem.Find(mem.Text); got != text {
				t.Error("a loaded process does not map the cached text segment")
			}
			// Plant a different program under the same name.
			b := newAsm(arch)
			b.label("m")
			b.emit(0x90) // NOP
			b.jmp("m")
			if err := os.WriteFile(host, b.image(), 0o755); err != nil {
				t.Fatal(err)
			}
			f3, c3, err := p.openExec("/prog")
			if err != nil {
				t.Fatal(err)
			}
			c3.decref(p)
			if f3 == f1 {
				t.Fatal("a changed file was run from the cached copy")
			}
			if p.k.images.text(f3) == text {
				t.Error("a changed file shares the old text segment")
			}
		})
	}
}
