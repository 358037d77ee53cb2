package sys9

import (
	"context"
	"errors"
	"io"
	"net"
	"net/netip"
	"os"
	"strconv"
	"strings"
	"time"
)

// The conversations of #I at work: control messages, the host calls
// behind connect, announce and listen, and the data path.

// netCall runs f, a host call, in its own goroutine and waits for it or
// for a note. On a note it calls stop, which must make f return soon,
// waits for f and returns Eintr.
func netCall(p *Proc, state string, f func(), stop func()) error {
	done := make(chan struct{})
	go func() {
		f()
		close(done)
	}()
	if err := p.block(done, state); err != nil {
		stop()
		<-done
		return err
	}
	return nil
}

// netErr turns a host network error into Plan 9's words for it where
// there are some, else the host's description of the cause.
func netErr(err error) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, net.ErrClosed), errors.Is(err, io.EOF):
		return Ehungup
	case errors.Is(err, context.Canceled):
		return Error("Hangup")
	case errors.Is(err, context.DeadlineExceeded), errors.Is(err, os.ErrDeadlineExceeded):
		return Etimedout
	}
	for {
		u := errors.Unwrap(err)
		if u == nil {
			break
		}
		err = u
	}
	s := strings.ToLower(err.Error())
	for _, m := range []struct {
		host  string
		plan9 Error
	}{
		{"connection refused", Econrefused},
		{"reset by peer", Econrefused}, // tcp.c: a reset closes with Econrefused
		{"broken pipe", Ehungup},
		{"timed out", Etimedout},
		{"address already in use", Eaddrinuse},
		{"assign requested address", Error("not a local IP address")},
		{"permission denied", Eperm},
		{"network is unreachable", Error("network unreachable")},
		{"no route to host", Error("no route to host")},
	} {
		if strings.Contains(s, m.host) {
			return m.plan9
		}
	}
	return Error(s)
}

// ctl carries out one control message (devip.c's ipwrite on Qctl).
func (d *ipDev) ctl(p *Proc, cv *conv, b []byte) error {
	f := tokenize(string(b))
	if len(f) == 0 {
		return Error("short control request")
	}
	switch f[0] {
	case "connect":
		return d.connect(p, cv, f)
	case "announce":
		return d.announce(cv, f)
	case "bind":
		if len(f) != 2 {
			return Error("bad args to bind")
		}
		if _, err := parseLocal(f[1]); err != nil {
			return err
		}
		d.mu.Lock()
		cv.bindLocal = f[1]
		d.mu.Unlock()
		return nil
	case "ttl", "tos", "ignoreadvice":
		return nil
	case "addmulti", "remmulti":
		return Error("multicast not supported")
	}
	if len(f) == 1 && f[0] == "hangup" {
		d.hangup(cv, true)
		return nil
	}
	if cv.pr.stream() {
		switch {
		case len(f) == 1 && f[0] == "close":
			d.hangup(cv, false)
			return nil
		case f[0] == "keepalive":
			d.mu.Lock()
			tc, ok := cv.conn.(*net.TCPConn)
			d.mu.Unlock()
			if !ok {
				return Error("connection must be in Establised state")
			}
			ms := 30000
			if len(f) > 1 {
				if n, err := strconv.Atoi(f[1]); err == nil && n >= 50 {
					ms = n
				}
			}
			tc.SetKeepAlive(true)
			tc.SetKeepAlivePeriod(time.Duration(ms) * time.Millisecond)
			return nil
		case f[0] == "checksum" || f[0] == "tcpporthogdefense":
			return nil
		}
	} else if len(f) == 1 && f[0] == "headers" {
		d.mu.Lock()
		cv.hdrs = true
		d.mu.Unlock()
		return nil
	}
	return Error("unknown control request")
}

// hangup ends the conversation's traffic: reads see end of file and
// writes fail. With reset, a tcp connection is reset (tcphangup) rather
// than closed in order (the "close" message).
func (d *ipDev) hangup(cv *conv, reset bool) {
	d.mu.Lock()
	if reset {
		if tc, ok := cv.conn.(*net.TCPConn); ok {
			tc.SetLinger(0)
		}
	}
	release := cv.detach()
	if cv.state != convIdle {
		cv.state = convClosed
	}
	cv.broadcast()
	d.mu.Unlock()
	release()
}

// parseIP parses an address as parseip does (IPv4 or IPv6 text).
func parseIP(s string) (netip.Addr, error) {
	a, err := netip.ParseAddr(s)
	if err != nil || a.Zone() != "" {
		return netip.Addr{}, Ebadip
	}
	return a, nil
}

