package sys9

import (
	"encoding/binary"
	"os"
	"path/filepath"
	"testing"
)

// statRec encodes a Dir as §5.1 lays it out, independently of dir.go.
type statRec struct {
	typ                  uint16
	dev                  uint32
	qtype                uint8
	qvers                uint32
	qpath                uint64
	mode, atime, mtime   uint32
	length               uint64
	name, uid, gid, muid string
}

func (d statRec) bytes() []byte {
	var b []byte
	b = append(b, 0, 0) // size, below
	b = binary.LittleEndian.AppendUint16(b, d.typ)
	b = binary.LittleEndian.AppendUint32(b, d.dev)
	b = append(b, d.qtype)
	b = binary.LittleEndian.AppendUint32(b, d.qvers)
	b = binary.LittleEndian.AppendUint64(b, d.qpath)
	b = binary.LittleEndian.AppendUint32(b, d.mode)
	b = binary.LittleEndian.AppendUint32(b, d.atime)
	b = binary.LittleEndian.AppendUint32(b, d.mtime)
	b = binary.LittleEndian.AppendUint64(b, d.length)
	for _, s := range []string{d.name, d.uid, d.gid, d.muid} {
		b = binary.LittleEndian.AppendUint16(b, uint16(len(s)))
		b = append(b, s...)
	}
	binary.LittleEndian.PutUint16(b, uint16(len(b)-2))
	return b
}

// nullStat is libc's nulldir: every field "don't change".
func nullStat() statRec {
	return statRec{typ: 0xFFFF, dev: ^uint32(0), qtype: 0xFF, qvers: ^uint32(0), qpath: ^uint64(0),
		mode: ^uint32(0), atime: ^uint32(0), mtime: ^uint32(0), length: ^uint64(0)}
}

// parseStat decodes one record for checks.
func parseStat(t *testing.T, b []byte) statRec {
	t.Helper()
	le := binary.LittleEndian
	if len(b) < 49 || int(le.Uint16(b))+2 != len(b) {
		t.Fatalf("bad stat record % x", b)
	}
	d := statRec{typ: le.Uint16(b[2:]), dev: le.Uint32(b[4:]), qtype: b[8], qvers: le.Uint32(b[9:]),
		qpath: le.Uint64(b[13:]), mode: le.Uint32(b[21:]), atime: le.Uint32(b[25:]), mtime: le.Uint32(b[29:]),
		length: le.Uint64(b[33:])}
	o := 41
	var s [4]string
	for i := range s {
		n := int(le.Uint16(b[o:]))
		s[i] = string(b[o+2 : o+2+n])
		o += 2 + n
	}
	if o != len(b) {
		t.Fatalf("stat record has %d bytes after the strings", len(b)-o)
	}
	d.name, d.uid, d.gid, d.muid = s[0], s[1], s[2], s[3]
	return d
}

var now32 = uint32(fixedNow.Unix())

// consStat is the Dir of a #c file as the tests' kernel shows it.
func consStat(name string, path uint64, perm uint32) []byte {
	return statRec{typ: 'c', qpath: path, mode: perm, atime: now32, mtime: now32, name: name,
		uid: "glenda", gid: "glenda", muid: "glenda"}.bytes()
}

