package sys9

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"9emu/aout"
)

// The #I tests drive the device through system calls of a test process
// (harness_test.go) with the host's own sockets as the other end, and run
// a Go program that uses package net under the kernel, comparing its
// output with the same program run natively.

func ipTP(t *testing.T, arch aout.Arch) (*tproc, *ipDev) {
	t.Helper()
	tp := newTP(t, arch, tpOpts{})
	return tp, tp.k.devtab['I'].(*ipDev)
}

// hostListen listens on the host's IPv4 loopback.
func hostListen(t *testing.T, network string) net.Listener {
	t.Helper()
	ln, err := net.Listen(network, "127.0.0.1:0")
	if err != nil {
		t.Skipf("no IPv4 loopback on this host: %v", err)
	}
	t.Cleanup(func() { ln.Close() })
	return ln
}

// write writes s to fd at the channel offset and returns the result.
func (tp *tproc) write(fd int, s string) callResult {
	tp.t.Helper()
	return tp.call(51, fd, tp.str(s), len(s), -1)
}

// readOnce reads fd once with a buffer of n bytes, failing the test on
// an error.
func (tp *tproc) readOnce(fd, n int) string {
	tp.t.Helper()
	s, r := tp.read(fd, n, -1)
	if r.ret < 0 {
		tp.t.Fatalf("read fd %d: %s", fd, r.err)
	}
	return s
}

// clone opens the protocol's clone file and returns the ctl fd and the
// conversation's directory.
func (tp *tproc) clone(proto string) (int, string) {
	tp.t.Helper()
	fd := tp.open("/net/"+proto+"/clone", ORDWR)
	n := tp.readOnce(fd, 32)
	if _, err := strconv.Atoi(n); err != nil {
		tp.t.Fatalf("ctl of a new conversation reads %q", n)
	}
	return fd, "/net/" + proto + "/" + n
}

// inuse reports how many conversations of the protocol are in use or
// still hold a host socket.
func (d *ipDev) inuseCount(proto int) int {
	d.mu.Lock()
	defer d.mu.Unlock()
	n := 0
	for _, cv := range d.protos[proto].convs {
		if cv.inuse != 0 || cv.conn != nil || cv.ln != nil || cv.pc != nil {
			n++
		}
	}
	return n
}

func plan9Addr(a net.Addr) string {
	ap := addrPort(a)
	return ap.Addr().Unmap().String() + "!" + strconv.Itoa(int(ap.Port())) + "\n"
}

func TestDevIPTree(t *testing.T) {
	tp, d := ipTP(t, aout.ArchAMD64)
	want := []string{"tcp", "udp", "ipifc"}
	for i := range etherIfcs(hostIfcs()) {
		want = append(want, fmt.Sprintf("ether%d", i))
	}
	want = append(want, "iproute", "cs", "dns")
	if got := readDir(t, tp, "/net", 4096); !slices.Equal(got, want) {
		t.Errorf("/net lists %q, want %q", got, want)
	}
	if got := readDir(t, tp, "/net/tcp", 4096); !slices.Equal(got, []string{"clone", "stats"}) {
		t.Errorf("/net/tcp before any clone lists %q", got)
	}
	c0, dir0 := tp.clone("tcp")
	c1, dir1 := tp.clone("tcp")
	if dir0 != "/net/tcp/0" || dir1 != "/net/tcp/1" {
		t.Errorf("two clones gave %s and %s", dir0, dir1)
	}
	if got := readDir(t, tp, "/net/tcp", 4096); !slices.Equal(got, []string{"0", "1", "clone", "stats"}) {
		t.Errorf("/net/tcp lists %q", got)
	}
	want = []string{"ctl", "data", "err", "listen", "local", "remote", "status"}
	if got := readDir(t, tp, dir0, 4096); !slices.Equal(got, want) {
		t.Errorf("%s lists %q, want %q", dir0, got, want)
	}
	if s := tp.readFile(dir0+"/local", 100, 0); s != "::!0\n" {
		t.Errorf("local of an idle conversation reads %q", s)
	}
	if s := tp.readFile(dir0+"/status", 100, 0); !strings.HasPrefix(s, "Closed qin 0 qout 0 ") {
		t.Errorf("status of an idle conversation reads %q", s)
	}
	if s := tp.readFile("/net/udp/clone", 100, 0); s != "0" {
		t.Errorf("udp numbers its conversations apart from tcp: clone reads %q", s)
	}
	tp.fails("open local for writing", tp.call(14, tp.str(dir0+"/local"), OWRITE), string(Eperm))
	tp.fails("open listen of an idle conversation", tp.call(14, tp.str(dir0+"/listen"), OREAD), "not announced")
	tp.fails("walk to a conversation not yet made", tp.call(14, tp.str("/net/tcp/7/ctl"), ORDWR), string(Enonexist))

	// The number of a conversation no longer in use is handed out again,
	// but not while a data file keeps it in use.
	data := tp.open(dir0+"/data", ORDWR)
	tp.close(c0)
	c2, dir2 := tp.clone("tcp")
	if dir2 != "/net/tcp/2" {
		t.Errorf("clone while 0 is held by its data file gave %s", dir2)
	}
	tp.close(data)
	c3, dir3 := tp.clone("tcp")
	if dir3 != "/net/tcp/0" {
		t.Errorf("clone after 0 was freed gave %s", dir3)
	}
	for _, fd := range []int{c1, c2, c3} {
		tp.close(fd)
	}
	if n := d.inuseCount(0); n != 0 {
		t.Errorf("%d tcp conversations still in use after every file was closed", n)
	}
	route := tp.readFile("/net/iproute", 4096, 0)
	if l, err := net.Listen("tcp4", "127.0.0.1:0"); err == nil {
		l.Close()
		if !strings.Contains(route, " 4i ") {
			t.Errorf("iproute has no IPv4 interface route:\n%s", route)
		}
	}
}