// parsePort parses a decimal port that ends the string or a '!'.
func parsePort(s string) (uint16, error) {
	if i := strings.IndexByte(s, '!'); i >= 0 {
		s = s[:i]
	}
	n, err := strconv.ParseUint(s, 10, 16)
	if err != nil {
		return 0, Error("bad numeric port")
	}
	return uint16(n), nil
}

// parseLocal parses a local address, [addr!]port[!r] (setladdrport): no
// address, or "*", is any address.
func parseLocal(s string) (netip.AddrPort, error) {
	f := strings.Split(s, "!")
	if len(f) > 1 && f[len(f)-1] == "r" {
		f = f[:len(f)-1] // restricted: meaningless for a local port
	}
	addr, port := "*", f[0]
	if len(f) > 1 {
		addr, port = f[0], f[1]
	}
	if port == "*" {
		return netip.AddrPort{}, Eperm // announcing every port is for the host owner
	}
	var a netip.Addr
	if addr != "*" {
		var err error
		if a, err = parseIP(addr); err != nil {
			return netip.AddrPort{}, err
		}
	}
	n, err := parsePort(port)
	if err != nil {
		return netip.AddrPort{}, err
	}
	return netip.AddrPortFrom(a, n), nil
}

// hostAddr returns the host's form of ap for net.Dial and net.Listen:
// ":port" for any address.
func hostAddr(ap netip.AddrPort) string {
	a := ap.Addr()
	if !a.IsValid() || a == netip.IPv6Unspecified() {
		return ":" + strconv.Itoa(int(ap.Port()))
	}
	return netip.AddrPortFrom(a.Unmap(), ap.Port()).String()
}

func addrPort(a net.Addr) netip.AddrPort {
	switch a := a.(type) {
	case *net.TCPAddr:
		return a.AddrPort()
	case *net.UDPAddr:
		return a.AddrPort()
	}
	return netip.AddrPort{}
}

// connect implements "connect addr!port[!r] [local]" with a host dial.
func (d *ipDev) connect(p *Proc, cv *conv, f []string) error {
	if len(f) != 2 && len(f) != 3 {
		return Error("bad args to connect")
	}
	ra, rp, ok := strings.Cut(f[1], "!")
	if !ok {
		return Error("malformed address")
	}
	raddr, err := parseIP(ra)
	if err != nil {
		return err
	}
	port, err := parsePort(rp)
	if err != nil {
		return err
	}
	remote := netip.AddrPortFrom(raddr, port)
	d.mu.Lock()
	local := cv.bindLocal
	d.mu.Unlock()
	if len(f) == 3 {
		local = f[2]
	}
	var dialer net.Dialer
	if local != "" {
		la, err := parseLocal(local)
		if err != nil {
			return err
		}
		if cv.pr.stream() {
			dialer.LocalAddr = &net.TCPAddr{IP: la.Addr().AsSlice(), Port: int(la.Port())}
		} else {
			dialer.LocalAddr = &net.UDPAddr{IP: la.Addr().AsSlice(), Port: int(la.Port())}
		}
	}
	ctx, cancel := context.WithCancel(context.Background())
	d.mu.Lock()
	if cv.state != convIdle {
		d.mu.Unlock()
		cancel()
		return Econinuse
	}
	cv.state = convConnecting
	cv.raddr = remote
	cv.cancel = cancel
	d.mu.Unlock()

	var conn net.Conn
	var derr error
	berr := netCall(p, "Connect", func() {
		conn, derr = dialer.DialContext(ctx, cv.pr.name, hostAddr(remote))
	}, cancel)
	cancel()
	d.mu.Lock()
	defer d.mu.Unlock()
	if cv.state != convConnecting || cv.freed || berr != nil || derr != nil {
		if conn != nil {
			conn.Close()
		}
		if cv.state == convConnecting {
			cv.state = convIdle
			cv.cancel = nil
		}
		switch {
		case berr != nil:
			return berr
		case derr == nil:
			return Error("Hangup")
		}
		err := netErr(derr)
		cv.errmsg = err.Error()
		return err
	}
	cv.conn = conn
	cv.cancel = nil
	cv.state = convConnected
	cv.laddr = addrPort(conn.LocalAddr())
	cv.raddr = addrPort(conn.RemoteAddr())
	cv.rerr = nil
	cv.pr.activeOpens++
	cv.broadcast()
	return nil
}