func TestStat(t *testing.T) {
	null := consStat("null", qNull, 0666)
	dev := statRec{typ: 'c', qtype: QTDIR, qpath: qConsDir, mode: DMDIR | 0555, atime: now32, mtime: now32,
		name: "dev", uid: "glenda", gid: "glenda", muid: "glenda"}.bytes()
	runCases(t, 42, fileFixture, []sysCase{
		{name: "dev null", call: consts(sarg("/dev/null"), buf(0), winSize), ret: int64(len(null)), win: null,
			trace: `stat("/dev/null", {buf}, 256) = 71 {'null' 'glenda' 'glenda' 'glenda' q (0000000000000007 0 00) m 0666 at 1700000000 mt 1700000000 l 0 t 99 d 0}`},
		{name: "device name", call: consts(sarg("#c/null"), buf(0), winSize), ret: int64(len(null)), win: null},
		{name: "exact size", call: consts(sarg("/dev/null"), buf(0), len(null)), ret: int64(len(null)), win: null},
		{name: "short buffer", call: consts(sarg("/dev/null"), buf(0), len(null)-1), ret: 2, win: null[:2]},
		{name: "two bytes", call: consts(sarg("/dev/null"), buf(0), 2), ret: 2, win: null[:2]},
		{name: "name as used", call: consts(sarg("/d/../dev/./null"), buf(0), winSize), ret: int64(len(null)), win: null},
		{name: "bound directory", call: consts(sarg("/dev"), buf(0), winSize), ret: int64(len(dev)), win: dev},
		{name: "host file", call: consts(sarg("/d/../f"), buf(0), winSize), anyRet: true,
			check: func(t *testing.T, tp *tproc, r callResult) {
				checkHostStat(t, tp, "f", tp.get(tp.scratch, int(r.ret)))
			}},
		{name: "nonexistent", call: consts(sarg("/nope"), buf(0), winSize), ret: -1, err: string(Enonexist)},
		{name: "bad name", call: consts(badp{}, buf(0), winSize), ret: -1, err: string(Ebadarg), notes: []string{badAddrNote}},
		{name: "bad buffer", call: consts(sarg("/dev/null"), badp{}, winSize), ret: -1, err: string(Ebadarg),
			notes: []string{badAddrNote}},
	})
}

// checkHostStat compares a stat record of a host file with the host's
// view of it.
func checkHostStat(t *testing.T, tp *tproc, name string, b []byte) {
	t.Helper()
	fi, err := os.Stat(filepath.Join(tp.root, name))
	if err != nil {
		t.Fatal(err)
	}
	d := parseStat(t, b)
	wantMode := uint32(fi.Mode().Perm())
	wantLen := uint64(fi.Size())
	wantQT := uint8(0)
	if fi.IsDir() {
		wantMode |= DMDIR
		wantLen = 0
		wantQT = QTDIR
	}
	if d.typ != 'M' || d.qtype != wantQT || d.mode != wantMode || d.length != wantLen ||
		d.name != filepath.Base(name) || d.uid != "glenda" || d.muid != "glenda" ||
		d.mtime != uint32(fi.ModTime().Unix()) || d.qpath == 0 {
		t.Errorf("stat of host %s = %+v", name, d)
	}
}

func TestFstat(t *testing.T) {
	null := consStat("null", qNull, 0666)
	runCases(t, 43, fileFixture, []sysCase{
		{name: "dev null", setup: func(tp *tproc) { tp.open("/dev/null", OREAD) }, call: consts(3, buf(0), winSize),
			ret: int64(len(null)), win: null, trace: `fstat(3, {buf}, 256) = 71 {'null' 'glenda' 'glenda' 'glenda' q (0000000000000007 0 00) m 0666 at 1700000000 mt 1700000000 l 0 t 99 d 0}`},
		{name: "short", setup: func(tp *tproc) { tp.open("/dev/null", OREAD) }, call: consts(3, buf(0), 10),
			ret: 2, win: null[:2]},
		{name: "pipe length", setup: func(tp *tproc) {
			tp.call(21, tp.scratch+1024)
			tp.writeStr(4, "hello")
		}, call: consts(3, buf(0), winSize), anyRet: true,
			check: func(t *testing.T, tp *tproc, r callResult) {
				// fstat of a pipe end: length = bytes available to read.
				r = tp.call(43, 3, tp.scratch, winSize)
				d := parseStat(t, tp.get(tp.scratch, int(r.ret)))
				if d.typ != '|' || d.length != 5 || d.name != "data" {
					t.Errorf("pipe stat %+v", d)
				}
			}},
		{name: "bad fd", call: consts(9, buf(0), winSize), ret: -1, err: string(Ebadfd)},
		{name: "bad buffer", setup: func(tp *tproc) { tp.open("/dev/null", OREAD) }, call: consts(3, badp{}, winSize),
			ret: -1, err: string(Ebadarg), notes: []string{badAddrNote}},
	})
}

