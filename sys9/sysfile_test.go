package sys9

import (
	"os"
	"path/filepath"
	"testing"
)

// fileFixture is the host tree of the file-call tables.
func fileFixture(tp *tproc) {
	tp.hostFile("f", "0123456789", 0644)
	tp.hostFile("d/g", "x", 0644)
	tp.hostFile("ro", "r", 0444)
	tp.hostFile("x", "#!/bin/rc", 0755)
	tp.hostFile("rodir/h", "h", 0644)
	os.Chmod(filepath.Join(tp.root, "rodir"), 0555)
	// Registered after TempDir's, so it runs before: the host must let
	// the cleanup remove rodir/h.
	tp.t.Cleanup(func() { os.Chmod(filepath.Join(tp.root, "rodir"), 0755) })
	os.Mkdir(filepath.Join(tp.root, "d2"), 0750)
	os.Chmod(filepath.Join(tp.root, "d2"), 0750)
	os.Mkdir(filepath.Join(tp.root, "empty"), 0755)
}

func hostMode(t *testing.T, tp *tproc, name string) os.FileMode {
	t.Helper()
	fi, err := os.Stat(filepath.Join(tp.root, filepath.FromSlash(name)))
	if err != nil {
		t.Fatalf("host %s: %v", name, err)
	}
	return fi.Mode()
}

func hostContent(want string, name string) func(t *testing.T, tp *tproc, r callResult) {
	return func(t *testing.T, tp *tproc, r callResult) {
		t.Helper()
		s, err := tp.hostRead(name)
		if err != nil || s != want {
			t.Errorf("host %s = %q, %v; want %q", name, s, err, want)
		}
	}
}

func hostGone(name string) func(t *testing.T, tp *tproc, r callResult) {
	return func(t *testing.T, tp *tproc, r callResult) {
		t.Helper()
		if _, err := os.Lstat(filepath.Join(tp.root, filepath.FromSlash(name))); !os.IsNotExist(err) {
			t.Errorf("host %s still exists (%v)", name, err)
		}
	}
}

// cexec reports the close-on-exec flag of fd.
func cexec(tp *tproc, fd int) bool {
	tp.p.fgrp.mu.Lock()
	defer tp.p.fgrp.mu.Unlock()
	return tp.p.fgrp.fd[fd].cexec.Load()
}

