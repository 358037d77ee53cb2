package sys9

import (
	"os"
	"path/filepath"
	"slices"
	"testing"

	"9emu/aout"
)

func TestCleanname(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"/", "/"},
		{"", "."},
		{".", "."},
		{"/a/b/../c", "/a/c"},
		{"/a/./b/", "/a/b"},
		{"//a//b", "/a/b"},
		{"/..", "/"},
		{"/../../x", "/x"},
		{"a/..", "."},
		{"a/../..", ".."},
		{"../a", "../a"},
		{"a/../../b", "../b"},
		{"#c/../c", "c"},
		{"/a/b/c/../../..", "/"},
	} {
		if got := cleanname(c.in); got != c.want {
			t.Errorf("cleanname(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

// The standard name space (§7.8): the kernel devices on their names.
func TestStandardBinds(t *testing.T) {
	for _, arch := range arches {
		t.Run(arch.String(), func(t *testing.T) {
			tp := newTP(t, arch, tpOpts{})
			for _, c := range []struct {
				name string
				typ  uint16
			}{
				{"/dev", 'c'}, {"/env", 'e'}, {"/proc", 'p'}, {"/fd", 'd'}, {"/srv", 's'},
				{"#c", 'c'}, {"#e", 'e'}, {"#p", 'p'}, {"#d", 'd'}, {"#s", 's'}, {"#|", '|'}, {"#/", '/'},
				{"/", '/'}, {"/dev/cons", 'c'}, {"/fd/0", 'd'},
			} {
				tp.fill()
				r := tp.call(42, tp.str(c.name), tp.scratch, winSize)
				if r.ret < 0 {
					t.Errorf("stat %s: %s", c.name, r.err)
					continue
				}
				if d := parseStat(t, tp.get(tp.scratch, int(r.ret))); d.typ != c.typ {
					t.Errorf("stat %s: type %q, want %q", c.name, rune(d.typ), rune(c.typ))
				}
			}
			// Names inside devices, with . and ..
			for _, n := range []string{"#c/null", "#c/./null", "#c/../null", "/dev/../dev/null", "#p/1/status",
				"/proc/1/../1/args", "#e/cputype", "/fd/../dev/zero"} {
				r := tp.call(14, tp.str(n), OREAD)
				if r.ret < 0 {
					t.Errorf("open %s: %s", n, r.err)
					continue
				}
				tp.close(int(r.ret))
			}
			// #c/.. is #c: device names are roots.
			tp.fill()
			if r := tp.call(42, tp.str("#c/.."), tp.scratch, winSize); r.ret < 0 {
				t.Errorf("stat #c/..: %s", r.err)
			} else if d := parseStat(t, tp.get(tp.scratch, int(r.ret))); d.typ != 'c' || d.qtype != QTDIR {
				t.Errorf("#c/.. is %+v", d)
			}
			if r := tp.call(14, tp.str("/bin/x"), OREAD); r.ret != -1 || r.err != string(Enonexist) {
				t.Errorf("unconfined /bin/x = %d %q", r.ret, r.err)
			}
		})
	}
}

// With Confine, /bin is the union of /$cputype/bin and /rc/bin.
func TestBinUnion(t *testing.T) {
	for _, arch := range arches {
		t.Run(arch.String(), func(t *testing.T) {
			root := t.TempDir()
			for _, f := range []string{"386/bin/x86only", "amd64/bin/amdonly", "386/bin/both", "amd64/bin/both", "rc/bin/script", "rc/bin/both"} {
				os.MkdirAll(filepath.Join(root, filepath.Dir(f)), 0755)
				os.WriteFile(filepath.Join(root, f), []byte(f), 0755)
			}
			tp := newTP(t, arch, tpOpts{confine: true, root: root})
			mine, other := "amdonly", "x86only"
			if arch == aout.Arch386 {
				mine, other = other, mine
			}
			if got := tp.readFile("/bin/"+mine, 100, 0); got != arch.String()+"/bin/"+mine {
				t.Errorf("/bin/%s = %q", mine, got)
			}
			if got := tp.readFile("/bin/both", 100, 0); got != arch.String()+"/bin/both" {
				t.Errorf("/bin/both = %q: the arch directory must come first", got)
			}
			if got := tp.readFile("/bin/script", 100, 0); got != "rc/bin/script" {
				t.Errorf("/bin/script = %q", got)
			}
			if r := tp.call(14, tp.str("/bin/"+other), OREAD); r.ret != -1 || r.err != string(Enonexist) {
				t.Errorf("/bin/%s = %d %q", other, r.ret, r.err)
			}
			got := readDir(t, tp, "/bin", 8192)
			want := append(sorted([]string{mine, "both"}), sorted([]string{"script", "both"})...)
			if !slices.Equal(append(sorted(got[:2]), sorted(got[2:])...), want) {
				t.Errorf("/bin lists %q, want %q (arch members first)", got, want)
			}
		})
	}
}

// bind(2) and unmount(2) by a process: replace, before, after, and the
// union's directory reads.
func TestBind(t *testing.T) {
	for _, arch := range arches {
		t.Run(arch.String(), func(t *testing.T) {
			tp := newTP(t, arch, tpOpts{})
			tp.hostFile("a/x", "ax", 0644)
			tp.hostFile("b/x", "bx", 0644)
			tp.hostFile("b/y", "by", 0644)
			tp.hostFile("m/z", "mz", 0644)
			tp.ok("bind -b", tp.call(2, tp.str("/a"), tp.str("/m"), MBEFORE), 0)
			tp.ok("bind -a", tp.call(2, tp.str("/b"), tp.str("/m"), MAFTER), 0)
			for n, want := range map[string]string{"/m/x": "ax", "/m/y": "by", "/m/z": "mz"} {
				if got := tp.readFile(n, 100, 0); got != want {
					t.Errorf("%s = %q, want %q", n, got, want)
				}
			}
			if got := readDir(t, tp, "/m", 8192); !slices.Equal(got, []string{"x", "z", "x", "y"}) {
				t.Errorf("/m lists %q, want a's, m's, then b's entries", got)
			}
			tp.ok("unmount /a", tp.call(35, tp.str("/a"), tp.str("/m")), 0)
			if got := tp.readFile("/m/x", 100, 0); got != "bx" {
				t.Errorf("/m/x after unmount = %q", got)
			}
			tp.ok("unmount all", tp.call(35, 0, tp.str("/m")), 0)
			if r := tp.call(14, tp.str("/m/y"), OREAD); r.ret != -1 {
				t.Errorf("/m/y after unmount all")
			}
			tp.ok("bind file", tp.call(2, tp.str("/b/y"), tp.str("/a/x"), MREPL), 0)
			if got := tp.readFile("/a/x", 100, 0); got != "by" {
				t.Errorf("/a/x bound to /b/y = %q", got)
			}
			tp.fails("bad flag", tp.call(2, tp.str("/a"), tp.str("/m"), MBEFORE|MAFTER), string(Ebadarg))
			tp.fails("file onto dir", tp.call(2, tp.str("/b/y"), tp.str("/m"), MREPL), string(Emount))
			tp.fails("unmount unbound", tp.call(35, 0, tp.str("/b")), string(Eunmount))
		})
	}
}

// Names are walked element by element, as Plan 9 does: a name that ends
// in "/" or "/." must be a directory, ".." only leaves a directory, and
// an element before ".." must exist (Go's path/filepath relies on the
// first two).
func TestWalkTrailingSlash(t *testing.T) {
	for _, arch := range arches {
		t.Run(arch.String(), func(t *testing.T) {
			root := t.TempDir()
			os.WriteFile(filepath.Join(root, "f"), []byte("f"), 0o644)
			os.Mkdir(filepath.Join(root, "d"), 0o755)
			tp := newTP(t, arch, tpOpts{confine: true, root: root})
			for _, c := range []struct {
				name string
				err  string // "" for success
			}{
				{"/f", ""}, {"/f/", string(Enotdir)}, {"/f//", string(Enotdir)}, {"/f/.", string(Enotdir)},
				{"/f//.", string(Enotdir)}, {"/f/..", string(Enotdir)}, {"/f//..", string(Enotdir)}, {"/f/./", string(Enotdir)},
				{"/d/", ""}, {"/d/.", ""}, {"/d/..", ""}, {"/d/../f", ""}, {"//d//./../f", ""}, {"/../../f", ""},
				{"/none/..", string(Enonexist)}, {"/f/x", string(Enotdir)}, {"#c/cons/", string(Enotdir)}, {"#c/./cons", ""},
			} {
				tp.fill()
				r := tp.call(42, tp.str(c.name), tp.scratch, winSize)
				switch {
				case c.err == "" && r.ret < 0:
					t.Errorf("stat %s: %s", c.name, r.err)
				case c.err != "" && (r.ret != -1 || r.err != c.err):
					t.Errorf("stat %s = %d %q, want %q", c.name, r.ret, r.err, c.err)
				}
			}
		})
	}
}