func TestWstat(t *testing.T) {
	rename := nullStat()
	rename.name = "g"
	chmod := nullStat()
	chmod.mode = 0600
	trunc := nullStat()
	trunc.length = 3
	mtime := nullStat()
	mtime.mtime = 1000000
	toExisting := nullStat()
	toExisting.name = "ro"
	slash := nullStat()
	slash.name = "a/b"
	null := nullStat().bytes()
	badSize := append([]byte(nil), null...)
	binary.LittleEndian.PutUint16(badSize, uint16(len(null)))
	overrun := append([]byte(nil), null...)
	binary.LittleEndian.PutUint16(overrun[41:], 5) // name length runs past the end
	wstat := func(name string, d []byte, n int) func(tp *tproc) []any {
		return func(tp *tproc) []any {
			tp.put(tp.scratch+1024, d)
			return []any{tp.str(name), tp.scratch + 1024, n}
		}
	}
	runCases(t, 44, fileFixture, []sysCase{
		{name: "rename", call: wstat("/f", rename.bytes(), len(rename.bytes())), ret: int64(len(rename.bytes())),
			check: func(t *testing.T, tp *tproc, r callResult) {
				hostContent("0123456789", "g")(t, tp, r)
				hostGone("f")(t, tp, r)
			}},
		{name: "chmod", call: wstat("/f", chmod.bytes(), len(chmod.bytes())), ret: int64(len(chmod.bytes())),
			check: func(t *testing.T, tp *tproc, r callResult) {
				if m := hostMode(t, tp, "f"); m.Perm() != 0600 {
					t.Errorf("mode %v", m)
				}
				hostContent("0123456789", "f")(t, tp, r)
			}},
		{name: "truncate", call: wstat("/f", trunc.bytes(), len(trunc.bytes())), ret: int64(len(trunc.bytes())),
			check: hostContent("012", "f")},
		{name: "mtime", call: wstat("/f", mtime.bytes(), len(mtime.bytes())), ret: int64(len(mtime.bytes())),
			check: func(t *testing.T, tp *tproc, r callResult) {
				fi, _ := os.Stat(filepath.Join(tp.root, "f"))
				if fi.ModTime().Unix() != 1000000 {
					t.Errorf("mtime %v", fi.ModTime())
				}
			}},
		{name: "null dir changes nothing", call: wstat("/f", null, len(null)), ret: int64(len(null)),
			check: func(t *testing.T, tp *tproc, r callResult) {
				hostContent("0123456789", "f")(t, tp, r)
				if m := hostMode(t, tp, "f"); m.Perm() != 0644 {
					t.Errorf("mode %v", m)
				}
			}},
		{name: "rename onto existing", call: wstat("/f", toExisting.bytes(), len(toExisting.bytes())),
			ret: -1, err: string(Eexist), check: hostContent("r", "ro")},
		{name: "rename with slash", call: wstat("/f", slash.bytes(), len(slash.bytes())),
			ret: -1, err: string(Ebadchar)},
		{name: "too short", call: wstat("/f", null[:20], 20), ret: -1, err: string(Ebadstat),
			trace: `wstat("/f", ` + "{buf+1024}" + `, 20) = -1 'malformed stat buffer'`},
		{name: "size field wrong", call: wstat("/f", badSize, len(badSize)), ret: -1, err: string(Ebadstat)},
		{name: "string overruns", call: wstat("/f", overrun, len(overrun)), ret: -1, err: string(Ebadstat)},
		{name: "trailing byte", call: wstat("/f", append(append([]byte(nil), null...), 0), len(null)+1),
			ret: -1, err: string(Ebadstat)},
		{name: "nonexistent", call: wstat("/nope", chmod.bytes(), len(chmod.bytes())), ret: -1, err: string(Enonexist)},
		{name: "bad buffer", call: consts(sarg("/f"), badp{}, len(null)), ret: -1, err: string(Ebadarg),
			notes: []string{badAddrNote}},
	})
}