// ipifc lists the host's interfaces that are up, with the addresses the
// host gives them, in the form Go's net package parses.
func TestDevIPIfc(t *testing.T) {
	tp, _ := ipTP(t, aout.ArchAMD64)
	host, err := net.Interfaces()
	if err != nil {
		t.Skipf("host interfaces: %v", err)
	}
	var up []net.Interface
	for _, h := range host {
		if h.Flags&net.FlagUp != 0 {
			up = append(up, h)
		}
	}
	names := readDir(t, tp, "/net/ipifc", 4096)
	if len(names) != len(up) {
		t.Fatalf("/net/ipifc lists %q for %d interfaces that are up", names, len(up))
	}
	ether := 0
	for i, h := range up {
		st := tp.readFile(fmt.Sprintf("/net/ipifc/%d/status", i), 8192, 0)
		lines := strings.Split(strings.TrimSuffix(st, "\n"), "\n")
		f := strings.Fields(lines[0])
		if len(f) < 4 || f[0] != "device" || f[2] != "maxtu" || f[3] != strconv.Itoa(h.MTU) {
			t.Errorf("%s: first status line %q", h.Name, lines[0])
			continue
		}
		switch {
		case h.Flags&net.FlagLoopback != 0:
			if f[1] != "/dev/null" {
				t.Errorf("%s: loopback device %q", h.Name, f[1])
			}
		case len(h.HardwareAddr) == 6:
			if want := fmt.Sprintf("/net/ether%d", ether); f[1] != want {
				t.Errorf("%s: device %q, want %q", h.Name, f[1], want)
			}
			if mac := tp.readFile(f[1]+"/addr", 100, 0); mac != strings.ReplaceAll(h.HardwareAddr.String(), ":", "") {
				t.Errorf("%s: %s/addr reads %q, want %s", h.Name, f[1], mac, h.HardwareAddr)
			}
			ether++
		}
		var got, want []string
		for _, l := range lines[1:] {
			g := strings.Fields(l)
			if len(g) != 5 || !strings.HasPrefix(g[1], "/") {
				t.Errorf("%s: address line %q", h.Name, l)
				continue
			}
			bits, _ := strconv.Atoi(g[1][1:])
			if a := netip.MustParseAddr(g[0]); a.Is4() {
				bits -= 96
			}
			got = append(got, fmt.Sprintf("%s/%d", g[0], bits))
		}
		addrs, _ := h.Addrs()
		for _, a := range addrs {
			if n, ok := a.(*net.IPNet); ok {
				ones, _ := n.Mask.Size()
				ip, _ := netip.AddrFromSlice(n.IP)
				want = append(want, fmt.Sprintf("%s/%d", ip.Unmap().WithZone(""), ones))
			}
		}
		if !slices.Equal(got, want) {
			t.Errorf("%s: addresses %q, want %q", h.Name, got, want)
		}
	}
}

func TestDevIPConnect(t *testing.T) {
	for _, arch := range arches {
		t.Run(arch.String(), func(t *testing.T) {
			tp, d := ipTP(t, arch)
			ln := hostListen(t, "tcp")
			port := ln.Addr().(*net.TCPAddr).Port
			ctl, dir := tp.clone("tcp")
			tp.ok("connect", tp.write(ctl, fmt.Sprintf("connect 127.0.0.1!%d", port)), int64(len(fmt.Sprintf("connect 127.0.0.1!%d", port))))
			hc, err := ln.Accept()
			if err != nil {
				t.Fatal(err)
			}
			defer hc.Close()
			data := tp.open(dir+"/data", ORDWR)
			if r := tp.write(data, "ping"); r.ret != 4 {
				t.Fatalf("write data = %d %q", r.ret, r.err)
			}
			buf := make([]byte, 4)
			if _, err := io.ReadFull(hc, buf); err != nil || string(buf) != "ping" {
				t.Fatalf("host read %q %v", buf, err)
			}
			hc.Write([]byte("pong"))
			if s := tp.readOnce(data, 100); s != "pong" {
				t.Errorf("data read %q, want pong", s)
			}
			if s, want := tp.readFile(dir+"/remote", 100, 0), fmt.Sprintf("127.0.0.1!%d\n", port); s != want {
				t.Errorf("remote reads %q, want %q", s, want)
			}
			if s, want := tp.readFile(dir+"/local", 100, 0), plan9Addr(hc.RemoteAddr()); s != want {
				t.Errorf("local reads %q, want the host's view of it %q", s, want)
			}
			if s := tp.readFile(dir+"/status", 200, 0); !strings.HasPrefix(s, "Established ") {
				t.Errorf("status reads %q", s)
			}
			tp.fails("second connect", tp.write(ctl, fmt.Sprintf("connect 127.0.0.1!%d", port)), string(Econinuse))

			// Closing the last file closes the host socket: the peer
			// reads end of file.
			tp.close(data)
			tp.close(ctl)
			if n, err := hc.Read(buf); err != io.EOF {
				t.Errorf("host read after the guest closed: %d %v, want EOF", n, err)
			}
			if n := d.inuseCount(0); n != 0 {
				t.Errorf("%d conversations in use after close", n)
			}
		})
	}
}

