// Files exercises the file system calls Go's os package makes, inside the
// directory named by its only argument, and prints a transcript that must be
// the same on every operating system: errors appear as normalized facts
// (os.IsNotExist, os.IsExist, "error"), never as text, and the raw error goes
// to standard error for debugging. It exits 1 if anything unexpected
// happened. It leaves exactly one file behind, final.txt holding "final\n",
// for the caller to find on the host.
package main

import (
	"bufio"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"
)

var failed bool

// ok reports whether err is nil; otherwise it records a failure and prints
// what failed (the error text only on standard error).
func ok(what string, err error) bool {
	if err == nil {
		return true
	}
	failed = true
	fmt.Printf("%s: unexpected error\n", what)
	fmt.Fprintf(os.Stderr, "%s: %v\n", what, err)
	return false
}

// expectErr prints the normalized kind of an error that should have occurred.
func expectErr(what string, err error) {
	if err == nil {
		failed = true
		fmt.Printf("%s: unexpectedly succeeded\n", what)
		return
	}
	fmt.Printf("%s: error notexist=%v exist=%v\n", what, os.IsNotExist(err), os.IsExist(err))
}

func describe(what string, fi os.FileInfo) {
	fmt.Printf("%s: name=%q dir=%v regular=%v", what, fi.Name(), fi.IsDir(), fi.Mode().IsRegular())
	if fi.Mode().IsRegular() {
		fmt.Printf(" size=%d", fi.Size())
	}
	fmt.Println()
}

func content(what, path string) {
	b, err := os.ReadFile(path)
	if ok(what, err) {
		fmt.Printf("%s: %q\n", what, b)
	}
}

