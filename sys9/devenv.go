package sys9

import (
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
)

// An Egrp is an environment group (#e): variables shared by processes
// unless made with RFENVG (copy) or RFCENVG (empty).
type Egrp struct {
	mu   sync.RWMutex
	vars map[string]*envVar
	next uint64
}

type envVar struct {
	val  []byte
	qid  uint64
	vers uint32
}

// Limits of 9front's devenv.
const (
	envValMax   = 512 << 10
	envGroupMax = 1 << 20
)

// newEgrp returns a group holding env (NAME=VALUE strings).
func newEgrp(env []string) *Egrp {
	g := &Egrp{vars: make(map[string]*envVar), next: 1}
	for _, kv := range env {
		name, val, ok := strings.Cut(kv, "=")
		if !ok || name == "" || strings.ContainsRune(name, '/') || name == "." || name == ".." {
			continue
		}
		g.set(name, []byte(val))
	}
	return g
}

func (g *Egrp) set(name string, val []byte) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if v := g.vars[name]; v != nil {
		v.val = val
		v.vers++
		return
	}
	g.vars[name] = &envVar{val: val, qid: g.next}
	g.next++
}

// setDefault sets name unless it is already set.
func (g *Egrp) setDefault(name, val string) {
	g.mu.RLock()
	_, ok := g.vars[name]
	g.mu.RUnlock()
	if !ok {
		g.set(name, []byte(val))
	}
}

func (g *Egrp) dup() *Egrp {
	g.mu.RLock()
	defer g.mu.RUnlock()
	n := &Egrp{vars: make(map[string]*envVar, len(g.vars)), next: g.next}
	for k, v := range g.vars {
		n.vars[k] = &envVar{val: append([]byte(nil), v.val...), qid: v.qid, vers: v.vers}
	}
	return n
}

// DefaultEnv returns the host environment with the Plan 9 variables a
// session normally has (§7.2) added where the host has none. root is the
// host directory a confined name space has as its root, or "": inside
// such a tree $home is /usr/$user when the tree has it and / otherwise,
// never the host's $HOME, which names a host directory.
func DefaultEnv(user, sysname, root string) []string {
	env := os.Environ()
	have := map[string]bool{}
	for _, kv := range env {
		name, _, _ := strings.Cut(kv, "=")
		have[name] = true
	}
	home := "/usr/" + user
	if root != "" {
		if fi, err := os.Stat(filepath.Join(root, "usr", user)); err != nil || !fi.IsDir() {
			home = "/"
		}
	} else if h := os.Getenv("HOME"); h != "" {
		home = h
	}
	defs := []struct{ k, v string }{
		{"user", user},
		{"home", home},
		{"sysname", sysname},
		{"path", "/bin\x00.\x00"},
		{"service", "terminal"},
		{"timezone", "GMT 0 GMT 0\n0\n"},
	}
	for _, d := range defs {
		if !have[d.k] {
			env = append(env, d.k+"="+d.v)
		}
	}
	return env
}

// #e: the environment of the calling process's group.
type envDev struct {
	k *Kernel
}

func (d *envDev) Char() rune   { return 'e' }
func (d *envDev) Name() string { return "env" }

func (d *envDev) Attach(p *Proc, spec string) (*Chan, error) {
	return newChan(d, Qid{Type: QTDIR}, "#e", nil), nil
}

func envName(c *Chan) string { s, _ := c.Aux.(string); return s }

func (d *envDev) Walk(p *Proc, c *Chan, name string) (*Chan, error) {
	g := p.egrp
	g.mu.RLock()
	v := g.vars[name]
	g.mu.RUnlock()
	if v == nil {
		return nil, Enonexist
	}
	return newChan(d, Qid{Path: v.qid, Vers: v.vers}, c.Name, name), nil
}

func (d *envDev) dir(p *Proc, c *Chan, name string, v *envVar) Dir {
	return devDir(d, c, name, Qid{Path: v.qid, Vers: v.vers}, 0666, uint64(len(v.val)), p)
}