func TestFwstat(t *testing.T) {
	rename := nullStat()
	rename.name = "g"
	trunc := nullStat()
	trunc.length = 4
	null := nullStat().bytes()
	fwstat := func(d []byte, n int) func(tp *tproc) []any {
		return func(tp *tproc) []any {
			tp.put(tp.scratch+1024, d)
			return []any{3, tp.scratch + 1024, n}
		}
	}
	open := func(tp *tproc) { tp.open("/f", ORDWR) }
	runCases(t, 45, fileFixture, []sysCase{
		{name: "rename", setup: open, call: fwstat(rename.bytes(), len(rename.bytes())), ret: int64(len(rename.bytes())),
			check: func(t *testing.T, tp *tproc, r callResult) {
				hostContent("0123456789", "g")(t, tp, r)
				// The open file follows the rename.
				tp.writeStr(3, "AB")
				hostContent("AB23456789", "g")(t, tp, r)
			}},
		{name: "truncate", setup: open, call: fwstat(trunc.bytes(), len(trunc.bytes())), ret: int64(len(trunc.bytes())),
			check: hostContent("0123", "f")},
		{name: "malformed", setup: open, call: fwstat(null[:48], 48), ret: -1, err: string(Ebadstat)},
		{name: "bad fd", call: fwstat(null, len(null)), ret: -1, err: string(Ebadfd)},
	})
}

func TestRemove(t *testing.T) {
	runCases(t, 25, fileFixture, []sysCase{
		{name: "in a read-only directory", call: consts(sarg("/rodir/h")), ret: -1, err: string(Eperm)},
		{name: "file", call: consts(sarg("/f")), ret: 0, trace: `remove("/f") = 0`, check: hostGone("f")},
		{name: "relative", call: consts(sarg("d/g")), ret: 0, check: hostGone("d/g")},
		{name: "empty dir", call: consts(sarg("/empty")), ret: 0, check: hostGone("empty")},
		{name: "nonempty dir", call: consts(sarg("/d")), ret: -1, err: "directory not empty",
			check: hostContent("x", "d/g")},
		{name: "nonexistent", call: consts(sarg("/nope")), ret: -1, err: string(Enonexist),
			trace: `remove("/nope") = -1 'file does not exist'`},
		{name: "mount point", call: consts(sarg("/dev")), ret: -1, err: string(Eismtpt)},
		{name: "env variable", setup: func(tp *tproc) { tp.close(tp.create("/env/v", OWRITE, 0666)) },
			call: consts(sarg("/env/v")), ret: 0,
			check: func(t *testing.T, tp *tproc, r callResult) {
				if r := tp.call(14, tp.str("/env/v"), OREAD); r.ret != -1 || r.err != string(Enonexist) {
					t.Errorf("open after remove = %d %q", r.ret, r.err)
				}
			}},
		{name: "open file", setup: func(tp *tproc) { tp.open("/f", OREAD) }, call: consts(sarg("/f")), ret: 0,
			check: hostGone("f")},
		{name: "bad name", call: consts(badp{}), ret: -1, err: string(Ebadarg), notes: []string{badAddrNote}},
	})
}

func TestChdir(t *testing.T) {
	runCases(t, 3, fileFixture, []sysCase{
		{name: "dir", call: consts(sarg("/d")), ret: 0, trace: `chdir("/d") = 0`,
			check: func(t *testing.T, tp *tproc, r callResult) {
				fd := tp.open("g", OREAD)
				if s, _ := tp.read(fd, 10, -1); s != "x" {
					t.Errorf("relative read %q", s)
				}
				if r := tp.call(22, tp.str("new"), OWRITE, 0644); r.ret < 0 {
					t.Errorf("relative create: %q", r.err)
				}
				hostContent("", "d/new")(t, tp, r)
			}},
		{name: "relative", setup: func(tp *tproc) { tp.call(3, tp.str("/d")) }, call: consts(sarg("..")), ret: 0,
			check: func(t *testing.T, tp *tproc, r callResult) {
				tp.open("f", OREAD)
			}},
		{name: "bound dir", call: consts(sarg("/dev")), ret: 0,
			check: func(t *testing.T, tp *tproc, r callResult) {
				tp.open("null", OREAD)
			}},
		{name: "device", call: consts(sarg("#e")), ret: 0,
			check: func(t *testing.T, tp *tproc, r callResult) {
				tp.close(tp.create("#e/v", OWRITE, 0666))
				if r := tp.call(14, tp.str("v"), OREAD); r.ret < 0 {
					t.Errorf("open relative to #e: %q", r.err)
				}
			}},
		{name: "file", call: consts(sarg("/f")), ret: -1, err: string(Enotdir),
			trace: `chdir("/f") = -1 'not a directory'`,
			check: func(t *testing.T, tp *tproc, r callResult) {
				if tp.p.dot() != "/" {
					t.Errorf("dot %q after a failed chdir", tp.p.dot())
				}
			}},
		{name: "nonexistent", call: consts(sarg("/nope")), ret: -1, err: string(Enonexist)},
		{name: "bad name", call: consts(badp{}), ret: -1, err: string(Ebadarg), notes: []string{badAddrNote}},
	})
}

