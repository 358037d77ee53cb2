package sys9

import (
	"errors"
	"hash/fnv"
	"io"
	"io/fs"
	"os"
	"path"
	"strconv"
	"sync"
	"syscall"
	"time"
)

// hostDev is the host file tree under the kernel's root, seen through
// os.Root so that no name (.., absolute or relative symbolic links)
// reaches outside it. Plan 9 shows files served from elsewhere as device
// 'M'.
type hostDev struct {
	k    *Kernel
	root *os.Root
	uid  int
	gids map[int]bool // the host groups 9emu runs in

	mu    sync.Mutex
	names map[int]string // host uid/gid -> name
}

// hostFile is the Aux of a host Chan.
type hostFile struct {
	rel string   // slash-separated path relative to the root; "." is the root
	f   *os.File // when open
}

func newHostDev(k *Kernel, dir string) (*hostDev, error) {
	r, err := os.OpenRoot(dir)
	if err != nil {
		return nil, err
	}
	gids := map[int]bool{os.Getegid(): true}
	if l, err := os.Getgroups(); err == nil {
		for _, g := range l {
			gids[g] = true
		}
	}
	return &hostDev{k: k, root: r, uid: os.Geteuid(), gids: gids, names: map[int]string{}}, nil
}

// permits reports whether the user may access fi as want asks (DMREAD,
// DMWRITE, DMEXEC), by the owner, group or other bits of its mode as a
// Plan 9 file server decides: there is no superuser, so a file whose
// owner has no write permission cannot be written even when 9emu runs
// as the host's root. The host checks again as it opens. Where the host
// does not tell owners, it alone decides.
func (d *hostDev) permits(fi fs.FileInfo, want uint32) bool {
	uid, gid := ownerOf(fi)
	if uid < 0 {
		return true
	}
	perm := uint32(fi.Mode().Perm())
	switch {
	case uid == d.uid:
		perm >>= 6
	case d.gids[gid]:
		perm >>= 3
	}
	return perm&want == want
}

func (d *hostDev) Char() rune   { return 'M' }
func (d *hostDev) Name() string { return "mnt" }

func hf(c *Chan) *hostFile { return c.Aux.(*hostFile) }

// hostErr maps a host error to the Plan 9 error a program expects.
func hostErr(err error) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, syscall.ENOTEMPTY):
		return Error("directory not empty")
	case errors.Is(err, fs.ErrNotExist):
		return Enonexist
	case errors.Is(err, fs.ErrExist):
		return Eexist
	case errors.Is(err, fs.ErrPermission):
		return Eperm
	case errors.Is(err, syscall.EISDIR):
		return Eisdir
	case errors.Is(err, syscall.ENOTDIR):
		return Enotdir
	case errors.Is(err, syscall.ENOTEMPTY):
		return Error("directory not empty")
	case errors.Is(err, syscall.ENOSPC):
		return Error("file system full")
	case errors.Is(err, syscall.EROFS):
		return Error("read-only file system")
	case errors.Is(err, syscall.ENAMETOOLONG):
		return Etoolong
	}
	var pe *fs.PathError
	if errors.As(err, &pe) {
		if pe.Err.Error() == "path escapes from parent" {
			return Enonexist
		}
		return Error(pe.Err.Error())
	}
	var le *os.LinkError
	if errors.As(err, &le) {
		return Error(le.Err.Error())
	}
	return Error(err.Error())
}

func (d *hostDev) qid(rel string, fi fs.FileInfo) Qid {
	q := Qid{Vers: uint32(fi.ModTime().UnixNano()/1e6) ^ uint32(fi.Size())}
	if ino, ok := inodeOf(fi); ok {
		q.Path = ino
	} else {
		h := fnv.New64a()
		io.WriteString(h, rel)
		q.Path = h.Sum64()
	}
	if fi.IsDir() {
		q.Type = QTDIR
		q.Vers = 0
	}
	return q
}

func (d *hostDev) stat(rel string) (fs.FileInfo, error) {
	fi, err := d.root.Stat(rel)
	if err != nil {
		return nil, hostErr(err)
	}
	return fi, nil
}