func TestDevIPConnectRefused(t *testing.T) {
	tp, _ := ipTP(t, aout.ArchAMD64)
	ln := hostListen(t, "tcp")
	port := ln.Addr().(*net.TCPAddr).Port
	ln.Close()
	ctl, _ := tp.clone("tcp")
	tp.fails("connect to a closed port", tp.write(ctl, fmt.Sprintf("connect 127.0.0.1!%d", port)), string(Econrefused))
}

func TestDevIPAnnounce(t *testing.T) {
	for _, arch := range arches {
		t.Run(arch.String(), func(t *testing.T) {
			tp, d := ipTP(t, arch)
			hostListen(t, "tcp") // skips without IPv4
			ctl, dir := tp.clone("tcp")
			tp.ok("announce", tp.write(ctl, "announce 127.0.0.1!0"), 20)
			local := tp.readFile(dir+"/local", 100, 0)
			addr, port, ok := strings.Cut(strings.TrimSuffix(local, "\n"), "!")
			if !ok || addr != "127.0.0.1" || port == "0" {
				t.Fatalf("local of an announced conversation reads %q", local)
			}
			if s := tp.readFile(dir+"/status", 200, 0); !strings.HasPrefix(s, "Listen ") {
				t.Errorf("status reads %q", s)
			}
			tp.fails("announce twice", tp.write(ctl, "announce 127.0.0.1!0"), string(Econinuse))
			hc, err := net.Dial("tcp", "127.0.0.1:"+port)
			if err != nil {
				t.Fatal(err)
			}
			defer hc.Close()
			lfd := tp.open(dir+"/listen", ORDWR)
			n := tp.readOnce(lfd, 32)
			ndir := "/net/tcp/" + n
			if ndir == dir {
				t.Fatalf("listen returned the announced conversation %s", dir)
			}
			data := tp.open(ndir+"/data", ORDWR)
			if s, want := tp.readFile(ndir+"/remote", 100, 0), plan9Addr(hc.LocalAddr()); s != want {
				t.Errorf("remote of the call reads %q, want %q", s, want)
			}
			hc.Write([]byte("from host"))
			if s := tp.readOnce(data, 100); s != "from host" {
				t.Errorf("data read %q", s)
			}
			tp.write(data, "from guest")
			buf := make([]byte, 10)
			if _, err := io.ReadFull(hc, buf); err != nil || string(buf) != "from guest" {
				t.Errorf("host read %q %v", buf, err)
			}
			// The peer's close is end of file, and the state says so.
			hc.Close()
			if s := tp.readOnce(data, 100); s != "" {
				t.Errorf("read after the peer closed: %q", s)
			}
			if s := tp.readFile(ndir+"/status", 200, 0); !strings.HasPrefix(s, "Close_wait ") {
				t.Errorf("status after the peer closed reads %q", s)
			}
			// hangup gives up the port: new calls are refused.
			tp.ok("hangup", tp.write(ctl, "hangup"), 6)
			tp.fails("listen after hangup", tp.call(14, tp.str(dir+"/listen"), ORDWR), "not announced")
			if c, err := net.Dial("tcp", "127.0.0.1:"+port); err == nil {
				c.Close()
				t.Errorf("a call to the port got through after hangup")
			}
			for _, fd := range []int{data, lfd, ctl} {
				tp.close(fd)
			}
			if n := d.inuseCount(0); n != 0 {
				t.Errorf("%d conversations in use after close", n)
			}
		})
	}
}