// announce implements "announce [addr!]port" with a host listen.
func (d *ipDev) announce(cv *conv, f []string) error {
	if len(f) != 2 {
		return Error("bad args to announce")
	}
	la, err := parseLocal(f[1])
	if err != nil {
		return err
	}
	d.mu.Lock()
	if cv.state != convIdle {
		d.mu.Unlock()
		return Econinuse
	}
	d.mu.Unlock()
	var ln net.Listener
	var pc net.PacketConn
	var addr net.Addr
	if cv.pr.stream() {
		ln, err = net.Listen("tcp", hostAddr(la))
		if err == nil {
			addr = ln.Addr()
		}
	} else {
		pc, err = net.ListenPacket("udp", hostAddr(la))
		if err == nil {
			addr = pc.LocalAddr()
		}
	}
	if err != nil {
		return netErr(err)
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	if cv.state != convIdle || cv.freed {
		if ln != nil {
			ln.Close()
		}
		if pc != nil {
			pc.Close()
		}
		return Econinuse
	}
	cv.ln, cv.pc = ln, pc
	cv.state = convAnnounced
	cv.laddr = addrPort(addr)
	if !la.Addr().IsValid() {
		cv.laddr = netip.AddrPortFrom(netip.Addr{}, cv.laddr.Port())
	}
	cv.raddr = netip.AddrPort{}
	cv.rerr = nil
	cv.broadcast()
	return nil
}

// listen waits for a call to the announced conversation x and returns
// the new conversation, in use by the caller (devip.c's ipopen on
// Qlisten).
func (d *ipDev) listen(p *Proc, pr, x int) (*conv, error) {
	d.mu.Lock()
	cv := d.convAt(pr, x)
	switch {
	case cv == nil || cv.state != convAnnounced:
		d.mu.Unlock()
		return nil, Error("not announced")
	case !cv.pr.stream():
		d.mu.Unlock()
		return nil, Enotimpl // udp's calls by remote address are not kept apart
	}
	cv.inuse++
	for {
		if len(cv.incall) > 0 {
			nc := cv.incall[0]
			cv.incall = cv.incall[1:]
			d.mu.Unlock()
			d.closeconv(cv)
			return nc, nil
		}
		if cv.ln == nil || cv.lerr != nil {
			err := cv.lerr
			d.mu.Unlock()
			d.closeconv(cv)
			if err == nil {
				err = Error("listen hungup")
			}
			return nil, err
		}
		if !cv.accepting {
			cv.accepting = true
			go d.accept(cv, cv.ln)
		}
		wait := cv.wake
		d.mu.Unlock()
		if err := p.block(wait, "Open"); err != nil {
			d.closeconv(cv)
			return nil, err
		}
		d.mu.Lock()
	}
}

// accept takes one call from the host listener into cv's queue as a new
// conversation (Fsnewcall). A call that arrives after the listener was
// given up is closed.
func (d *ipDev) accept(cv *conv, ln net.Listener) {
	conn, err := ln.Accept()
	d.mu.Lock()
	defer d.mu.Unlock()
	cv.accepting = false
	defer cv.broadcast()
	if cv.freed || cv.ln != ln {
		if conn != nil {
			conn.Close()
		}
		return
	}
	if err != nil {
		cv.lerr = netErr(err)
		return
	}
	nc, err := d.clone(cv.pr)
	if err != nil {
		conn.Close()
		return
	}
	nc.state = convConnected
	nc.conn = conn
	nc.laddr = addrPort(conn.LocalAddr())
	nc.raddr = addrPort(conn.RemoteAddr())
	cv.pr.passiveOpens++
	cv.incall = append(cv.incall, nc)
}

// udpHdrSize is the size of the Udphdr that prefixes each datagram in
// headers mode: remote, local and interface addresses, remote and local
// ports.
const udpHdrSize = 16*3 + 2*2

// dataRead returns what the connection has received: for tcp what is
// buffered (up to len(b)), for udp one datagram (the rest of it is
// discarded). It waits when nothing is buffered; data that arrives after
// a note interrupted the wait stays for the next read.
func (d *ipDev) dataRead(p *Proc, cv *conv, b []byte) (int, error) {
	d.mu.Lock()
	for {
		if len(cv.rq) > 0 {
			n := cv.take(b)
			d.mu.Unlock()
			return n, nil
		}
		if cv.rerr != nil {
			err := cv.rerr
			if err == io.EOF {
				cv.eofs++
				if cv.eofs > 3 {
					err = Ehungup
				} else {
					err = nil
				}
			}
			d.mu.Unlock()
			return 0, err
		}
		if !cv.filling && (cv.conn != nil || cv.pc != nil) {
			cv.filling = true
			go d.fill(cv, cv.conn, cv.pc, cv.hdrs)
		}
		wait := cv.wake
		d.mu.Unlock()
		if err := p.block(wait, "Read"); err != nil {
			return 0, err
		}
		d.mu.Lock()
	}
}

// take moves received data into b; d.mu is held.
func (cv *conv) take(b []byte) int {
	if !cv.pr.stream() {
		m := cv.rq[0]
		cv.rq = cv.rq[1:]
		cv.rqn -= len(m)
		return copy(b, m)
	}
	n := 0
	for n < len(b) && len(cv.rq) > 0 {
		m := cv.rq[0]
		k := copy(b[n:], m)
		n += k
		if k == len(m) {
			cv.rq = cv.rq[1:]
		} else {
			cv.rq[0] = m[k:]
		}
	}
	cv.rqn -= n
	return n
}

// fill makes one host read for cv and queues what it got. Only one runs
// at a time per conversation; closing the host socket ends it.
func (d *ipDev) fill(cv *conv, conn net.Conn, pc net.PacketConn, hdrs bool) {
	if cv.scratch == nil {
		cv.scratch = make([]byte, 64<<10)
	}
	buf := cv.scratch
	var msg []byte
	var err error
	got := false
	if pc != nil {
		var n int
		var from net.Addr
		n, from, err = pc.ReadFrom(buf)
		if err == nil {
			got = true
			if hdrs {
				msg = make([]byte, udpHdrSize+n)
				d.mu.Lock()
				la := cv.laddr
				d.mu.Unlock()
				putUDPHdr(msg, addrPort(from), la)
				copy(msg[udpHdrSize:], buf[:n])
			} else {
				msg = append([]byte(nil), buf[:n]...)
			}
		}
	} else {
		var n int
		n, err = conn.Read(buf)
		got = n > 0 || err == nil && !cv.pr.stream()
		msg = append([]byte(nil), buf[:n]...)
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	cv.filling = false
	defer cv.broadcast()
	if cv.freed || cv.conn != conn || cv.pc != pc {
		return
	}
	if got {
		cv.rq = append(cv.rq, msg)
		cv.rqn += len(msg)
		if !cv.pr.stream() {
			cv.pr.inDatagrams++
		}
	}
	if err != nil && cv.rerr == nil {
		if errors.Is(err, io.EOF) {
			cv.rerr = io.EOF
			cv.remoteEOF = true
		} else {
			cv.rerr = netErr(err)
			cv.errmsg = cv.rerr.Error()
		}
	}
}

// putUDPHdr fills in the Udphdr of a received datagram.
func putUDPHdr(b []byte, from, local netip.AddrPort) {
	r := from.Addr().As16()
	copy(b[0:], r[:])
	if a := local.Addr(); a.IsValid() {
		l := a.As16()
		copy(b[16:], l[:])
		copy(b[32:], l[:])
	}
	b[48], b[49] = byte(from.Port()>>8), byte(from.Port())
	b[50], b[51] = byte(local.Port()>>8), byte(local.Port())
}

// dataWrite sends b: on a tcp connection as a stream (waiting while the
// host's buffers are full), on udp as one datagram, which in headers
// mode starts with the Udphdr naming its destination.
func (d *ipDev) dataWrite(p *Proc, cv *conv, b []byte) (int, error) {
	d.mu.Lock()
	conn, pc, hdrs := cv.conn, cv.pc, cv.hdrs
	if !cv.pr.stream() && (conn != nil || pc != nil) {
		cv.pr.outDatagrams++
	}
	d.mu.Unlock()
	switch {
	case pc != nil:
		if !hdrs {
			return 0, Error("no remote address")
		}
		if len(b) < udpHdrSize {
			return len(b), nil // too short for a header: dropped, as udpkick does
		}
		to := netip.AddrPortFrom(netip.AddrFrom16([16]byte(b[:16])).Unmap(), uint16(b[48])<<8|uint16(b[49]))
		pc.WriteTo(b[udpHdrSize:], net.UDPAddrFromAddrPort(to))
		return len(b), nil
	case conn == nil:
		return 0, Ehungup
	case !cv.pr.stream():
		conn.Write(b)
		return len(b), nil
	}
	if err := p.block(cv.wsem, "Write"); err != nil {
		return 0, err
	}
	defer func() { cv.wsem <- struct{}{} }()
	var n int
	var werr error
	berr := netCall(p, "Write", func() { n, werr = conn.Write(b) }, func() {
		conn.SetWriteDeadline(time.Unix(1, 0))
	})
	if berr != nil {
		conn.SetWriteDeadline(time.Time{})
		if n > 0 {
			return n, nil
		}
		return 0, berr
	}
	if werr != nil {
		if n > 0 {
			return n, nil
		}
		return 0, netErr(werr)
	}
	return n, nil
}
