package sys9

import (
	"encoding/binary"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"9emu/aout"
)

// dirNames splits a directory read into records, checking that each is
// whole, and returns their names.
func dirNames(t *testing.T, b []byte) []string {
	t.Helper()
	var names []string
	for len(b) > 0 {
		if len(b) < 2 {
			t.Fatalf("partial record % x", b)
		}
		n := int(binary.LittleEndian.Uint16(b)) + 2
		if n > len(b) {
			t.Fatalf("record of %d bytes split (%d left)", n, len(b))
		}
		names = append(names, parseStat(t, b[:n]).name)
		b = b[n:]
	}
	return names
}

// readDir reads a whole directory with buffers of n bytes.
func readDir(t *testing.T, tp *tproc, name string, n int) []string {
	t.Helper()
	fd := tp.open(name, OREAD)
	defer tp.close(fd)
	var all []string
	for i := 0; ; i++ {
		r := tp.call(50, fd, tp.scratch, n, -1)
		if r.ret < 0 {
			t.Fatalf("read %s: %s", name, r.err)
		}
		if r.ret == 0 {
			return all
		}
		all = append(all, dirNames(t, tp.get(tp.scratch, int(r.ret)))...)
		if i > 1000 {
			t.Fatalf("directory read does not end")
		}
	}
}

func dirFixture(tp *tproc) {
	for _, n := range []string{"dd/a", "dd/bb", "dd/ccc"} {
		tp.hostFile(n, n, 0644)
	}
}

func TestDirRead(t *testing.T) {
	for _, arch := range arches {
		t.Run(arch.String(), func(t *testing.T) {
			tp := newTP(t, arch, tpOpts{})
			dirFixture(tp)
			want := []string{"a", "bb", "ccc"}
			if got := readDir(t, tp, "/dd", 4096); !slices.Equal(sorted(got), want) {
				t.Errorf("/dd = %q", got)
			}
			// A buffer just large enough for one record returns one at a time.
			one := len(statRec{name: "ccc", uid: "glenda", gid: "glenda", muid: "glenda"}.bytes())
			if got := readDir(t, tp, "/dd", one); !slices.Equal(sorted(got), want) {
				t.Errorf("/dd one by one = %q", got)
			}

			fd := tp.open("/dd", OREAD)
			r := tp.call(50, fd, tp.scratch, 10, -1)
			tp.fails("read dir with 10 bytes", r, string(Eshort))

			// Sequential reads with explicit offsets, and a rewind.
			r = tp.call(50, fd, tp.scratch, 4096, 0)
			if r.ret <= 0 {
				t.Fatalf("read at 0 = %d %q", r.ret, r.err)
			}
			first := r.ret
			r = tp.call(50, fd, tp.scratch, 4096, first)
			tp.ok("read at the end", r, 0)
			r = tp.call(50, fd, tp.scratch, 4096, 3)
			tp.fails("read at a bad offset", r, string(Edirseek))
			r = tp.call(50, fd, tp.scratch, 4096, 0)
			tp.ok("rewind", r, first)

			// seek(fd, 0, 0) rewinds the channel offset.
			tp.call(50, fd, tp.scratch, 4096, -1)
			tp.ok("seek", tp.call(39, tp.scratch+2048, fd, 0, 0), 0)
			r = tp.call(50, fd, tp.scratch, 4096, -1)
			tp.ok("read after seek", r, first)
		})
	}
}

func sorted(s []string) []string {
	s = slices.Clone(s)
	slices.Sort(s)
	return s
}

// The root is the union of the #/ skeleton and the host tree.
func TestDirReadRootUnion(t *testing.T) {
	tp := newTP(t, aout.ArchAMD64, tpOpts{})
	dirFixture(tp)
	tp.hostFile("top", "", 0644)
	got := readDir(t, tp, "/", 4096)
	var skel []string
	for _, e := range (&rootDev{k: tp.k}).ents() {
		if e.parent == 0 {
			skel = append(skel, e.name)
		}
	}
	if len(skel) < 5 {
		t.Fatalf("skeleton %q", skel)
	}
	if len(got) < len(skel) || !slices.Equal(got[:len(skel)], skel) {
		t.Fatalf("root listing %q does not start with the skeleton %q", got, skel)
	}
	if rest := sorted(got[len(skel):]); !slices.Equal(rest, []string{"dd", "top"}) {
		t.Errorf("host part of the root %q", rest)
	}
}