// A read that a note interrupts fails with "interrupted"; what arrives
// afterwards is not lost. A write that a note interrupts reports how much
// went out, and the stream stays in step.
func TestDevIPInterrupted(t *testing.T) {
	tp, d := ipTP(t, aout.ArchAMD64)
	ln := hostListen(t, "tcp")
	ctl, dir := tp.clone("tcp")
	tp.write(ctl, "connect "+strings.Replace(ln.Addr().String(), ":", "!", 1))
	hc, err := ln.Accept()
	if err != nil {
		t.Fatal(err)
	}
	defer hc.Close()
	data := tp.open(dir+"/data", ORDWR)
	d.mu.Lock()
	cv := d.protos[0].convs[0]
	d.mu.Unlock()

	res := make(chan callResult)
	go func() {
		r := tp.call(50, data, tp.scratch, 100, -1)
		res <- r
	}()
	// Wait until the read has asked the host for data (no timing: the
	// flag is set before the read waits).
	for {
		d.mu.Lock()
		f := cv.filling
		d.mu.Unlock()
		if f {
			break
		}
		runtime.Gosched()
	}
	tp.p.postnote("hangup", noteUser, false)
	if r := <-res; r.ret != -1 || r.err != string(Eintr) {
		t.Fatalf("interrupted read = %d %q, want -1 %q", r.ret, r.err, Eintr)
	}
	hc.Write([]byte("late data"))
	if s := tp.readOnce(data, 100); s != "late data" {
		t.Errorf("read after the interrupted one got %q, want %q", s, "late data")
	}

	// A write too big for the host's buffers, with the peer reading one
	// byte of it: the note stops it part way.
	big := bytes.Repeat([]byte("0123456789abcdef"), 1<<20)
	wres := make(chan struct {
		n   int
		err error
	})
	go func() {
		n, err := d.dataWrite(tp.p, cv, big)
		wres <- struct {
			n   int
			err error
		}{n, err}
	}()
	one := make([]byte, 1)
	if _, err := io.ReadFull(hc, one); err != nil {
		t.Fatal(err)
	}
	tp.p.postnote("hangup", noteUser, false)
	w := <-wres
	if w.err != nil || w.n <= 0 || w.n >= len(big) {
		t.Fatalf("interrupted write = %d %v, want part of %d bytes", w.n, w.err, len(big))
	}
	tp.p.nmu.Lock()
	tp.p.notes = nil
	tp.p.nmu.Unlock()
	rest := make([]byte, w.n-1+4)
	readErr := make(chan error)
	go func() {
		_, err := io.ReadFull(hc, rest)
		readErr <- err
	}()
	if r := tp.write(data, "TAIL"); r.ret != 4 {
		t.Fatalf("write after the interrupted one = %d %q", r.ret, r.err)
	}
	if err := <-readErr; err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(rest[:w.n-1], big[1:w.n]) || string(rest[w.n-1:]) != "TAIL" {
		t.Errorf("the stream after an interrupted write is out of step: ends %q", rest[len(rest)-8:])
	}
}

// A process killed while it waits for a call stops waiting, and gives
// up the port when its files are closed.
func TestDevIPListenKilled(t *testing.T) {
	tp, d := ipTP(t, aout.ArchAMD64)
	hostListen(t, "tcp")
	ctl, dir := tp.clone("tcp")
	tp.write(ctl, "announce 127.0.0.1!0")
	local := strings.TrimSuffix(tp.readFile(dir+"/local", 100, 0), "\n")
	d.mu.Lock()
	cv := d.protos[0].convs[0]
	d.mu.Unlock()
	res := make(chan callResult)
	go func() { res <- tp.call(14, tp.str(dir+"/listen"), ORDWR) }()
	tp.p.kill()
	if r := <-res; r.ret != -1 || r.err != string(Eintr) {
		t.Fatalf("listen of a killed process = %d %q", r.ret, r.err)
	}
	tp.p.fgrp.closeAll(tp.p, false)
	if n := d.inuseCount(0); n != 0 {
		t.Errorf("%d conversations in use after close", n)
	}
	if c, err := net.Dial("tcp", strings.Replace(local, "!", ":", 1)); err == nil {
		c.Close()
		t.Errorf("the port still takes calls after its process died")
	}
	d.waitIdle(t, cv)
}

// waitIdle waits until no goroutine of the device works for cv: they
// clear their flag and broadcast when they end.
func (d *ipDev) waitIdle(t *testing.T, cv *conv) {
	t.Helper()
	guard := time.After(guestTimeout)
	d.mu.Lock()
	defer d.mu.Unlock()
	for cv.filling || cv.accepting {
		w := cv.wake
		d.mu.Unlock()
		select {
		case <-w:
		case <-guard:
			d.mu.Lock()
			t.Fatalf("the host call for a closed conversation has not ended")
		}
		d.mu.Lock()
	}
}

// A process killed while it reads stops reading; closing its files
// closes the host socket, which ends the host read.
func TestDevIPReadKilled(t *testing.T) {
	tp, d := ipTP(t, aout.ArchAMD64)
	ln := hostListen(t, "tcp")
	ctl, dir := tp.clone("tcp")
	tp.write(ctl, "connect "+strings.Replace(ln.Addr().String(), ":", "!", 1))
	hc, err := ln.Accept()
	if err != nil {
		t.Fatal(err)
	}
	defer hc.Close()
	data := tp.open(dir+"/data", ORDWR)
	d.mu.Lock()
	cv := d.protos[0].convs[0]
	d.mu.Unlock()
	res := make(chan callResult)
	go func() { res <- tp.call(50, data, tp.scratch, 100, -1) }()
	tp.p.kill()
	if r := <-res; r.ret != -1 || r.err != string(Eintr) {
		t.Fatalf("read of a killed process = %d %q", r.ret, r.err)
	}
	tp.p.fgrp.closeAll(tp.p, false)
	if n, err := hc.Read(make([]byte, 1)); err != io.EOF {
		t.Errorf("host read after the guest died: %d %v, want EOF", n, err)
	}
	d.waitIdle(t, cv)
}

