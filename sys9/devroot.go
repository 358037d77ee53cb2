package sys9

// #/: the root device, the skeleton of mount points the standard name
// space binds onto (§7.7). Only names that must be mount points are here,
// since these directories come before the host tree in the root union.
type rootDev struct {
	noDev
	k *Kernel
}

func (d *rootDev) Char() rune   { return '/' }
func (d *rootDev) Name() string { return "root" }

func (d *rootDev) names() []string {
	n := []string{"dev", "env", "fd", "net", "proc", "srv"}
	if d.k.cfg.Confine {
		n = append(n, "bin")
	}
	return n
}

func (d *rootDev) Attach(p *Proc, spec string) (*Chan, error) {
	return newChan(d, Qid{Path: 0, Type: QTDIR}, "#/", ""), nil
}

func (d *rootDev) Walk(p *Proc, c *Chan, name string) (*Chan, error) {
	if c.Qid.Path != 0 {
		return nil, Enonexist
	}
	for i, n := range d.names() {
		if n == name {
			return newChan(d, Qid{Path: uint64(i + 1), Type: QTDIR}, c.Name, n), nil
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
	if c.Qid.Path != 0 {
		return []Dir{}, nil
	}
	var l []Dir
	for i, n := range d.names() {
		l = append(l, devDir(d, c, n, Qid{Path: uint64(i + 1), Type: QTDIR}, 0555, 0, p))
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