func TestOpen(t *testing.T) {
	runCases(t, 14, fileFixture, []sysCase{
		{name: "read", call: consts(sarg("/f"), OREAD), ret: 3, trace: `open("/f", OREAD) = 3`,
			check: func(t *testing.T, tp *tproc, r callResult) {
				if s, _ := tp.read(3, 100, -1); s != "0123456789" {
					t.Errorf("read %q", s)
				}
			}},
		{name: "write", call: consts(sarg("/f"), OWRITE), ret: 3, trace: `open("/f", OWRITE) = 3`,
			check: func(t *testing.T, tp *tproc, r callResult) {
				tp.fill()
				if r := tp.call(50, 3, tp.scratch, 1, -1); r.ret != -1 || r.err != string(Ebadusefd) {
					t.Errorf("read on write-only fd = %d %q", r.ret, r.err)
				}
			}},
		{name: "rdwr", call: consts(sarg("/f"), ORDWR), ret: 3},
		{name: "exec", call: consts(sarg("/x"), OEXEC), ret: 3, trace: `open("/x", OEXEC) = 3`},
		// Permissions are Plan 9's, whoever 9emu runs as on the host.
		{name: "exec without x", call: consts(sarg("/f"), OEXEC), ret: -1, err: string(Eperm)},
		{name: "trunc read-only", call: consts(sarg("/ro"), OREAD|OTRUNC), ret: -1, err: string(Eperm)},
		{name: "relative", call: consts(sarg("f"), OREAD), ret: 3},
		{name: "dotdot", call: consts(sarg("/d/../f"), OREAD), ret: 3},
		{name: "dotdot above root", call: consts(sarg("/../../f"), OREAD), ret: 3},
		{name: "trunc", call: consts(sarg("/f"), OWRITE|OTRUNC), ret: 3,
			trace: `open("/f", OWRITE|OTRUNC) = 3`, check: hostContent("", "f")},
		{name: "rclose", call: consts(sarg("/d/g"), ORDWR|ORCLOSE), ret: 3,
			check: func(t *testing.T, tp *tproc, r callResult) {
				if _, err := tp.hostRead("d/g"); err != nil {
					t.Fatalf("removed before close: %v", err)
				}
				tp.close(3)
				hostGone("d/g")(t, tp, r)
			}},
		{name: "rclose dup", call: consts(sarg("/d/g"), ORDWR|ORCLOSE), ret: 3,
			check: func(t *testing.T, tp *tproc, r callResult) {
				// Removal happens when the last reference goes.
				tp.call(5, 3, -1)
				tp.close(3)
				if _, err := tp.hostRead("d/g"); err != nil {
					t.Fatalf("removed while a dup is open: %v", err)
				}
				tp.close(4)
				hostGone("d/g")(t, tp, r)
			}},
		{name: "cexec", call: consts(sarg("/f"), OREAD|OCEXEC), ret: 3, trace: `open("/f", OREAD|OCEXEC) = 3`,
			check: func(t *testing.T, tp *tproc, r callResult) {
				if !cexec(tp, 3) {
					t.Errorf("close-on-exec not set")
				}
			}},
		{name: "lowest fd", setup: func(tp *tproc) {
			tp.open("/f", OREAD)
			tp.open("/f", OREAD)
			tp.close(3)
		}, call: consts(sarg("/f"), OREAD), ret: 3},
		{name: "nonexistent", call: consts(sarg("/nope"), OREAD), ret: -1, err: string(Enonexist),
			trace: `open("/nope", OREAD) = -1 'file does not exist'`},
		{name: "nonexistent dir", call: consts(sarg("/nope/x"), OREAD), ret: -1, err: string(Enonexist)},
		{name: "walk through file", call: consts(sarg("/f/x"), OREAD), ret: -1, err: string(Enotdir)},
		{name: "empty name", call: consts(sarg(""), OREAD), ret: -1, err: string(Enonexist)},
		{name: "OEXCL", call: consts(sarg("/f"), OREAD|OEXCL), ret: -1, err: string(Ebadarg)},
		{name: "mode 4", call: consts(sarg("/f"), 4), ret: -1, err: string(Ebadarg)},
		{name: "mode 0x80", call: consts(sarg("/f"), 0x80), ret: -1, err: string(Ebadarg)},
		{name: "high bits", call: consts(sarg("/f"), 0x10000), ret: -1, err: string(Ebadarg)},
		{name: "dir read", call: consts(sarg("/d"), OREAD), ret: 3},
		{name: "dir write", call: consts(sarg("/d"), OWRITE), ret: -1, err: string(Eisdir)},
		{name: "dir rdwr", call: consts(sarg("/d"), ORDWR), ret: -1, err: string(Eisdir)},
		{name: "permission", call: consts(sarg("/ro"), OWRITE), ret: -1, err: string(Eperm)},
		{name: "device", call: consts(sarg("#c/null"), OWRITE), ret: 3, trace: `open("#c/null", OWRITE) = 3`},
		{name: "unknown device", call: consts(sarg("#Z/x"), OREAD), ret: -1, err: string(Ebadsharp)},
		{name: "bad name pointer", call: consts(badp{}, OREAD), ret: -1, err: string(Ebadarg),
			notes: []string{badAddrNote}},
		{name: "name not terminated", call: func(tp *tproc) []any {
			// A name running into unmapped memory.
			_, top := tp.p.bss.Bounds()
			a := uint64(top) - 3
			tp.put(a, []byte("abc"))
			return []any{a, OREAD}
		}, ret: -1, err: string(Ebadarg), notes: []string{badAddrNote}},
	})
}