func TestDevIPUDPHeaders(t *testing.T) {
	tp, d := ipTP(t, aout.ArchAMD64)
	hostListen(t, "tcp")
	ctl, dir := tp.clone("udp")
	tp.ok("announce", tp.write(ctl, "announce 127.0.0.1!0"), 20)
	tp.ok("headers", tp.write(ctl, "headers"), 7)
	local := strings.TrimSuffix(tp.readFile(dir+"/local", 100, 0), "\n")
	_, lport, _ := strings.Cut(local, "!")
	data := tp.open(dir+"/data", ORDWR)
	hc, err := net.Dial("udp", "127.0.0.1:"+lport)
	if err != nil {
		t.Fatal(err)
	}
	defer hc.Close()
	hc.Write([]byte("hi"))
	got := tp.readOnce(data, 200)
	if len(got) != udpHdrSize+2 || got[udpHdrSize:] != "hi" {
		t.Fatalf("headers-mode read %q", got)
	}
	from := addrPort(hc.LocalAddr())
	r16 := from.Addr().As16()
	if got[:16] != string(r16[:]) {
		t.Errorf("header remote address % x, want % x", got[:16], r16)
	}
	if p := int(got[48])<<8 | int(got[49]); p != int(from.Port()) {
		t.Errorf("header remote port %d, want %d", p, from.Port())
	}
	if p := strconv.Itoa(int(got[50])<<8 | int(got[51])); p != lport {
		t.Errorf("header local port %s, want %s", p, lport)
	}
	// Writing the header back answers the sender.
	reply := got[:udpHdrSize] + "yo"
	a := tp.str(reply)
	if r := tp.call(51, data, a, len(reply), -1); r.ret != int64(len(reply)) {
		t.Fatalf("headers-mode write = %d %q", r.ret, r.err)
	}
	buf := make([]byte, 10)
	n, err := hc.Read(buf)
	if err != nil || string(buf[:n]) != "yo" {
		t.Errorf("host got %q %v", buf[:n], err)
	}
	tp.close(data)
	tp.close(ctl)
	if n := d.inuseCount(1); n != 0 {
		t.Errorf("%d udp conversations in use after close", n)
	}
}

func TestDevIPCtlErrors(t *testing.T) {
	tp, _ := ipTP(t, aout.ArchAMD64)
	for _, c := range []struct{ proto, msg, err string }{
		{"tcp", "", "short control request"},
		{"tcp", "frobnicate", "unknown control request"},
		{"tcp", "connect", "bad args to connect"},
		{"tcp", "connect 127.0.0.1", "malformed address"},
		{"tcp", "connect 127.0.0.x!80", string(Ebadip)},
		{"tcp", "connect 127.0.0.1!http", "bad numeric port"},
		{"tcp", "announce", "bad args to announce"},
		{"tcp", "announce 1.2.3!80", string(Ebadip)},
		{"tcp", "announce *", string(Eperm)},
		{"tcp", "headers", "unknown control request"},
		{"udp", "close", "unknown control request"},
		{"udp", "keepalive", "unknown control request"},
	} {
		ctl, _ := tp.clone(c.proto)
		r := tp.call(51, ctl, tp.str(c.msg), len(c.msg), -1)
		if r.ret != -1 || r.err != c.err {
			t.Errorf("%s ctl %q = %d %q, want -1 %q", c.proto, c.msg, r.ret, r.err, c.err)
		}
		tp.close(ctl)
	}
}

// fakeResolver answers cs and dns from a table, so that their tests do
// not depend on the host's network.
type fakeResolver struct{}

func notFound(name string) error {
	return &net.DNSError{Err: "no such host", Name: name, IsNotFound: true}
}

func (fakeResolver) LookupNetIP(ctx context.Context, network, host string) ([]netip.Addr, error) {
	switch host {
	case "example.test":
		return []netip.Addr{netip.MustParseAddr("2001:db8::1"), netip.MustParseAddr("192.0.2.1"), netip.MustParseAddr("192.0.2.2")}, nil
	case "v6only.example.test":
		return []netip.Addr{netip.MustParseAddr("2001:db8::6")}, nil
	case "broken.example.test":
		return nil, &net.DNSError{Err: "server misbehaving", Name: host, IsTemporary: true}
	}
	return nil, notFound(host)
}

func (fakeResolver) LookupAddr(ctx context.Context, addr string) ([]string, error) {
	if addr == "192.0.2.1" {
		return []string{"one.example.test."}, nil
	}
	return nil, notFound(addr)
}

func (fakeResolver) LookupCNAME(ctx context.Context, host string) (string, error) {
	if host == "www.example.test" {
		return "example.test.", nil
	}
	return host + ".", nil
}

func (fakeResolver) LookupMX(ctx context.Context, name string) ([]*net.MX, error) {
	return []*net.MX{{Host: "mail.example.test.", Pref: 10}}, nil
}

func (fakeResolver) LookupTXT(ctx context.Context, name string) ([]string, error) {
	return []string{"v=spf1 -all", "two words"}, nil
}

func (fakeResolver) LookupSRV(ctx context.Context, service, proto, name string) (string, []*net.SRV, error) {
	return name, []*net.SRV{{Target: "web.example.test.", Port: 8080, Priority: 1, Weight: 5}}, nil
}