func TestFd2path(t *testing.T) {
	openAs := func(name string) func(tp *tproc) { return func(tp *tproc) { tp.open(name, OREAD) } }
	runCases(t, 23, fileFixture, []sysCase{
		{name: "cleaned name", setup: openAs("/d/./../d/g"), call: consts(3, buf(0), 100), ret: 0, win: []byte("/d/g\x00"),
			trace: `fd2path(3, {buf}, 100) = 0 "/d/g"`},
		{name: "relative name", setup: openAs("d/g"), call: consts(3, buf(0), 100), ret: 0, win: []byte("/d/g\x00")},
		{name: "truncated", setup: openAs("/d/g"), call: consts(3, buf(0), 3), ret: 0, win: []byte("/d\x00")},
		{name: "one byte", setup: openAs("/d/g"), call: consts(3, buf(0), 1), ret: 0, win: []byte("\x00")},
		{name: "zero", setup: openAs("/d/g"), call: consts(3, buf(0), 0), ret: 0},
		{name: "device name", setup: openAs("#c/null"), call: consts(3, buf(0), 100), ret: 0, win: []byte("#c/null\x00")},
		{name: "bound name", setup: openAs("/dev/null"), call: consts(3, buf(0), 100), ret: 0, win: []byte("/dev/null\x00")},
		{name: "console", call: consts(0, buf(0), 100), ret: 0, win: []byte("/dev/cons\x00")},
		{name: "pipe", setup: func(tp *tproc) { tp.call(21, tp.scratch+1024) }, call: consts(4, buf(0), 100), ret: 0,
			win: []byte("#|/data1\x00")},
		{name: "bad fd", call: consts(9, buf(0), 100), ret: -1, err: string(Ebadfd)},
		{name: "bad buffer", setup: openAs("/d/g"), call: consts(3, badp{}, 100), ret: -1, err: string(Ebadarg),
			notes: []string{badAddrNote}},
	})
}

func TestDup(t *testing.T) {
	sameChan := func(a, b int) func(t *testing.T, tp *tproc, r callResult) {
		return func(t *testing.T, tp *tproc, r callResult) {
			t.Helper()
			ca, err1 := tp.p.fgrp.get(a)
			cb, err2 := tp.p.fgrp.get(b)
			if err1 != nil || err2 != nil || ca != cb {
				t.Errorf("fds %d and %d are not the same channel", a, b)
			}
		}
	}
	open := func(tp *tproc) { tp.open("/f", OREAD) }
	runCases(t, 5, fileFixture, []sysCase{
		{name: "lowest", call: consts(0, -1), ret: 3, trace: `dup(0, -1) = 3`, check: sameChan(0, 3)},
		{name: "lowest hole", setup: func(tp *tproc) { open(tp); open(tp); tp.close(3) }, call: consts(4, -1), ret: 3,
			check: sameChan(3, 4)},
		{name: "given", call: consts(0, 10), ret: 10, check: sameChan(0, 10)},
		{name: "closes old", setup: open, call: consts(0, 3), ret: 3,
			check: func(t *testing.T, tp *tproc, r callResult) {
				sameChan(0, 3)(t, tp, r)
				tp.fill()
				tp.call(23, 3, tp.scratch, 100)
				if s := string(tp.get(tp.scratch, 10)); s != "/dev/cons\x00" {
					t.Errorf("fd 3 is %q", s)
				}
			}},
		{name: "onto itself", setup: open, call: consts(3, 3), ret: 3,
			check: func(t *testing.T, tp *tproc, r callResult) {
				if s, _ := tp.read(3, 3, -1); s != "012" {
					t.Errorf("read %q", s)
				}
			}},
		{name: "table growth limit", call: consts(0, 39), ret: 39},
		{name: "beyond growth", call: consts(0, 40), ret: -1, err: string(Ebadfd)},
		{name: "bad old", call: consts(9, -1), ret: -1, err: string(Ebadfd), trace: `dup(9, -1) = -1 'fd out of range or not open'`},
		{name: "bad new", call: consts(0, -2), ret: -1, err: string(Ebadfd)},
		// Close-on-exec belongs to the channel, which both fds share.
		{name: "shares close-on-exec", setup: func(tp *tproc) { tp.open("/f", OREAD|OCEXEC) }, call: consts(3, -1), ret: 4,
			check: func(t *testing.T, tp *tproc, r callResult) {
				if !cexec(tp, 4) || !cexec(tp, 3) {
					t.Errorf("close-on-exec: fd 3 %v, fd 4 %v", cexec(tp, 3), cexec(tp, 4))
				}
			}},
	})
}

