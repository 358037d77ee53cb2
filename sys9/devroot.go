package sys9

import "sync"

// #/: the root device, the skeleton of mount points the standard name
// space binds onto (§7.7). Only names that must be mount points are here,
// since these directories come before the host tree in the root union.
type rootDev struct {
	noDev
	k *Kernel

	once sync.Once
	tab  []rootEnt
}

func (d *rootDev) Char() rune   { return '/' }
func (d *rootDev) Name() string { return "root" }

// A rootEnt is one directory of the skeleton; its Qid path is its index
// in rootDev.ents plus one, and parent is its parent's (0: the root).
type rootEnt struct {
	name   string
	parent uint64
}

// ents lists the skeleton: the devices' mount points, and with a
// confined root /bin, /mnt with /mnt/term when the host tree is shown
// there, and /n and /tmp when the root directory lacks them.
func (d *rootDev) ents() []rootEnt {
	d.once.Do(func() {
		for _, n := range []string{"dev", "env", "fd", "net", "proc", "srv"} {
			d.tab = append(d.tab, rootEnt{n, 0})
		}
		cfg := &d.k.cfg
		if !cfg.Confine {
			return
		}
		d.tab = append(d.tab, rootEnt{"bin", 0})
		if cfg.Term != "" {
			d.tab = append(d.tab, rootEnt{"mnt", 0})
			d.tab = append(d.tab, rootEnt{"term", uint64(len(d.tab))})
		}
		for _, n := range []string{"n", "tmp"} {
			if fi, err := d.k.host.root.Stat(n); err != nil || !fi.IsDir() {
				d.tab = append(d.tab, rootEnt{n, 0})
			}
		}
	})
	return d.tab
}

// has reports whether the skeleton has the top-level directory name.
func (d *rootDev) has(name string) bool {
	for _, e := range d.ents() {
		if e.parent == 0 && e.name == name {
			return true
		}
	}
	return false
}

func (d *rootDev) Attach(p *Proc, spec string) (*Chan, error) {
	return newChan(d, Qid{Path: 0, Type: QTDIR}, "#/", ""), nil
}

func (d *rootDev) Walk(p *Proc, c *Chan, name string) (*Chan, error) {
	for i, e := range d.ents() {
		if e.parent == c.Qid.Path && e.name == name {
			return newChan(d, Qid{Path: uint64(i + 1), Type: QTDIR}, c.Name, e.name), nil
		}
	}
	return nil, Enonexist
}

func (d *rootDev) Stat(p *Proc, c *Chan) (Dir, error) {
	name, _ := c.Aux.(string)
	if name == "" {
		name = "/"
	}
	return devDir(d, c, name, c.Qid, 0555, 0, p), nil
}

func (d *rootDev) List(p *Proc, c *Chan) ([]Dir, error) {
	l := []Dir{}
	for i, e := range d.ents() {
		if e.parent == c.Qid.Path {
			l = append(l, devDir(d, c, e.name, Qid{Path: uint64(i + 1), Type: QTDIR}, 0555, 0, p))
		}
	}
	return l, nil
}

func (d *rootDev) Open(p *Proc, c *Chan, mode int) (*Chan, error) {
	if mode&3 != OREAD && mode&3 != OEXEC {
		return nil, Eperm
	}
	return c, nil
}

func (d *rootDev) Read(p *Proc, c *Chan, b []byte, off int64) (int, error) { return 0, Eisdir }
func (d *rootDev) Write(p *Proc, c *Chan, b []byte, off int64) (int, error) {
	return 0, Eisdir
}