func TestDirReadDevices(t *testing.T) {
	tp := newTP(t, aout.ArchAMD64, tpOpts{env: []string{"B=2", "A=1"}})
	for _, c := range []struct {
		dir  string
		want []string
	}{
		{"#c", []string{"bintime", "cons", "consctl", "cputime", "drivers", "hostowner", "kprint", "null",
			"osversion", "pid", "ppid", "random", "swap", "sysname", "sysstat", "time", "user", "zero"}},
		{"/dev", []string{"bintime", "cons", "consctl", "cputime", "drivers", "hostowner", "kprint", "null",
			"osversion", "pid", "ppid", "random", "swap", "sysname", "sysstat", "time", "user", "zero"}},
		{"/env", []string{"B", "A", "cputype", "objtype"}},                   // in creation order
		{"#d", []string{"0", "0ctl", "1", "1ctl", "2", "2ctl", "3", "3ctl"}}, // 3 is the directory itself
		{"/proc", []string{"1"}},
		{"/proc/1", []string{"args", "ctl", "fd", "mem", "note", "noteid", "notepg", "ns", "ppid", "regs", "segment", "status", "text", "wait"}},
		{"/srv", nil},
	} {
		if got := readDir(t, tp, c.dir, 8192); !slices.Equal(got, c.want) {
			t.Errorf("%s = %q, want %q", c.dir, got, c.want)
		}
	}
}

func TestPipe(t *testing.T) {
	for _, arch := range arches {
		t.Run(arch.String(), func(t *testing.T) {
			tp := newTP(t, arch, tpOpts{})
			tp.ok("pipe", tp.call(21, tp.scratch+2048), 0)
			// Writes keep their boundaries, zero-length ones too, in
			// both directions.
			tp.writeStr(4, "ab")
			tp.ok("empty write", tp.call(51, 4, tp.str(""), 0, -1), 0)
			tp.writeStr(4, "cde")
			tp.writeStr(3, "back")
			for _, want := range []string{"ab", "", "cde"} {
				if s, r := tp.read(3, 100, -1); s != want || r.ret != int64(len(want)) {
					t.Errorf("read %q %d %q, want %q", s, r.ret, r.err, want)
				}
			}
			if s, _ := tp.read(4, 100, -1); s != "back" {
				t.Errorf("read on the other end %q", s)
			}
			// A short read takes part of a message; the rest comes next,
			// never joined with the following message.
			tp.writeStr(4, "12345")
			tp.writeStr(4, "67")
			for _, want := range []string{"123", "45", "67"} {
				if s, _ := tp.read(3, 3, -1); s != want {
					t.Errorf("read %q, want %q", s, want)
				}
			}
			// Writes above 64 KiB arrive in 64 KiB pieces.
			big := make([]byte, 100000)
			tp.put(tp.scratch+4096, big)
			tp.ok("big write", tp.call(51, 4, tp.scratch+4096, len(big), -1), int64(len(big)))
			tp.ok("first piece", tp.call(50, 3, tp.scratch+4096, 200000, -1), 65536)
			tp.ok("second piece", tp.call(50, 3, tp.scratch+4096, 200000, -1), 100000-65536)

			// A blocked read is interrupted by a note.
			tp.p.postnote("interrupt", noteUser, false)
			r := tp.call(50, 3, tp.scratch, 10, -1)
			tp.fails("read interrupted", r, string(Eintr))

			// The writer goes: three EOFs, then hangup.
			tp.close(4)
			for i := 0; i < 3; i++ {
				tp.ok("read at EOF", tp.call(50, 3, tp.scratch, 10, -1), 0)
			}
			tp.fails("fourth read at EOF", tp.call(50, 3, tp.scratch, 10, -1), string(Ehungup))
		})
	}
}

func TestPipeWriteClosed(t *testing.T) {
	for _, arch := range arches {
		t.Run(arch.String(), func(t *testing.T) {
			tp := newTP(t, arch, tpOpts{})
			tp.call(21, tp.scratch+2048)
			tp.close(3)
			r := tp.call(51, 4, tp.str("x"), 1, -1)
			tp.fails("write on closed pipe", r, string(Ehungup))
			if len(r.notes) != 1 || r.notes[0] != "sys: write on closed pipe" {
				t.Errorf("notes %q", r.notes)
			}
		})
	}
}

// The way Go's syscall.forkExec learns that exec worked: the child holds
// the write end of a pipe, opened close-on-exec through #d and then
// dup'ed to another fd; exec closes both, and the parent reads EOF.
func TestCloseOnExecFollowsDup(t *testing.T) {
	for _, arch := range arches {
		t.Run(arch.String(), func(t *testing.T) {
			tp := newTP(t, arch, tpOpts{})
			tp.call(21, tp.scratch+2048) // fds 3 and 4
			w := tp.open("#d/4", ORDWR|OCEXEC)
			tp.close(4)
			tp.ok("dup", tp.call(5, w, 9), 9)
			tp.p.fgrp.closeAll(tp.p, true) // what exec does
			for _, fd := range []int{w, 9} {
				tp.fails("closed at exec", tp.call(51, fd, tp.str("x"), 1, -1), string(Ebadfd))
			}
			tp.ok("read at EOF", tp.call(50, 3, tp.scratch, 10, -1), 0)
		})
	}
}