func (d *hostDev) Attach(p *Proc, spec string) (*Chan, error) {
	fi, err := d.stat(".")
	if err != nil {
		return nil, err
	}
	return newChan(d, d.qid(".", fi), "/", &hostFile{rel: "."}), nil
}

func (d *hostDev) Walk(p *Proc, c *Chan, name string) (*Chan, error) {
	rel := path.Join(hf(c).rel, name)
	fi, err := d.stat(rel)
	if err != nil {
		return nil, err
	}
	return newChan(d, d.qid(rel, fi), c.Name, &hostFile{rel: rel}), nil
}

func (d *hostDev) owner(id int) string {
	if id == d.uid || id < 0 {
		return d.k.user
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	if n, ok := d.names[id]; ok {
		return n
	}
	n := lookupUser(id)
	if n == "" {
		n = strconv.Itoa(id)
	}
	d.names[id] = n
	return n
}

func (d *hostDev) dir(name, rel string, fi fs.FileInfo) Dir {
	q := d.qid(rel, fi)
	mode := uint32(fi.Mode().Perm())
	length := uint64(fi.Size())
	if fi.IsDir() {
		mode |= DMDIR
		length = 0
	}
	uid, gid := ownerOf(fi)
	mt := uint32(fi.ModTime().Unix())
	at := accessTime(fi)
	if at == 0 {
		at = mt
	}
	u, g := d.owner(uid), d.owner(gid)
	return Dir{Type: 'M', Dev: 0, Qid: q, Mode: mode, Atime: at, Mtime: mt, Length: length,
		Name: name, Uid: u, Gid: g, Muid: u}
}

func (d *hostDev) Stat(p *Proc, c *Chan) (Dir, error) {
	h := hf(c)
	var fi fs.FileInfo
	var err error
	if h.f != nil {
		fi, err = h.f.Stat()
		err = hostErr(err)
	} else {
		fi, err = d.stat(h.rel)
	}
	if err != nil {
		return Dir{}, err
	}
	name := path.Base(h.rel)
	if h.rel == "." {
		name = "/"
	}
	return d.dir(name, h.rel, fi), nil
}

func hostFlags(mode int) int {
	var fl int
	switch mode & 3 {
	case OREAD, OEXEC:
		fl = os.O_RDONLY
	case OWRITE:
		fl = os.O_WRONLY
	case ORDWR:
		fl = os.O_RDWR
	}
	if mode&OTRUNC != 0 {
		if fl == os.O_RDONLY {
			fl = os.O_RDWR
		}
		fl |= os.O_TRUNC
	}
	return fl
}

func (d *hostDev) Open(p *Proc, c *Chan, mode int) (*Chan, error) {
	h := hf(c)
	fi, err := d.stat(h.rel)
	if err != nil {
		return nil, err
	}
	want, err := openAccess(mode)
	if err != nil {
		return nil, err
	}
	if mode&3 == OEXEC {
		want = want&^DMREAD | DMEXEC // executing needs x, as file servers check
	}
	if !d.permits(fi, want) {
		return nil, Eperm
	}
	f, err := d.root.OpenFile(h.rel, hostFlags(mode), 0)
	if err != nil {
		return nil, hostErr(err)
	}
	c.Aux = &hostFile{rel: h.rel, f: f}
	return c, nil
}

func (d *hostDev) Create(p *Proc, c *Chan, name string, mode int, perm uint32) error {
	h := hf(c)
	rel := path.Join(h.rel, name)
	dfi, err := d.stat(h.rel)
	if err != nil {
		return err
	}
	if !d.permits(dfi, DMWRITE) {
		return Eperm
	}
	dirperm := uint32(dfi.Mode().Perm())
	if perm&DMDIR != 0 {
		if mode&3 != OREAD {
			return Eperm
		}
		p9 := perm & (^uint32(0777) | dirperm&0777) & 0777
		if err := d.root.Mkdir(rel, fs.FileMode(p9)); err != nil {
			return hostErr(err)
		}
		d.root.Chmod(rel, fs.FileMode(p9))
		f, err := d.root.Open(rel)
		if err != nil {
			return hostErr(err)
		}
		fi, _ := f.Stat()
		c.Qid = d.qid(rel, fi)
		c.Aux = &hostFile{rel: rel, f: f}
		return nil
	}
	p9 := perm & (^uint32(0666) | dirperm&0666) & 0777
	f, err := d.root.OpenFile(rel, hostFlags(mode)|os.O_CREATE|os.O_TRUNC, fs.FileMode(p9))
	if err != nil {
		return hostErr(err)
	}
	f.Chmod(fs.FileMode(p9))
	fi, err := f.Stat()
	if err != nil {
		f.Close()
		return hostErr(err)
	}
	c.Qid = d.qid(rel, fi)
	c.Aux = &hostFile{rel: rel, f: f}
	return nil
}

func (d *hostDev) Read(p *Proc, c *Chan, b []byte, off int64) (int, error) {
	f := hf(c).f
	if f == nil {
		return 0, Ebadusefd
	}
	n, err := f.ReadAt(b, off)
	if err == io.EOF {
		err = nil
	}
	return n, hostErr(err)
}

func (d *hostDev) Write(p *Proc, c *Chan, b []byte, off int64) (int, error) {
	f := hf(c).f
	if f == nil {
		return 0, Ebadusefd
	}
	n, err := f.WriteAt(b, off)
	return n, hostErr(err)
}

func (d *hostDev) Close(c *Chan) {
	if f := hf(c).f; f != nil {
		f.Close()
	}
}

func (d *hostDev) Remove(p *Proc, c *Chan) error {
	h := hf(c)
	if h.rel == "." {
		return Eperm
	}
	if dfi, err := d.stat(path.Dir(h.rel)); err == nil && !d.permits(dfi, DMWRITE) {
		return Eperm
	}
	return hostErr(d.root.Remove(h.rel))
}

// Wstat applies the fields of a that are not "don't change" (§4.3).
func (d *hostDev) Wstat(p *Proc, c *Chan, a *Dir) error {
	h := hf(c)
	fi, err := d.stat(h.rel)
	if err != nil {
		return err
	}
	null := nullDir()
	if a.Mode != null.Mode {
		if (a.Mode&DMDIR != 0) != fi.IsDir() {
			return Eperm
		}
		if err := d.root.Chmod(h.rel, fs.FileMode(a.Mode&0777)); err != nil {
			return hostErr(err)
		}
	}
	if a.Length != null.Length {
		if fi.IsDir() {
			if a.Length != 0 {
				return Eperm
			}
		} else {
			f, err := d.root.OpenFile(h.rel, os.O_WRONLY, 0)
			if err != nil {
				return hostErr(err)
			}
			err = f.Truncate(int64(a.Length))
			f.Close()
			if err != nil {
				return hostErr(err)
			}
		}
	}
	if a.Mtime != null.Mtime || a.Atime != null.Atime {
		mt, at := fi.ModTime(), fi.ModTime()
		if a.Mtime != null.Mtime {
			mt = time.Unix(int64(a.Mtime), 0)
		}
		if a.Atime != null.Atime {
			at = time.Unix(int64(a.Atime), 0)
		}
		if err := d.root.Chtimes(h.rel, at, mt); err != nil {
			return hostErr(err)
		}
	}
	if a.Name != "" && a.Name != path.Base(h.rel) {
		if a.Name == "." || a.Name == ".." || containsSlash(a.Name) {
			return Ebadchar
		}
		nrel := path.Join(path.Dir(h.rel), a.Name)
		if _, err := d.root.Lstat(nrel); err == nil {
			return Eexist
		}
		if err := d.root.Rename(h.rel, nrel); err != nil {
			return hostErr(err)
		}
		h.rel = nrel
	}
	return nil
}

func containsSlash(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] == '/' {
			return true
		}
	}
	return false
}

func (d *hostDev) List(p *Proc, c *Chan) ([]Dir, error) {
	h := hf(c)
	f, err := d.root.Open(h.rel)
	if err != nil {
		return nil, hostErr(err)
	}
	defer f.Close()
	ents, err := f.ReadDir(-1)
	if err != nil {
		return nil, hostErr(err)
	}
	out := make([]Dir, 0, len(ents))
	for _, e := range ents {
		rel := path.Join(h.rel, e.Name())
		fi, err := d.root.Stat(rel)
		if err != nil {
			continue // a dangling or escaping link: not shown
		}
		out = append(out, d.dir(e.Name(), rel, fi))
	}
	return out, nil
}
