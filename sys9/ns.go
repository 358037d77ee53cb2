package sys9

import (
	"strings"
	"sync"
	"unicode/utf8"
)

// bind and mount flags (bind(2)).
const (
	MREPL   = 0x0000
	MBEFORE = 0x0001
	MAFTER  = 0x0002
	MORDER  = 0x0003
	MCREATE = 0x0004
	MCACHE  = 0x0010
	MMASK   = 0x0017
)

// A Pgrp is a name space: the root and the mount table. Processes share
// it unless made with RFNAMEG (copy) or RFCNAMEG (clean).
type Pgrp struct {
	mu       sync.RWMutex
	root     *Chan
	mounts   map[mkey]*mhead
	order    []mkey // bind order, for /proc/N/ns
	noattach bool   // RFNOMNT
}

// mkey identifies a file for the mount table, as the kernel's eqchan
// compares type, device and qid path.
type mkey struct {
	dev   rune
	devno uint32
	path  uint64
}

func keyOf(c *Chan) mkey { return mkey{c.Dev.Char(), c.Devno, c.Qid.Path} }

// An mhead is a mount point: the Chans bound onto it, in lookup order.
type mhead struct {
	from string // the name the mount point was bound by (for ns)
	list []mount
}

type mount struct {
	to   *Chan
	flag int
	src  string // name of the bound object (for ns)
}

func newPgrp(root *Chan) *Pgrp {
	return &Pgrp{root: root, mounts: make(map[mkey]*mhead)}
}

// dup copies the name space (RFNAMEG).
func (g *Pgrp) dup() *Pgrp {
	g.mu.RLock()
	defer g.mu.RUnlock()
	n := &Pgrp{root: g.root, mounts: make(map[mkey]*mhead, len(g.mounts)), noattach: g.noattach}
	n.order = append(n.order, g.order...)
	for k, h := range g.mounts {
		nh := &mhead{from: h.from, list: append([]mount(nil), h.list...)}
		n.mounts[k] = nh
	}
	return n
}