func TestCreate(t *testing.T) {
	runCases(t, 22, fileFixture, []sysCase{
		{name: "in a read-only directory", call: consts(sarg("/rodir/new"), ORDWR, 0644), ret: -1, err: string(Eperm)},
		{name: "trailing slash", call: consts(sarg("/new/"), ORDWR, 0644), ret: -1, err: string(Enotdir)},
		{name: "new in root", call: consts(sarg("/new"), ORDWR, 0644), ret: 3,
			trace: `create("/new", ORDWR, 0644) = 3`, check: hostContent("", "new")},
		{name: "new relative in root", call: consts(sarg("new"), OWRITE, 0644), ret: 3, check: hostContent("", "new")},
		{name: "new in dir", call: consts(sarg("/d/new"), ORDWR, 0644), ret: 3,
			trace: `create("/d/new", ORDWR, 0644) = 3`,
			check: func(t *testing.T, tp *tproc, r callResult) {
				tp.writeStr(3, "abc")
				hostContent("abc", "d/new")(t, tp, r)
				if m := hostMode(t, tp, "d/new"); m.Perm() != 0644 {
					t.Errorf("mode %v", m)
				}
			}},
		{name: "existing truncates", call: consts(sarg("/f"), OWRITE, 0600), ret: 3,
			check: func(t *testing.T, tp *tproc, r callResult) {
				hostContent("", "f")(t, tp, r)
				if m := hostMode(t, tp, "f"); m.Perm() != 0644 {
					t.Errorf("mode changed to %v", m)
				}
			}},
		{name: "OEXCL existing", call: consts(sarg("/d/g"), OWRITE|OEXCL, 0644), ret: -1, err: string(Eexist),
			trace: `create("/d/g", OWRITE|OEXCL, 0644) = -1 'file already exists'`, check: hostContent("x", "d/g")},
		{name: "OEXCL new", call: consts(sarg("/d/h"), OWRITE|OEXCL, 0644), ret: 3, check: hostContent("", "d/h")},
		{name: "no parent", call: consts(sarg("/nope/x"), OWRITE, 0644), ret: -1, err: string(Enonexist)},
		{name: "parent is a file", call: consts(sarg("/f/x"), OWRITE, 0644), ret: -1, err: string(Enotdir)},
		{name: "directory", call: consts(sarg("/d/sub"), OREAD, uint64(DMDIR|0755)), ret: 3,
			check: func(t *testing.T, tp *tproc, r callResult) {
				if m := hostMode(t, tp, "d/sub"); !m.IsDir() || m.Perm() != 0755 {
					t.Errorf("mode %v", m)
				}
			}},
		{name: "file perm masked by dir", call: consts(sarg("/d2/x"), OWRITE, 0666), ret: 3,
			check: func(t *testing.T, tp *tproc, r callResult) {
				// perm & (~0666 | dirperm&0666) with dirperm 0750.
				if m := hostMode(t, tp, "d2/x"); m.Perm() != 0640 {
					t.Errorf("mode %v, want 0640", m)
				}
			}},
		{name: "dir perm masked by dir", call: consts(sarg("/d2/y"), OREAD, uint64(DMDIR|0777)), ret: 3,
			check: func(t *testing.T, tp *tproc, r callResult) {
				if m := hostMode(t, tp, "d2/y"); m.Perm() != 0750 {
					t.Errorf("mode %v, want 0750", m)
				}
			}},
		{name: "bad mode", call: consts(sarg("/d/x"), 0x80, 0644), ret: -1, err: string(Ebadarg)},
		{name: "empty name", call: consts(sarg(""), OWRITE, 0644), ret: -1, err: string(Enonexist)},
		{name: "rclose", call: consts(sarg("/d/tmp"), ORDWR|ORCLOSE, 0644), ret: 3,
			check: func(t *testing.T, tp *tproc, r callResult) {
				hostContent("", "d/tmp")(t, tp, r)
				tp.close(3)
				hostGone("d/tmp")(t, tp, r)
			}},
		{name: "cexec", call: consts(sarg("/d/c"), OWRITE|OCEXEC, 0644), ret: 3,
			check: func(t *testing.T, tp *tproc, r callResult) {
				if !cexec(tp, 3) {
					t.Errorf("close-on-exec not set")
				}
			}},
		{name: "env", call: consts(sarg("/env/v"), OWRITE, 0666), ret: 3,
			check: func(t *testing.T, tp *tproc, r callResult) {
				tp.writeStr(3, "val")
				fd := tp.open("/env/v", OREAD)
				if s, _ := tp.read(fd, 100, -1); s != "val" {
					t.Errorf("/env/v = %q", s)
				}
			}},
		{name: "bad name pointer", call: consts(badp{}, OWRITE, 0644), ret: -1, err: string(Ebadarg),
			notes: []string{badAddrNote}},
	})
}

