package sys9

import (
	"fmt"
	"strconv"
	"strings"
)

// #d: the calling process's file descriptors (§7.5): N opens a new
// reference to the Chan of fd N; Nctl describes it.
type dupDev struct {
	noDev
	k *Kernel
}

func (d *dupDev) Char() rune   { return 'd' }
func (d *dupDev) Name() string { return "dup" }

func (d *dupDev) Attach(p *Proc, spec string) (*Chan, error) {
	return newChan(d, Qid{Type: QTDIR}, "#d", nil), nil
}

// Qid paths: fd<<1 | 1 for N, fd<<1 | 2... kept distinct from the
// directory's 0.
func dupQid(fd int, ctl bool) Qid {
	if ctl {
		return Qid{Path: uint64(fd)<<2 | 2}
	}
	return Qid{Path: uint64(fd)<<2 | 1}
}

func parseDupName(name string) (fd int, ctl bool, ok bool) {
	s := strings.TrimSuffix(name, "ctl")
	ctl = s != name
	n, err := strconv.Atoi(s)
	if err != nil || n < 0 || strconv.Itoa(n) != s {
		return 0, false, false
	}
	return n, ctl, true
}

func (d *dupDev) Walk(p *Proc, c *Chan, name string) (*Chan, error) {
	fd, ctl, ok := parseDupName(name)
	if !ok {
		return nil, Enonexist
	}
	x, err := p.fgrp.get(fd)
	if err != nil {
		return nil, Enonexist
	}
	x.decref(p)
	return newChan(d, dupQid(fd, ctl), c.Name, name), nil
}

func dupPerm(x *Chan) uint32 {
	switch x.mode & 3 {
	case OWRITE:
		return 0200
	case ORDWR:
		return 0600
	}
	return 0400
}

func (d *dupDev) Stat(p *Proc, c *Chan) (Dir, error) {
	if c.isDir() {
		return devDir(d, c, "#d", c.Qid, 0555, 0, p), nil
	}
	name := c.Aux.(string)
	fd, ctl, _ := parseDupName(name)
	x, err := p.fgrp.get(fd)
	if err != nil {
		return Dir{}, Enonexist
	}
	defer x.decref(p)
	if ctl {
		return devDir(d, c, name, c.Qid, 0400, 0, p), nil
	}
	return devDir(d, c, name, c.Qid, dupPerm(x), 0, p), nil
}

func (d *dupDev) List(p *Proc, c *Chan) ([]Dir, error) {
	fds, chans := p.fgrp.list()
	var l []Dir
	for i, fd := range fds {
		n := strconv.Itoa(fd)
		l = append(l, devDir(d, c, n, dupQid(fd, false), dupPerm(chans[i]), 0, p))
		l = append(l, devDir(d, c, n+"ctl", dupQid(fd, true), 0400, 0, p))
		chans[i].decref(p)
	}
	return l, nil
}

func (d *dupDev) Open(p *Proc, c *Chan, mode int) (*Chan, error) {
	if c.isDir() {
		return c, nil
	}
	fd, ctl, _ := parseDupName(c.Aux.(string))
	x, err := p.fgrp.get(fd)
	if err != nil {
		return nil, Enonexist
	}
	if ctl {
		c.Aux = fdLine(fd, x)
		x.decref(p)
		return c, nil
	}
	if mode&ORCLOSE != 0 {
		x.decref(p)
		return nil, Eperm
	}
	if x.mode&3 != ORDWR && mode&3 != x.mode&3 {
		x.decref(p)
		return nil, Eperm
	}
	return x, nil
}

// fdLine describes an open fd as /proc/N/fd and #d/Nctl do.
func fdLine(fd int, c *Chan) string {
	m := "r "
	switch c.mode & 3 {
	case OWRITE:
		m = "w "
	case ORDWR:
		m = "rw"
	}
	c.mu.Lock()
	off := c.off
	c.mu.Unlock()
	return fmt.Sprintf("%3d %.2s %c %4d (%.16x %d %.2x) %5d %8d %s\n",
		fd, m, c.Dev.Char(), c.Devno, c.Qid.Path, c.Qid.Vers, c.Qid.Type, 0, off, c.Name)
}

func (d *dupDev) Read(p *Proc, c *Chan, b []byte, off int64) (int, error) {
	s, ok := c.Aux.(string)
	if !ok {
		return 0, Eperm
	}
	return readStr(b, off, s)
}

func (d *dupDev) Write(p *Proc, c *Chan, b []byte, off int64) (int, error) {
	return 0, Eperm
}