// bind makes old an alias of (or adds new to the union at) old.
func (g *Pgrp) bind(newc, old *Chan, flag int, src, dst string) error {
	if flag&^MMASK != 0 || flag&MORDER == MORDER {
		return Ebadarg
	}
	if newc.isDir() != old.isDir() {
		return Emount
	}
	if !newc.isDir() && flag&MORDER != MREPL {
		return Emount
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	m := mount{to: newc.clone(), flag: flag & MCREATE, src: src}
	m.to.union = nil
	// A name that is already a mount point resolves to the first member
	// of its union: bind into that union, not onto the member.
	h := old.union
	if h == nil {
		k := keyOf(old)
		h = g.mounts[k]
		if h == nil {
			h = &mhead{from: dst}
			g.mounts[k] = h
			g.order = append(g.order, k)
			if flag&MORDER != MREPL {
				// The directory itself stays in the union, without
				// MCREATE (cmount adds it with flag 0).
				self := old.clone()
				self.union = nil
				h.list = []mount{{to: self, src: dst}}
			}
		}
	}
	switch flag & MORDER {
	case MREPL:
		h.list = []mount{m}
	case MBEFORE:
		h.list = append([]mount{m}, h.list...)
	case MAFTER:
		h.list = append(h.list, m)
	}
	return nil
}

// unmount removes everything bound on old, or just newc.
func (g *Pgrp) unmount(newc, old *Chan) error {
	g.mu.Lock()
	defer g.mu.Unlock()
	k := keyOf(old)
	h := g.mounts[k]
	if h == nil {
		return Eunmount
	}
	if newc == nil {
		delete(g.mounts, k)
		return nil
	}
	nk := keyOf(newc)
	for i, m := range h.list {
		if keyOf(m.to) == nk {
			h.list = append(h.list[:i:i], h.list[i+1:]...)
			if len(h.list) == 0 {
				delete(g.mounts, k)
			}
			return nil
		}
	}
	return Eunion
}

// domount returns the Chan to use for c: if c is a mount point, the first
// member of its union, marked with the union for walks, reads and creates.
func (g *Pgrp) domount(c *Chan) *Chan {
	g.mu.RLock()
	h := g.mounts[keyOf(c)]
	g.mu.RUnlock()
	if h == nil || len(h.list) == 0 {
		return c
	}
	n := h.list[0].to.clone()
	n.Name = c.Name
	n.union = h
	return n
}

// cleanname returns the shortest lexically equivalent path, as Plan 9's
// cleanname does: multiple slashes collapse, "." vanishes, ".." removes
// the previous element (and goes nowhere above the root).
func cleanname(name string) string {
	rooted := strings.HasPrefix(name, "/")
	var out []string
	for _, e := range strings.Split(name, "/") {
		switch e {
		case "", ".":
		case "..":
			if len(out) > 0 && out[len(out)-1] != ".." {
				out = out[:len(out)-1]
			} else if !rooted {
				out = append(out, "..")
			}
		default:
			out = append(out, e)
		}
	}
	s := strings.Join(out, "/")
	if rooted {
		return "/" + s
	}
	if s == "" {
		return "."
	}
	return s
}

// checkName rejects names Plan 9 rejects (validname): bad UTF-8, control
// characters, and over-long elements.
func checkName(name string) error {
	if !utf8.ValidString(name) {
		return Ebadchar
	}
	for _, r := range name {
		if r < 0x20 && r != 0 || r == 0x7f {
			return Ebadchar
		}
	}
	return nil
}

// namec resolves a name to an unopened Chan, walking the name space of p
// from its root, its current directory, or a #-device.
func (p *Proc) namec(name string) (*Chan, error) {
	if name == "" {
		return nil, Enonexist
	}
	if err := checkName(name); err != nil {
		return nil, err
	}
	g := p.pgrp
	var c *Chan
	var rest, prefix string
	if name[0] != '#' && name[0] != '/' && strings.HasPrefix(p.dot(), "#") {
		name = p.dot() + "/" + name
	}
	if name[0] == '#' {
		r, n := utf8.DecodeRuneInString(name[1:])
		if r == utf8.RuneError {
			return nil, Ebadsharp
		}
		spec := name[1+n:]
		rest = ""
		if i := strings.IndexByte(spec, '/'); i >= 0 {
			spec, rest = spec[:i], spec[i:]
		}
		d := p.k.devtab[r]
		if d == nil {
			return nil, Ebadsharp
		}
		if g.noattach && !strings.ContainsRune("|decp", r) {
			return nil, Enoattach
		}
		var err error
		c, err = d.Attach(p, spec)
		if err != nil {
			return nil, err
		}
		prefix = name[:1+n] + spec
		c.Name = prefix
	} else {
		full := name
		if name[0] != '/' {
			full = p.dot() + "/" + name
		}
		rest = full
		c = g.root.clone()
		c.Name = "/"
	}
	return p.walkName(g, g.domount(c), prefix, rest)
}

// walkName walks c along the elements of rest, as Plan 9's walk does:
// empty and "." elements are skipped; ".." goes back to the channel the
// walk came from (lexically, so a mount point's parent is the directory
// it is in) but only from a directory; and a name that ends in "/" or
// "/." must name a directory. So "file/" and "file/.." fail with "not a
// directory", where cleaning the name first would have found file.
func (p *Proc) walkName(g *Pgrp, c *Chan, prefix, rest string) (*Chan, error) {
	stack := []*Chan{c} // the channels walked to; c is the last
	names := []string{prefix}
	mustBeDir := false
	for e := range strings.SplitSeq(rest, "/") {
		mustBeDir = e == "" || e == "."
		switch e {
		case "", ".":
			continue
		case "..":
			if !c.isDir() {
				return nil, Enotdir
			}
			if len(stack) > 1 {
				stack, names = stack[:len(stack)-1], names[:len(names)-1]
				c = stack[len(stack)-1]
			}
			mustBeDir = true
			continue
		}
		n, err := p.walk1(c, e)
		if err != nil {
			return nil, err
		}
		path := names[len(names)-1] + "/" + e
		n.Name = path
		c = g.domount(n)
		stack, names = append(stack, c), append(names, path)
	}
	if mustBeDir && !c.isDir() {
		return nil, Enotdir
	}
	return c, nil
}

// walk1 walks c to its child e, trying each member of a union in order.
func (p *Proc) walk1(c *Chan, e string) (*Chan, error) {
	if !c.isDir() {
		return nil, Enotdir
	}
	if h := c.union; h != nil {
		var first error
		for _, m := range h.list {
			n, err := m.to.Dev.Walk(p, m.to, e)
			if err == nil {
				n.union = nil
				return n, nil
			}
			if first == nil {
				first = err
			}
		}
		return nil, first
	}
	n, err := c.Dev.Walk(p, c, e)
	if err != nil {
		return nil, err
	}
	n.union = nil
	return n, nil
}

// split returns the directory and last element of a cleaned name.
func splitLast(name string) (dir, elem string) {
	i := strings.LastIndexByte(name, '/')
	if i < 0 {
		return ".", name
	}
	if i == 0 {
		return "/", name[1:]
	}
	return name[:i], name[i+1:]
}

// unmountHead removes newc (or everything) from the mount point h.
func (g *Pgrp) unmountHead(h *mhead, newc *Chan) error {
	g.mu.Lock()
	defer g.mu.Unlock()
	for k, x := range g.mounts {
		if x != h {
			continue
		}
		if newc == nil {
			delete(g.mounts, k)
			return nil
		}
		nk := keyOf(newc)
		for i, m := range h.list {
			if keyOf(m.to) == nk {
				h.list = append(h.list[:i:i], h.list[i+1:]...)
				if len(h.list) == 0 {
					delete(g.mounts, k)
				}
				return nil
			}
		}
		return Eunion
	}
	return Eunmount
}
