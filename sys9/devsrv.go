package sys9

import (
	"maps"
	"slices"
	"strconv"
	"strings"
	"sync"
)

// #s: the service registry (§7.6). Creating NAME and writing an fd number
// posts that fd's Chan; opening NAME gives a new reference to it.
type srvDev struct {
	k   *Kernel
	mu  sync.Mutex
	srv map[string]*Chan
	ids map[string]uint64
	n   uint64
}

type srvFile struct {
	name   string
	posted bool
}

func (d *srvDev) Char() rune   { return 's' }
func (d *srvDev) Name() string { return "srv" }

func (d *srvDev) Attach(p *Proc, spec string) (*Chan, error) {
	return newChan(d, Qid{Type: QTDIR}, "#s", nil), nil
}

func (d *srvDev) qid(name string) Qid {
	if d.ids == nil {
		d.ids = map[string]uint64{}
	}
	id, ok := d.ids[name]
	if !ok {
		d.n++
		id = d.n
		d.ids[name] = id
	}
	return Qid{Path: id}
}

func (d *srvDev) Walk(p *Proc, c *Chan, name string) (*Chan, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if _, ok := d.srv[name]; !ok {
		return nil, Enonexist
	}
	return newChan(d, d.qid(name), c.Name, &srvFile{name: name}), nil
}

func (d *srvDev) Stat(p *Proc, c *Chan) (Dir, error) {
	if c.isDir() {
		return devDir(d, c, "#s", c.Qid, 0777, 0, p), nil
	}
	return devDir(d, c, c.Aux.(*srvFile).name, c.Qid, 0666, 0, p), nil
}

func (d *srvDev) List(p *Proc, c *Chan) ([]Dir, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	var l []Dir
	for _, n := range slices.Sorted(maps.Keys(d.srv)) {
		l = append(l, devDir(d, c, n, d.qid(n), 0666, 0, p))
	}
	return l, nil
}

func (d *srvDev) Open(p *Proc, c *Chan, mode int) (*Chan, error) {
	if c.isDir() {
		return c, nil
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	x, ok := d.srv[c.Aux.(*srvFile).name]
	if !ok {
		return nil, Enonexist
	}
	if x == nil {
		return c, nil // created but not yet posted: the poster writes the fd
	}
	return x.incref(), nil
}

func (d *srvDev) Create(p *Proc, c *Chan, name string, mode int, perm uint32) error {
	if perm&DMDIR != 0 {
		return Eperm
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	if _, ok := d.srv[name]; ok {
		return Eexist
	}
	d.srv[name] = nil
	c.Qid = d.qid(name)
	c.Aux = &srvFile{name: name}
	return nil
}

func (d *srvDev) Read(p *Proc, c *Chan, b []byte, off int64) (int, error) {
	return 0, Eperm
}

func (d *srvDev) Write(p *Proc, c *Chan, b []byte, off int64) (int, error) {
	f := c.Aux.(*srvFile)
	fd, err := strconv.Atoi(strings.TrimSpace(string(b)))
	if err != nil {
		return 0, Ebadarg
	}
	x, err := p.fgrp.get(fd)
	if err != nil {
		return 0, err
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	if old, ok := d.srv[f.name]; !ok || old != nil || f.posted {
		x.decref(p)
		return 0, Eexist
	}
	d.srv[f.name] = x
	f.posted = true
	return len(b), nil
}

func (d *srvDev) Close(c *Chan) {}

func (d *srvDev) Remove(p *Proc, c *Chan) error {
	f, ok := c.Aux.(*srvFile)
	if !ok {
		return Eperm
	}
	d.mu.Lock()
	x, ok := d.srv[f.name]
	delete(d.srv, f.name)
	d.mu.Unlock()
	if !ok {
		return Enonexist
	}
	if x != nil {
		x.decref(p)
	}
	return nil
}

func (d *srvDev) Wstat(p *Proc, c *Chan, a *Dir) error { return Eperm }