// A write that cannot finish fails as a whole, as on Plan 9: the pieces
// that fit stay queued, and the writer sees -1, not a short count (Go's
// os/exec tells a reader that went away by the error).
func TestPipeWriteFailsWhole(t *testing.T) {
	for _, arch := range arches {
		t.Run(arch.String(), func(t *testing.T) {
			tp := newTP(t, arch, tpOpts{})
			tp.call(21, tp.scratch+2048)
			n := pipeBuf + pipeAtomic
			tp.put(tp.scratch+4096, make([]byte, n))
			// The note is there before the write has to wait for room.
			tp.p.postnote("interrupt", noteUser, false)
			r := tp.call(51, 4, tp.scratch+4096, n, -1)
			tp.fails("interrupted write", r, string(Eintr))
			tp.ok("what fitted", tp.call(50, 3, tp.scratch+4096, n, -1), pipeAtomic)
		})
	}
}

// A symbolic link in the root tree cannot lead out of it.
func TestConfinement(t *testing.T) {
	outside := t.TempDir()
	os.WriteFile(filepath.Join(outside, "secret"), []byte("s"), 0644)
	tp := newTP(t, aout.ArchAMD64, tpOpts{})
	tp.hostFile("d/in", "in", 0644)
	links := map[string]string{
		"abs":    outside,
		"rel":    "../" + filepath.Base(outside),
		"deep":   "d/../../..",
		"inside": "d",
	}
	for name, target := range links {
		if err := os.Symlink(target, filepath.Join(tp.root, name)); err != nil {
			t.Skipf("symlink: %v", err)
		}
	}
	for _, c := range []struct {
		name string
		err  string
	}{
		{"/abs/secret", string(Enonexist)},
		{"/rel/secret", string(Enonexist)},
		{"/deep", string(Enonexist)},
		{"/../../../../" + filepath.Base(outside) + "/secret", string(Enonexist)},
		{"/d/../../secret", string(Enonexist)},
		{"/inside/in", ""},
	} {
		r := tp.call(14, tp.str(c.name), OREAD)
		if c.err == "" {
			if r.ret < 0 {
				t.Errorf("open %s: %s", c.name, r.err)
			} else {
				tp.close(int(r.ret))
			}
			continue
		}
		if r.ret != -1 || r.err != c.err {
			t.Errorf("open %s = %d %q, want %q", c.name, r.ret, r.err, c.err)
		}
	}
	got := readDir(t, tp, "/", 8192)
	for _, n := range []string{"abs", "rel", "deep"} {
		if slices.Contains(got, n) {
			t.Errorf("root listing shows the escaping link %s: %q", n, got)
		}
	}
	if !slices.Contains(got, "inside") {
		t.Errorf("root listing lacks the link inside the tree: %q", got)
	}
}

// A pipe bound into the name space and opened by name, as rc does with
// bind '#|' /n: what is written before the other end is first opened
// waits for it; once an end's last Chan closes, the other end reads EOF
// after the data, and a writer to the closed end fails, even if that end
// is opened again.
func TestPipeByName(t *testing.T) {
	for _, arch := range arches {
		t.Run(arch.String(), func(t *testing.T) {
			tp := newTP(t, arch, tpOpts{})
			tp.hostFile("n/x", "", 0644)
			tp.ok("bind", tp.call(2, tp.str("#|"), tp.str("/n"), MREPL), 0)
			w := tp.open("/n/data", OWRITE)
			tp.writeStr(w, "early")
			r := tp.open("/n/data1", OREAD)
			if got, res := tp.read(r, 100, -1); got != "early" {
				t.Errorf("read %q %q, want what was written before the open", got, res.err)
			}
			tp.writeStr(w, "late")
			tp.close(w)
			if got, _ := tp.read(r, 100, -1); got != "late" {
				t.Errorf("read %q after the writer closed, want its data first", got)
			}
			tp.ok("read at EOF", tp.call(50, r, tp.scratch, 10, -1), 0)
			tp.close(r)
			w = tp.open("/n/data", OWRITE)
			res := tp.call(51, w, tp.str("x"), 1, -1)
			tp.fails("write after the reader closed", res, string(Ehungup))
			if len(res.notes) != 1 || res.notes[0] != "sys: write on closed pipe" {
				t.Errorf("notes %q", res.notes)
			}
		})
	}
}