func (fakeResolver) LookupNS(ctx context.Context, name string) ([]*net.NS, error) {
	return []*net.NS{{Host: "ns1.example.test."}}, nil
}

// query writes q to the cs or dns file and reads every answer as Go's
// net package does: from offset 0, one read after another.
func (tp *tproc) query(file, q string) ([]string, string) {
	tp.t.Helper()
	fd := tp.open(file, ORDWR)
	defer tp.close(fd)
	if r := tp.call(51, fd, tp.str(q), len(q), 0); r.ret < 0 {
		return nil, r.err
	}
	var out []string
	var off int64
	for {
		s, r := tp.read(fd, 128, off)
		if r.ret < 0 {
			tp.t.Fatalf("read %s: %s", file, r.err)
		}
		if r.ret == 0 {
			return out, ""
		}
		out = append(out, s)
		off += r.ret
	}
}

func TestDevCS(t *testing.T) {
	tp, d := ipTP(t, aout.ArchAMD64)
	d.res = fakeResolver{}
	for _, c := range []struct {
		q    string
		want []string
		err  string
	}{
		{"tcp!127.0.0.1!80", []string{"/net/tcp/clone 127.0.0.1!80"}, ""},
		{"tcp!*!8080", []string{"/net/tcp/clone 8080"}, ""},
		{"tcp!::!8080", []string{"/net/tcp/clone 8080"}, ""},
		{"udp!::1!domain", []string{"/net/udp/clone ::1!53"}, ""},
		{"tcp![::1]!http", []string{"/net/tcp/clone ::1!80"}, ""},
		{"tcp!127.0.0.1!80!9000", []string{"/net/tcp/clone 127.0.0.1!80!9000"}, ""},
		{"net!example.test!https", []string{
			"/net/tcp/clone 192.0.2.1!443", "/net/tcp/clone 192.0.2.2!443", "/net/tcp/clone 2001:db8::1!443"}, ""},
		{"tcp!v6only.example.test!22", []string{"/net/tcp/clone 2001:db8::6!22"}, ""},
		{"il!somewhere!17008", []string{"/net/il/clone somewhere!17008"}, ""},
		{"!protocol=tcp", []string{"protocol=tcp ipv4proto=6"}, ""},
		{"!protocol=ipv6-icmp", []string{"protocol=ipv6-icmp ipv4proto=58"}, ""},
		{"!protocol=nonesuch", nil, "cs: no match"},
		{"tcp!127.0.0.1!nonesuch", nil, "cs: can't translate service"},
		{"udp!127.0.0.1!http", nil, "cs: can't translate service"},
		{"tcp!127.0.0.1!a.b", nil, "cs: can't translate service"},
		{"tcp!127.0.0.1", nil, "cs: can't translate service"},
		{"tcp!nowhere.example.test!80", nil, "cs: can't translate address: dns: name does not exist"},
		{"tcp!broken.example.test!80", nil, "cs: temporary problem: dns failure"},
		{strings.Repeat("x", 200), nil, "cs: request too long"},
	} {
		got, err := tp.query("/net/cs", c.q)
		if err != c.err || !slices.Equal(got, c.want) {
			t.Errorf("cs %q = %q %q, want %q %q", c.q, got, err, c.want, c.err)
		}
	}
}

func TestDevDNS(t *testing.T) {
	tp, d := ipTP(t, aout.ArchAMD64)
	d.res = fakeResolver{}
	for _, c := range []struct {
		q    string
		want []string
		err  string
	}{
		{"example.test ip", []string{"example.test ip\t192.0.2.1", "example.test ip\t192.0.2.2"}, ""},
		{"example.test", []string{"example.test ip\t192.0.2.1", "example.test ip\t192.0.2.2"}, ""},
		{"example.test ipv6", []string{"example.test ipv6\t2001:db8::1"}, ""},
		{"v6only.example.test ip", nil, "dns: resource does not exist; negrcode 0"},
		{"nowhere.example.test ip", nil, "dns: name does not exist"},
		{"broken.example.test ip", nil, "dns: dns failure"},
		{"1.2.0.192.in-addr.arpa ptr", []string{"1.2.0.192.in-addr.arpa ptr\tone.example.test"}, ""},
		{"192.0.2.1", []string{"192.0.2.1 ptr\tone.example.test"}, ""},
		{"www.example.test cname", []string{"www.example.test cname\texample.test"}, ""},
		{"example.test cname", nil, "dns: resource does not exist; negrcode 0"},
		{"example.test mx", []string{"example.test mx\t10 mail.example.test"}, ""},
		{"example.test txt", []string{"example.test txt\tv=spf1 -all", "example.test txt\ttwo words"}, ""},
		{"_http._tcp.example.test srv", []string{"_http._tcp.example.test srv\t1 5 8080 web.example.test"}, ""},
		{"example.test ns", []string{"example.test ns\tns1.example.test"}, ""},
		{"example.test hinfo", nil, "dns: unknown resource type"},
	} {
		got, err := tp.query("/net/dns", c.q)
		if err != c.err || !slices.Equal(got, c.want) {
			t.Errorf("dns %q = %q %q, want %q %q", c.q, got, err, c.want, c.err)
		}
	}
}