func TestClose(t *testing.T) {
	open := func(tp *tproc) { tp.open("/f", OREAD) }
	runCases(t, 4, fileFixture, []sysCase{
		{name: "open fd", setup: open, call: consts(3), ret: 0, trace: `close(3) = 0`,
			check: func(t *testing.T, tp *tproc, r callResult) {
				if _, err := tp.p.fgrp.get(3); err == nil {
					t.Errorf("fd 3 still open")
				}
			}},
		{name: "stdin", call: consts(0), ret: 0},
		{name: "twice", setup: func(tp *tproc) { open(tp); tp.close(3) }, call: consts(3), ret: -1, err: string(Ebadfd),
			trace: `close(3) = -1 'fd out of range or not open'`},
		{name: "never opened", call: consts(7), ret: -1, err: string(Ebadfd)},
		{name: "negative", call: consts(-1), ret: -1, err: string(Ebadfd)},
		{name: "huge", call: consts(1 << 30), ret: -1, err: string(Ebadfd)},
	})
}

func TestPread(t *testing.T) {
	open := func(tp *tproc) { tp.open("/f", OREAD) }
	runCases(t, 50, fileFixture, []sysCase{
		{name: "channel offset", setup: func(tp *tproc) { open(tp); tp.read(3, 4, -1) },
			call: consts(3, buf(0), 4, -1), ret: 4, win: []byte("4567"), trace: `pread(3, {buf}, 4, -1) = 4 "4567"`,
			check: func(t *testing.T, tp *tproc, r callResult) {
				if s, _ := tp.read(3, 100, -1); s != "89" {
					t.Errorf("next read %q", s)
				}
			}},
		{name: "dup shares offset", setup: func(tp *tproc) {
			open(tp)
			tp.call(5, 3, -1)
			tp.read(3, 3, -1)
		}, call: consts(4, buf(0), 4, -1), ret: 4, win: []byte("3456"),
			check: func(t *testing.T, tp *tproc, r callResult) {
				if s, _ := tp.read(3, 100, -1); s != "789" {
					t.Errorf("read on the other fd %q", s)
				}
			}},
		{name: "explicit offset", setup: open, call: consts(3, buf(0), 4, 6), ret: 4, win: []byte("6789"),
			trace: `pread(3, {buf}, 4, 6) = 4 "6789"`,
			check: func(t *testing.T, tp *tproc, r callResult) {
				if s, _ := tp.read(3, 2, -1); s != "01" {
					t.Errorf("explicit offset moved the channel offset: %q", s)
				}
			}},
		{name: "offset above 4G", setup: open, call: consts(3, buf(0), 4, 1<<32+2), ret: 0},
		{name: "past end", setup: open, call: consts(3, buf(0), 4, 100), ret: 0},
		{name: "short", setup: open, call: consts(3, buf(0), 20, 0), ret: 10, win: []byte("0123456789")},
		{name: "zero count", setup: open, call: consts(3, buf(0), 0, 0), ret: 0},
		{name: "negative offset", setup: open, call: consts(3, buf(0), 4, -2), ret: -1, err: string(Enegoff),
			trace: `pread(3, {buf}, 4, -2) = -1 'negative i/o offset'`},
		{name: "write-only fd", setup: func(tp *tproc) { tp.open("/f", OWRITE) }, call: consts(3, buf(0), 4, -1),
			ret: -1, err: string(Ebadusefd)},
		{name: "bad fd", call: consts(9, buf(0), 4, -1), ret: -1, err: string(Ebadfd)},
		{name: "unmapped buffer", setup: open, call: consts(3, badp{}, 4, -1), ret: -1, err: string(Ebadarg),
			notes: []string{badAddrNote},
			check: func(t *testing.T, tp *tproc, r callResult) {
				if s, _ := tp.read(3, 4, -1); s != "0123" {
					t.Errorf("failed read moved the offset: %q", s)
				}
			}},
		{name: "read-only buffer", setup: open, call: consts(3, textp{}, 4, -1), ret: -1, err: string(Ebadarg),
			notes: []string{badAddrNote}},
	})
}