func stat(what, path string) {
	fi, err := os.Stat(path)
	if ok(what, err) {
		describe(what, fi)
	}
}

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: files dir")
		os.Exit(2)
	}
	dir := os.Args[1]
	a := filepath.Join(dir, "a.txt")
	b := filepath.Join(dir, "b.txt")
	c := filepath.Join(dir, "c.txt")
	sub := filepath.Join(dir, "sub")
	missing := filepath.Join(dir, "missing")

	// Create, write, read back, seek with every whence.
	f, err := os.Create(a)
	if !ok("create", err) {
		os.Exit(1)
	}
	n, err := f.Write([]byte("hello, files\n"))
	ok("write", err)
	fmt.Printf("write: n=%d\n", n)
	n, err = f.WriteString("0123456789\n")
	ok("writestring", err)
	fmt.Printf("writestring: n=%d\n", n)
	seek := func(off int64, whence int) {
		pos, err := f.Seek(off, whence)
		if ok("seek", err) {
			fmt.Printf("seek(%d, %d) = %d\n", off, whence, pos)
		}
	}
	read := func(n int) {
		buf := make([]byte, n)
		m, err := io.ReadFull(f, buf)
		if ok("read", err) {
			fmt.Printf("read %d: %q\n", m, buf[:m])
		}
	}
	seek(0, io.SeekStart)
	all, err := io.ReadAll(f)
	ok("readall", err)
	fmt.Printf("readall: %q\n", all)
	buf := make([]byte, 8)
	n, err = f.Read(buf)
	fmt.Printf("read at eof: n=%d eof=%v\n", n, err == io.EOF)
	seek(6, io.SeekStart)
	read(5)
	seek(-3, io.SeekCurrent)
	read(2)
	seek(-4, io.SeekEnd)
	read(4)
	seek(0, io.SeekCurrent)
	n, err = f.ReadAt(buf[:4], 1)
	ok("readat", err)
	fmt.Printf("readat: %q\n", buf[:n])
	_, err = f.WriteAt([]byte("HELLO"), 0)
	ok("writeat", err)
	n, err = f.ReadAt(buf[:7], 0)
	ok("readat", err)
	fmt.Printf("readat after writeat: %q\n", buf[:n])
	ok("sync", f.Sync())
	fi, err := f.Stat()
	if ok("fstat", err) {
		describe("fstat", fi)
	}
	ok("close", f.Close())
	expectErr("close twice", f.Close())

	// Stat, chmod and chtimes (wstat on Plan 9).
	stat("stat", a)
	fi2, err := os.Lstat(a)
	if ok("lstat", err) {
		describe("lstat", fi2)
		fmt.Printf("samefile: %v\n", os.SameFile(fi, fi2))
	}
	for _, perm := range []os.FileMode{0600, 0640, 0751, 0644} {
		if ok("chmod", os.Chmod(a, perm)) {
			fi, err := os.Stat(a)
			if ok("stat after chmod", err) {
				fmt.Printf("chmod %04o: perm=%04o regular=%v\n", perm, fi.Mode().Perm(), fi.Mode().IsRegular())
			}
		}
	}
	mtime := time.Unix(1000000000, 0)
	if ok("chtimes", os.Chtimes(a, mtime, mtime)) {
		fi, err := os.Stat(a)
		if ok("stat after chtimes", err) {
			fmt.Printf("chtimes: mtime=%d\n", fi.ModTime().Unix())
		}
	}

	// Rename within the directory.
	ok("rename", os.Rename(a, b))
	_, err = os.Stat(a)
	expectErr("stat old name", err)
	stat("stat new name", b)
	content("content after rename", b)

	// Truncate: shorter by name, shorter by handle, longer by name.
	ok("truncate", os.Truncate(b, 5))
	content("truncated to 5", b)
	f, err = os.OpenFile(b, os.O_RDWR, 0)
	if ok("open rdwr", err) {
		ok("ftruncate", f.Truncate(2))
		ok("close", f.Close())
	}
	content("truncated to 2", b)
	ok("truncate longer", os.Truncate(b, 10))
	stat("stat extended", b)
	content("extended to 10", b)

	// Append, to an existing file and to a new one through two opens.
	f, err = os.OpenFile(b, os.O_WRONLY|os.O_APPEND, 0)
	if ok("open append", err) {
		_, err = f.WriteString("tail")
		ok("append write", err)
		ok("close", f.Close())
	}
	content("after append", b)
	for i := range 2 {
		f, err = os.OpenFile(c, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0666)
		if ok("open append create", err) {
			_, err = fmt.Fprintf(f, "line %d\n", i)
			ok("append create write", err)
			ok("close", f.Close())
		}
	}
	content("append created", c)
	ok("writefile truncates", os.WriteFile(c, []byte("new"), 0666))
	content("after writefile", c)

	// Errors with a known kind.
	_, err = os.OpenFile(b, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0666)
	expectErr("create excl existing", err)
	_, err = os.Open(missing)
	expectErr("open missing", err)
	_, err = os.Stat(missing)
	expectErr("stat missing", err)
	_, err = os.ReadFile(missing)
	expectErr("readfile missing", err)
	expectErr("remove missing", os.Remove(missing))
	_, err = os.Stat(filepath.Join(missing, "child"))
	expectErr("stat under missing", err)

	// Directories.
	ok("mkdir", os.Mkdir(sub, 0777))
	expectErr("mkdir existing", os.Mkdir(sub, 0777))
	stat("stat dir", sub)
	ok("mkdirall", os.MkdirAll(filepath.Join(sub, "x", "y"), 0777))
	ok("writefile nested", os.WriteFile(filepath.Join(sub, "x", "y", "z.txt"), []byte("deep"), 0666))
	content("nested", filepath.Join(sub, "x", "y", "z.txt"))
	_, err = os.OpenFile(sub, os.O_WRONLY, 0)
	fmt.Printf("open dir for writing: error=%v\n", err != nil)
	listing("readdir", dir)
	if d, err := os.Open(dir); ok("open dir", err) {
		names, err := d.Readdirnames(-1)
		ok("readdirnames", err)
		slices.Sort(names)
		fmt.Printf("readdirnames: %q\n", names)
		ok("close dir", d.Close())
	}
	fmt.Printf("remove non-empty dir: error=%v\n", os.Remove(sub) != nil)
	ok("removeall", os.RemoveAll(sub))
	_, err = os.Stat(sub)
	expectErr("stat removed dir", err)

	// A larger file, written and read in many pieces.
	big := filepath.Join(dir, "big.bin")
	f, err = os.Create(big)
	if ok("create big", err) {
		w := bufio.NewWriterSize(f, 3000)
		h := sha256.New()
		for i := range 20000 {
			line := fmt.Sprintf("%05d:%x\n", i, uint32(i)*2654435761)
			w.WriteString(line)
			h.Write([]byte(line))
		}
		ok("flush big", w.Flush())
		ok("close big", f.Close())
		fmt.Printf("big written: sha256=%x\n", h.Sum(nil))
	}
	if f, err = os.Open(big); ok("open big", err) {
		h := sha256.New()
		n, err := io.CopyBuffer(h, f, make([]byte, 4093))
		ok("read big", err)
		fmt.Printf("big read: n=%d sha256=%x\n", n, h.Sum(nil))
		ok("close big", f.Close())
	}
	stat("stat big", big)

	// Relative paths after chdir.
	ok("chdir", os.Chdir(dir))
	ok("writefile relative", os.WriteFile("rel.txt", []byte("relative"), 0666))
	content("relative by absolute path", filepath.Join(dir, "rel.txt"))
	wd, err := os.Getwd()
	if ok("getwd", err) {
		fmt.Printf("getwd is dir: %v\n", wd == dir)
	}

	// Clean up, leaving only final.txt.
	for _, p := range []string{b, c, big, "rel.txt"} {
		ok("remove", os.Remove(p))
	}
	ok("writefile final", os.WriteFile(filepath.Join(dir, "final.txt"), []byte("final\n"), 0666))
	listing("final readdir", dir)

	if failed {
		os.Exit(1)
	}
}

func listing(what, dir string) {
	entries, err := os.ReadDir(dir)
	if !ok(what, err) {
		return
	}
	for _, e := range entries {
		fmt.Printf("%s: %q dir=%v\n", what, e.Name(), e.IsDir())
	}
	if !slices.IsSortedFunc(entries, func(x, y os.DirEntry) int {
		return strings.Compare(x.Name(), y.Name())
	}) {
		ok(what, errors.New("os.ReadDir result is not sorted"))
	}
}