func (d *envDev) Stat(p *Proc, c *Chan) (Dir, error) {
	if c.isDir() {
		return devDir(d, c, "#e", c.Qid, 0775, 0, p), nil
	}
	g := p.egrp
	g.mu.RLock()
	defer g.mu.RUnlock()
	v := g.vars[envName(c)]
	if v == nil {
		return Dir{}, Enonexist
	}
	return d.dir(p, c, envName(c), v), nil
}

func (d *envDev) List(p *Proc, c *Chan) ([]Dir, error) {
	g := p.egrp
	g.mu.RLock()
	defer g.mu.RUnlock()
	names := make([]string, 0, len(g.vars))
	for k := range g.vars {
		names = append(names, k)
	}
	sort.Slice(names, func(i, j int) bool { return g.vars[names[i]].qid < g.vars[names[j]].qid })
	l := make([]Dir, 0, len(names))
	for _, n := range names {
		l = append(l, d.dir(p, c, n, g.vars[n]))
	}
	return l, nil
}

func (d *envDev) Open(p *Proc, c *Chan, mode int) (*Chan, error) {
	if c.isDir() {
		return c, nil
	}
	g := p.egrp
	g.mu.Lock()
	defer g.mu.Unlock()
	v := g.vars[envName(c)]
	if v == nil {
		return nil, Enonexist
	}
	if mode&OTRUNC != 0 {
		v.val = nil
		v.vers++
	}
	return c, nil
}

func (d *envDev) Create(p *Proc, c *Chan, name string, mode int, perm uint32) error {
	if perm&DMDIR != 0 || name == "." || name == ".." || strings.ContainsRune(name, '/') {
		return Eperm
	}
	g := p.egrp
	g.mu.Lock()
	defer g.mu.Unlock()
	v := g.vars[name]
	if v == nil {
		v = &envVar{qid: g.next}
		g.next++
		g.vars[name] = v
	} else {
		v.val = nil
		v.vers++
	}
	c.Qid = Qid{Path: v.qid, Vers: v.vers}
	c.Aux = name
	return nil
}

func (d *envDev) Read(p *Proc, c *Chan, b []byte, off int64) (int, error) {
	g := p.egrp
	g.mu.RLock()
	defer g.mu.RUnlock()
	v := g.vars[envName(c)]
	if v == nil {
		return 0, Enonexist
	}
	if off >= int64(len(v.val)) {
		return 0, nil
	}
	return copy(b, v.val[off:]), nil
}

func (d *envDev) Write(p *Proc, c *Chan, b []byte, off int64) (int, error) {
	g := p.egrp
	g.mu.Lock()
	defer g.mu.Unlock()
	v := g.vars[envName(c)]
	if v == nil {
		return 0, Enonexist
	}
	end := off + int64(len(b))
	if end > envValMax {
		return 0, Etoobig
	}
	if end > int64(len(v.val)) {
		nv := make([]byte, end)
		copy(nv, v.val)
		v.val = nv
	}
	copy(v.val[off:], b)
	v.vers++
	return len(b), nil
}

func (d *envDev) Close(c *Chan) {}

func (d *envDev) Remove(p *Proc, c *Chan) error {
	g := p.egrp
	g.mu.Lock()
	defer g.mu.Unlock()
	if _, ok := g.vars[envName(c)]; !ok {
		return Enonexist
	}
	delete(g.vars, envName(c))
	return nil
}

func (d *envDev) Wstat(p *Proc, c *Chan, a *Dir) error {
	g := p.egrp
	g.mu.Lock()
	defer g.mu.Unlock()
	v := g.vars[envName(c)]
	if v == nil {
		return Enonexist
	}
	if a.Length != ^uint64(0) {
		if a.Length > envValMax {
			return Etoobig
		}
		nv := make([]byte, a.Length)
		copy(nv, v.val)
		v.val = nv
	}
	if a.Name != "" && a.Name != envName(c) {
		if _, ok := g.vars[a.Name]; ok {
			return Eexist
		}
		delete(g.vars, envName(c))
		g.vars[a.Name] = v
		c.Aux = a.Name
	}
	return nil
}