func TestPwrite(t *testing.T) {
	open := func(tp *tproc) { tp.open("/f", OWRITE) }
	runCases(t, 51, fileFixture, []sysCase{
		{name: "channel offset", setup: func(tp *tproc) { open(tp); tp.writeStr(3, "ab") },
			call: consts(3, sarg("cd"), 2, -1), ret: 2, trace: `pwrite(3, "cd", 2, -1) = 2`,
			check: hostContent("abcd456789", "f")},
		{name: "explicit offset", setup: open, call: consts(3, sarg("XY"), 2, 8), ret: 2,
			check: func(t *testing.T, tp *tproc, r callResult) {
				tp.writeStr(3, "A")
				hostContent("A1234567XY", "f")(t, tp, r)
			}},
		{name: "extends", setup: open, call: consts(3, sarg("ZZ"), 2, 12), ret: 2,
			check: hostContent("0123456789\x00\x00ZZ", "f")},
		{name: "stdout", call: consts(1, sarg("hi"), 2, -1), ret: 2,
			check: func(t *testing.T, tp *tproc, r callResult) {
				if tp.out.String() != "hi" {
					t.Errorf("stdout %q", tp.out.String())
				}
			}},
		{name: "stderr", call: consts(2, sarg("oops"), 4, -1), ret: 4,
			check: func(t *testing.T, tp *tproc, r callResult) {
				if tp.errw.String() != "oops" || tp.out.String() != "" {
					t.Errorf("stderr %q stdout %q", tp.errw.String(), tp.out.String())
				}
			}},
		{name: "zero count", setup: open, call: consts(3, sarg(""), 0, -1), ret: 0, check: hostContent("0123456789", "f")},
		{name: "read-only fd", setup: func(tp *tproc) { tp.open("/f", OREAD) }, call: consts(3, sarg("x"), 1, -1),
			ret: -1, err: string(Ebadusefd), trace: `pwrite(3, "x", 1, -1) = -1 'inappropriate use of fd'`},
		{name: "negative offset", setup: open, call: consts(3, sarg("x"), 1, -5), ret: -1, err: string(Enegoff)},
		{name: "bad fd", call: consts(9, sarg("x"), 1, -1), ret: -1, err: string(Ebadfd)},
		{name: "unmapped buffer", setup: open, call: consts(3, badp{}, 4, -1), ret: -1, err: string(Ebadarg),
			notes: []string{badAddrNote}, check: hostContent("0123456789", "f")},
	})
}