func TestArpaAddr(t *testing.T) {
	for _, c := range []struct{ name, want string }{
		{"4.3.2.1.in-addr.arpa", "1.2.3.4"},
		{"4.3.2.1.IN-ADDR.ARPA", "1.2.3.4"},
		{"1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa", "2001:db8::1"},
		{"::1", "::1"},
		{"3.2.1.in-addr.arpa", ""},
		{"x.3.2.1.in-addr.arpa", ""},
		{"example.test", ""},
	} {
		a, ok := arpaAddr(c.name)
		got := ""
		if ok {
			got = a.String()
		}
		if got != c.want {
			t.Errorf("arpaAddr(%q) = %q, want %q", c.name, got, c.want)
		}
	}
}

// netGuest is a Go program that uses package net over loopback: tcp
// echo (with a megabyte each way at once), a read deadline (which Go
// carries out by posting "hangup" to the reading process), http through
// httptest, udp echo and name lookups. Natively and under the kernel it
// must print the same.
const netGuest = `package main

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"time"
)

func check(what string, err error) {
	if err != nil {
		fmt.Printf("%s: %v\n", what, err)
		os.Exit(1)
	}
}

func main() {
	if len(os.Args) > 1 && os.Args[1] == "block" {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		check("listen", err)
		fmt.Println("listening", ln.Addr())
		ln.Accept()
		fmt.Println("accept returned")
		return
	}
	tcp()
	deadline()
	web()
	udp()
	lookups()
}

func tcp() {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	check("listen", err)
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				io.Copy(c, c)
				c.Close()
			}()
		}
	}()
	c, err := net.Dial("tcp", ln.Addr().String())
	check("dial", err)
	fmt.Fprintf(c, "hello over tcp\n")
	r := bufio.NewReader(c)
	line, err := r.ReadString('\n')
	check("read", err)
	fmt.Print("tcp echo: ", line)
	fmt.Println("remote is the listener:", c.RemoteAddr().String() == ln.Addr().String())
	fmt.Println("local is loopback:", strings.HasPrefix(c.LocalAddr().String(), "127.0.0.1:"))
	data := make([]byte, 1<<20)
	for i := range data {
		data[i] = byte(i * 7 / 3)
	}
	go c.Write(data)
	back := make([]byte, len(data))
	_, err = io.ReadFull(r, back)
	check("read back", err)
	fmt.Printf("1 MiB echoed intact: %v %x\n", bytes.Equal(back, data), sha256.Sum256(back))
	c.Close()
	ln.Close()
	_, err = ln.Accept()
	fmt.Println("accept after close fails:", err != nil)
	ln2, err := net.Listen("tcp", "127.0.0.1:0")
	check("listen", err)
	addr := ln2.Addr().String()
	ln2.Close()
	_, err = net.Dial("tcp", addr)
	fmt.Println("dial to a closed port fails:", err != nil)
}

func deadline() {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	check("listen", err)
	defer ln.Close()
	timedOut := make(chan bool)
	go func() {
		c, err := ln.Accept()
		check("accept", err)
		<-timedOut
		fmt.Fprintf(c, "after the deadline\n")
		c.Close()
	}()
	c, err := net.Dial("tcp", ln.Addr().String())
	check("dial", err)
	c.SetReadDeadline(time.Now().Add(100 * time.Millisecond))
	buf := make([]byte, 100)
	_, err = c.Read(buf)
	fmt.Println("read timed out:", errors.Is(err, os.ErrDeadlineExceeded))
	c.SetReadDeadline(time.Time{})
	timedOut <- true
	b, err := io.ReadAll(c)
	check("read all", err)
	fmt.Printf("then read: %q\n", b)
	c.Close()
}

func web() {
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		fmt.Fprintf(w, "%s %s body=%q", r.Method, r.URL.Path, body)
	}))
	defer ts.Close()
	for i := 0; i < 3; i++ {
		resp, err := http.Get(ts.URL + fmt.Sprintf("/get/%d", i))
		check("get", err)
		b, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		check("body", err)
		fmt.Printf("http: %d %s\n", resp.StatusCode, b)
	}
	resp, err := http.Post(ts.URL+"/post", "text/plain", strings.NewReader("posted text"))
	check("post", err)
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	fmt.Printf("http: %d %s\n", resp.StatusCode, b)
}

func udp() {
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	check("listen udp", err)
	go func() {
		buf := make([]byte, 1500)
		for {
			n, from, err := pc.ReadFrom(buf)
			if err != nil {
				return
			}
			pc.WriteTo(append([]byte("echo: "), buf[:n]...), from)
		}
	}()
	c, err := net.Dial("udp", pc.LocalAddr().String())
	check("dial udp", err)
	for _, m := range []string{"first datagram", "second"} {
		c.Write([]byte(m))
		buf := make([]byte, 1500)
		n, err := c.Read(buf)
		check("read udp", err)
		fmt.Printf("udp: %q\n", buf[:n])
	}
	c.Close()
	pc.Close()
}

func lookups() {
	addrs, err := net.LookupHost("127.0.0.1")
	check("lookup", err)
	fmt.Println("127.0.0.1:", addrs)
	port, err := net.LookupPort("tcp", "http")
	check("lookup port", err)
	fmt.Println("tcp http port:", port)
}
`

