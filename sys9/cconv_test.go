package sys9

import (
	"encoding/binary"
	"testing"

	"9emu/aout"
	"9emu/cpu"
)

// On 386 the kernel skips the word at ESP (the stub's return address)
// and takes the arguments from ESP+4 in 4-byte slots, a vlong in two;
// it changes no register but EAX (§3.1).
func TestInt40Convention(t *testing.T) {
	a := newAsm(aout.Arch386)
	out := a.bytes(make([]byte, 64))
	buf := a.bytes(make([]byte, 16))
	a.sys(14, a.str("/f"), OREAD) // fd 3
	// pread(3, buf, 4, 0x0000000000000006) by hand, with a garbage
	// return address.
	a.pushImm(0)          // offset high word
	a.pushImm(6)          // offset low word
	a.pushImm(4)          // n
	a.pushImm(buf)        // buf
	a.pushImm(3)          // fd
	a.pushImm(0xDEADBEEF) // return address: ignored
	for i, r := range []int{cpu.RBX, cpu.RCX, cpu.RDX, cpu.RSI, cpu.RDI, cpu.RBP} {
		a.movImm(r, 0x1000+uint64(i))
	}
	a.movImm(cpu.RAX, 50)
	a.emit(0xCD, 0x40)
	for i, r := range []int{cpu.RAX, cpu.RBX, cpu.RCX, cpu.RDX, cpu.RSI, cpu.RDI, cpu.RBP, cpu.RSP} {
		a.store(out+uint64(4*i), r)
	}
	a.addSP(24)
	a.exitsDump("")
	r := runProg(t, a, runOpts{files: map[string]string{"f": "0123456789"}})
	if r.exit != "" {
		t.Fatalf("exit %q stderr %q", r.exit, r.stderr)
	}
	got := r.mem(t, out, 32)
	w := func(i int) uint32 { return binary.LittleEndian.Uint32(got[4*i:]) }
	if w(0) != 4 {
		t.Errorf("pread returned %d", int32(w(0)))
	}
	if s := string(r.mem(t, buf, 4)); s != "6789" {
		t.Errorf("pread read %q", s)
	}
	for i := 1; i <= 6; i++ {
		if w(i) != 0x1000+uint32(i-1) {
			t.Errorf("register %d changed to %#x", i, w(i))
		}
	}
}

// seek's vlong result goes through the pointer in the first argument on
// both architectures (§3.3); on failure the kernel stores nothing.
func TestSeekResultPointer(t *testing.T) {
	for _, arch := range arches {
		t.Run(arch.String(), func(t *testing.T) {
			a := newAsm(arch)
			res := a.bytes(cat(le64(0x1111), le64(0x2222), le64(0x3333)))
			rets := a.bytes(make([]byte, 24))
			a.sys(14, a.str("/f"), OREAD)
			a.sys(39, res, 3, 0x100000005, 0)
			a.store(rets, cpu.RAX)
			a.sys(39, res+8, 3, -3, 2)
			a.store(rets+8, cpu.RAX)
			a.sys(39, res+16, 99, 0, 0)
			a.store(rets+16, cpu.RAX)
			a.write(1, res, 24)
			a.exitsDump("")
			r := runProg(t, a, runOpts{files: map[string]string{"f": "0123456789"}})
			if r.exit != "" {
				t.Fatalf("exit %q stderr %q", r.exit, r.stderr)
			}
			want := string(cat(le64(0x100000005), le64(7), le64(0x3333)))
			if r.stdout != want {
				t.Errorf("results % x, want % x", r.stdout, want)
			}
			if r.word(t, rets) != 0 || r.word(t, rets+8) != 0 || r.word(t, rets+16) != minus1(arch) {
				t.Errorf("returns %#x %#x %#x", r.word(t, rets), r.word(t, rets+8), r.word(t, rets+16))
			}
		})
	}
}

// On amd64 the 32-bit kinds come from the low half of their 8-byte
// slot; the upper half is garbage (§3.2). Pointers and vlongs use all 8
// bytes.
func TestAMD64ArgWidths(t *testing.T) {
	tp := newTP(t, aout.ArchAMD64, tpOpts{})
	tp.hostFile("f", "0123456789", 0644)
	tp.open("/f", OREAD)
	const junk uint64 = 0xDEADBEEF00000000
	tp.fill()
	r := tp.call(50, junk|3, tp.scratch, junk|4, 2) // fd and n are 32-bit
	tp.ok("pread with junk above fd and n", r, 4)
	if s := string(tp.get(tp.scratch, 4)); s != "2345" {
		t.Errorf("read %q", s)
	}
	// n is a signed long: 0xFFFFFFFF in the low half is -1.
	r = tp.call(50, 3, tp.scratch, 0xFFFFFFFF, 0)
	if r.ret != -1 {
		t.Errorf("pread with n = -1 (low half) = %d %q", r.ret, r.err)
	}
	// The offset is a vlong: junk above it is part of it.
	r = tp.call(50, 3, tp.scratch, 4, junk|2)
	if r.ret != -1 || r.err != string(Enegoff) {
		t.Errorf("pread at offset %#x = %d %q", uint64(junk|2), r.ret, r.err)
	}
	// A pointer uses all 8 bytes.
	r = tp.call(50, 3, junk|tp.scratch, 4, 0)
	if r.ret != -1 || len(r.notes) != 1 || r.notes[0] != badAddrNote {
		t.Errorf("pread into %#x = %d %q %q", junk|tp.scratch, r.ret, r.err, r.notes)
	}
	// The result is the full RAX: -1 is all ones.
	r = tp.call(4, 99)
	if r.raw != ^uint64(0) {
		t.Errorf("RAX after a failure %#x", r.raw)
	}
}