func TestSeek(t *testing.T) {
	open := func(tp *tproc) { tp.open("/f", OREAD) }
	pipe := func(tp *tproc) { tp.call(21, tp.scratch+1024) }
	runCases(t, 39, fileFixture, []sysCase{
		{name: "whence 0", setup: open, call: consts(buf(0), 3, 5, 0), ret: 0, win: le64(5),
			trace: `seek({buf}, 3, 5, 0) = 0 [5]`,
			check: func(t *testing.T, tp *tproc, r callResult) {
				if s, _ := tp.read(3, 100, -1); s != "56789" {
					t.Errorf("read after seek %q", s)
				}
			}},
		{name: "whence 1", setup: func(tp *tproc) { open(tp); tp.read(3, 4, -1) }, call: consts(buf(0), 3, 2, 1),
			ret: 0, win: le64(6)},
		{name: "whence 1 back", setup: func(tp *tproc) { open(tp); tp.read(3, 4, -1) }, call: consts(buf(0), 3, -3, 1),
			ret: 0, win: le64(1)},
		{name: "whence 2", setup: open, call: consts(buf(0), 3, -3, 2), ret: 0, win: le64(7)},
		{name: "above 4G", setup: open, call: consts(buf(0), 3, 1<<32+7, 0), ret: 0, win: le64(1<<32 + 7)},
		{name: "dup shares offset", setup: func(tp *tproc) { open(tp); tp.call(5, 3, -1) }, call: consts(buf(0), 4, 8, 0),
			ret: 0, win: le64(8),
			check: func(t *testing.T, tp *tproc, r callResult) {
				if s, _ := tp.read(3, 100, -1); s != "89" {
					t.Errorf("read on the other fd %q", s)
				}
			}},
		{name: "negative result", setup: open, call: consts(buf(0), 3, -11, 2), ret: -1, err: string(Enegoff)},
		{name: "negative whence 0", setup: open, call: consts(buf(0), 3, -1, 0), ret: -1, err: string(Enegoff)},
		{name: "bad whence", setup: open, call: consts(buf(0), 3, 0, 3), ret: -1, err: string(Ebadarg)},
		{name: "pipe", setup: pipe, call: consts(buf(0), 3, 0, 0), ret: -1, err: string(Eisstream),
			trace: `seek({buf}, 3, 0, 0) = -1 'seek on a stream'`},
		{name: "console", call: consts(buf(0), 1, 0, 0), ret: -1, err: string(Eisstream)},
		{name: "dir rewind", setup: func(tp *tproc) { tp.open("/d", OREAD) }, call: consts(buf(0), 3, 0, 0), ret: 0, win: le64(0)},
		{name: "dir nonzero", setup: func(tp *tproc) { tp.open("/d", OREAD) }, call: consts(buf(0), 3, 5, 0),
			ret: -1, err: string(Eisdir)},
		{name: "dir whence 1", setup: func(tp *tproc) { tp.open("/d", OREAD) }, call: consts(buf(0), 3, 0, 1),
			ret: -1, err: string(Eisdir)},
		{name: "dir whence 2", setup: func(tp *tproc) { tp.open("/d", OREAD) }, call: consts(buf(0), 3, 0, 2),
			ret: -1, err: string(Eisdir)},
		{name: "bad fd", call: consts(buf(0), 9, 0, 0), ret: -1, err: string(Ebadfd)},
		{name: "bad result pointer", setup: open, call: consts(badp{}, 3, 4, 0), ret: -1, err: string(Ebadarg),
			notes: []string{badAddrNote},
			check: func(t *testing.T, tp *tproc, r callResult) {
				// The kernel validates the pointer before seeking.
				if s, _ := tp.read(3, 2, -1); s != "01" {
					t.Errorf("failed seek moved the offset: read %q", s)
				}
			}},
	})
}

// oseek (16) returns the new offset itself.
func TestOseek(t *testing.T) {
	open := func(tp *tproc) { tp.open("/f", OREAD) }
	runCases(t, 16, fileFixture, []sysCase{
		{name: "whence 2", setup: open, call: consts(3, -4, 2), ret: 6},
		{name: "negative", setup: open, call: consts(3, -4, 0), ret: -1, err: string(Enegoff)},
	})
}