// buildNetGuest builds netGuest for goos/goarch ("" for the host) into
// dir.
func buildNetGuest(t *testing.T, dir, goos, goarch string) string {
	t.Helper()
	gobin, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go command to build the guest program")
	}
	src := filepath.Join(dir, "src")
	os.MkdirAll(src, 0o777)
	os.WriteFile(filepath.Join(src, "go.mod"), []byte("module netguest\n\ngo 1.22\n"), 0o666)
	os.WriteFile(filepath.Join(src, "main.go"), []byte(netGuest), 0o666)
	env := slices.DeleteFunc(os.Environ(), func(kv string) bool {
		name, _, _ := strings.Cut(kv, "=")
		return slices.Contains([]string{"GOOS", "GOARCH", "GO386", "GOAMD64", "CGO_ENABLED", "GOFLAGS"}, name)
	})
	env = append(env, "CGO_ENABLED=0")
	name := "netguest-host"
	if goos != "" {
		env = append(env, "GOOS="+goos, "GOARCH="+goarch, "GO386=sse2", "GOAMD64=v1")
		name = "netguest-" + goarch
	}
	out := filepath.Join(dir, name)
	cmd := exec.Command(gobin, "build", "-o", out, ".")
	cmd.Dir = src
	cmd.Env = env
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build %s/%s: %v\n%s", goos, goarch, err, b)
	}
	return out
}

// startGuest starts the program at the host path bin as the first
// process of a new kernel rooted at its directory.
func startGuest(t *testing.T, bin string, stdout io.Writer, args ...string) (*Kernel, *Proc) {
	t.Helper()
	var errw syncBuf
	k, err := NewKernel(Config{Root: filepath.Dir(bin), Stdout: stdout, Stderr: &errw})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		k.Shutdown()
		if s := errw.String(); s != "" {
			t.Logf("stderr of %s:\n%s", filepath.Base(bin), s)
		}
	})
	p, err := k.Start("/"+filepath.Base(bin), append([]string{filepath.Base(bin)}, args...))
	if err != nil {
		t.Fatal(err)
	}
	return k, p
}

// guestTimeout guards against a hung guest; it is not a timing
// assertion (the race detector makes the guest many times slower).
const guestTimeout = 5 * time.Minute

// waitAll waits for p to exit and then for every other process of the
// kernel (the rest of a Go program's threads, which p's exit ends), so
// that their files are closed.
func waitAll(t *testing.T, k *Kernel, p *Proc) {
	t.Helper()
	guard := time.After(guestTimeout)
	wait := func(done <-chan struct{}) {
		select {
		case <-done:
		case <-guard:
			k.Shutdown()
			t.Fatalf("program did not finish within %v", guestTimeout)
		}
	}
	wait(p.Done())
	k.mu.Lock()
	var rest []*Proc
	for _, q := range k.procs {
		rest = append(rest, q)
	}
	k.mu.Unlock()
	for _, q := range rest {
		wait(q.Done())
	}
}

func TestNetGuest(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a Go program three times")
	}
	hostListen(t, "tcp")
	dir := t.TempDir()
	native, err := exec.Command(buildNetGuest(t, dir, "", "")).Output()
	if err != nil {
		t.Fatalf("native run: %v\n%s", err, native)
	}
	for _, arch := range arches {
		t.Run(arch.String(), func(t *testing.T) {
			bin := buildNetGuest(t, dir, "plan9", arch.String())
			var out syncBuf
			k, p := startGuest(t, bin, &out)
			waitAll(t, k, p)
			if msg := p.Wait(); msg != "" {
				t.Errorf("exit status %q", msg)
			}
			if out.String() != string(native) {
				t.Errorf("under the kernel:\n%s\nnatively:\n%s", out.String(), native)
			}
			d := k.devtab['I'].(*ipDev)
			if n := d.inuseCount(0) + d.inuseCount(1); n != 0 {
				t.Errorf("%d conversations still in use after the program exited", n)
			}
		})
	}
}

// A Go program blocked in Accept ends when its kernel is shut down, and
// its port is closed.
func TestNetGuestKilled(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a Go program")
	}
	hostListen(t, "tcp")
	bin := buildNetGuest(t, t.TempDir(), "plan9", "amd64")
	pr, pw := io.Pipe()
	k, p := startGuest(t, bin, pw, "block")
	line, err := bufio.NewReader(pr).ReadString('\n')
	go io.Copy(io.Discard, pr)
	addr, ok := strings.CutPrefix(strings.TrimSpace(line), "listening ")
	if err != nil || !ok {
		t.Fatalf("guest printed %q %v", line, err)
	}
	k.Shutdown()
	waitAll(t, k, p)
	pw.Close()
	if c, err := net.Dial("tcp", addr); err == nil {
		c.Close()
		t.Errorf("%s still takes calls after its process was killed", addr)
	}
	if d := k.devtab['I'].(*ipDev); d.inuseCount(0) != 0 {
		t.Errorf("conversations still in use after the program was killed")
	}
}