func TestPipeCall(t *testing.T) {
	runCases(t, 21, nil, []sysCase{
		{name: "fds", call: consts(buf(0)), ret: 0, win: cat(le32(3), le32(4)), trace: `pipe({buf}) = 0 [3 4]`},
		{name: "lowest fds", setup: func(tp *tproc) { tp.call(5, 0, 5) }, call: consts(buf(0)), ret: 0,
			win: cat(le32(3), le32(4))},
		{name: "bad pointer", call: consts(badp{}), ret: -1, err: string(Ebadarg), notes: []string{badAddrNote},
			check: func(t *testing.T, tp *tproc, r callResult) {
				if _, err := tp.p.fgrp.get(3); err == nil {
					t.Errorf("fd 3 installed by a failed pipe")
				}
			}},
		{name: "read-only pointer", call: consts(textp{}), ret: -1, err: string(Ebadarg), notes: []string{badAddrNote}},
	})
}

func TestErrstr(t *testing.T) {
	// with puts s at the start of the window and returns the arguments.
	with := func(s string, v ...any) func(tp *tproc) []any {
		return func(tp *tproc) []any { tp.put(tp.scratch, []byte(s)); return v }
	}
	long := string(make([]byte, 0))
	for i := 0; i < 200; i++ {
		long += "x"
	}
	runCases(t, 41, nil, []sysCase{
		{name: "exchange", errstr0: "old error", call: with("new\x00", buf(0), 128), ret: 0,
			err: "new", win: []byte("old error\x00"), trace: `errstr({buf}, 128) = 0 "old error"`},
		{name: "read clears", errstr0: "old error", call: with("\x00", buf(0), 128), ret: 0,
			cleared: true, win: []byte("old error\x00")},
		{name: "clamped to ERRMAX", errstr0: "e", call: with(long, buf(0), 1000), ret: 0,
			err: long[:127], win: append([]byte("e\x00"), long[2:]...)},
		{name: "truncated old", errstr0: "abcdef", call: with("\x00", buf(0), 4), ret: 0,
			cleared: true, win: []byte("abc\x00")},
		{name: "utf-8 boundary", errstr0: "ab\u00e9cd", call: with("\x00", buf(0), 4), ret: 0,
			cleared: true, win: []byte("ab\x00")},
		{name: "new truncated", errstr0: "x", call: with("0123456789", buf(0), 5), ret: 0,
			err: "0123", win: []byte("x\x0023456789")},
		{name: "new truncated at utf-8", errstr0: "x", call: with("ab\u00e9cd\x00", buf(0), 4), ret: 0,
			err: "ab", win: []byte("x\x00\xc3\xa9cd\x00")},
		{name: "zero length", errstr0: "keep", call: consts(buf(0), 0), ret: -1, err: string(Ebadarg)},
		{name: "bad buffer", errstr0: "keep", call: consts(badp{}, 128), ret: -1, err: string(Ebadarg),
			notes: []string{badAddrNote}},
	})
}
