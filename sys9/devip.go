package sys9

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/netip"
	"strconv"
	"strings"
	"sync"
)

// #I: the IP device (ip(3)), bound on /net. Its conversations are the
// host's sockets: connect is a host dial, announce a host listen, and
// the data file reads and writes the host connection.
//
//	#I/tcp, #I/udp	protocol directories: clone, stats, 0, 1, ...
//	#I/tcp/N	a conversation: ctl data err listen local remote status
//	#I/cs		the connection server (ndb/cs), in devcs.go
//	#I/dns		the domain name server (ndb/dns), in devcs.go
//	#I/iproute	the routes Go's net package probes for IPv4 and IPv6
//	#I/ipifc/N/status	the host's interfaces and their addresses
//	#I/etherN/addr	the hardware address of an ethernet interface (#l's)
//
// As in devip.c, a conversation is in use while a ctl, data or err file
// of it is open (or while it waits in a listener's queue); when the last
// one is closed its host socket is closed and the number may be handed
// out again by clone.
//
// Operations that wait (connect, opening listen, reading data, writing
// data that does not fit in the host's buffers, name lookups) run the
// host call in a goroutine and wait for it or for a note, so that Go's
// internal/poll can cancel a read by posting "hangup" and a killed
// process does not hang. Data that arrives after a read was interrupted
// is kept for the next read.
type ipDev struct {
	noDev
	k *Kernel

	once   sync.Once
	protos []*ipProto // made on the first attach

	mu sync.Mutex // every conversation's state

	res hostResolver // for cs and dns; nil: the host's

	capsOnce   sync.Once
	has4, has6 bool // the host can use IPv4 / IPv6 loopback
}

// Network error strings of port/error.h and devip.c.
const (
	Econrefused Error = "connection refused"
	Econinuse   Error = "connection in use"
	Etimedout   Error = "connection timed out"
	Ebadip      Error = "bad ip address syntax"
	Enodev      Error = "no free devices"
	Eaddrinuse  Error = "address in use"
)

// Qid paths, laid out as devip.c's QID(proto, conv, type).
const (
	ipShiftConv  = 5
	ipShiftProto = ipShiftConv + 12
	ipMaskType   = 1<<ipShiftConv - 1
	ipMaskConv   = 1<<12 - 1
	ipMaxConv    = ipMaskConv + 1
)

const (
	qIPTop = 1 + iota
	qIPCs
	qIPDns
	qIPRoute
	qIPProto
	qIPClone
	qIPStats
	qIPConv
	qIPCtl
	qIPData
	qIPErr
	qIPListen
	qIPLocal
	qIPRemote
	qIPStatus
	qIPIfcDir
	qIPIfc
	qIPIfcStatus
	qIPEther
	qIPEtherAddr
)

func ipQid(proto, conv, typ int) Qid {
	q := Qid{Path: uint64(proto)<<ipShiftProto | uint64(conv)<<ipShiftConv | uint64(typ)}
	if typ == qIPTop || typ == qIPProto || typ == qIPConv || typ == qIPIfcDir || typ == qIPIfc || typ == qIPEther {
		q.Type = QTDIR
	}
	return q
}

func qidType(q Qid) int  { return int(q.Path & ipMaskType) }
func qidConv(q Qid) int  { return int(q.Path>>ipShiftConv) & ipMaskConv }
func qidProto(q Qid) int { return int(q.Path >> ipShiftProto) }

// The files at the top and in each protocol and conversation directory,
// in the order devip.c lists them.
var (
	ipTopFiles   = []dirTab{{"iproute", Qid{Path: qIPRoute}, 0444}, {"cs", Qid{Path: qIPCs}, 0666}, {"dns", Qid{Path: qIPDns}, 0666}}
	ipProtoFiles = []dirTab{{"clone", Qid{Path: qIPClone}, 0666}, {"stats", Qid{Path: qIPStats}, 0444}}
	ipConvFiles  = []dirTab{
		{"ctl", Qid{Path: qIPCtl}, 0660}, {"data", Qid{Path: qIPData}, 0660},
		{"err", Qid{Path: qIPErr}, 0660}, {"listen", Qid{Path: qIPListen}, 0660},
		{"local", Qid{Path: qIPLocal}, 0444}, {"remote", Qid{Path: qIPRemote}, 0444},
		{"status", Qid{Path: qIPStatus}, 0444},
	}
)

// An ipProto is a protocol directory: its conversations by number.
type ipProto struct {
	name  string // "tcp" or "udp"
	x     int
	convs []*conv

	activeOpens, passiveOpens uint64 // tcp
	inDatagrams, outDatagrams uint64 // udp
}

func (pr *ipProto) stream() bool { return pr.name == "tcp" }

type convState int

const (
	convIdle convState = iota
	convConnecting
	convConnected
	convAnnounced
	convClosed // hung up, closed, or a failed connect
)

// A conv is one conversation. Everything in it is guarded by ipDev.mu
// except scratch (owned by the one fill goroutine) and wsem.
type conv struct {
	pr    *ipProto
	x     int
	inuse int
	freed bool // closed for good; the slot holds a new conv
	state convState

	laddr, raddr netip.AddrPort
	bindLocal    string // from a "bind" message, for the next connect

	conn   net.Conn       // connected tcp or udp
	ln     net.Listener   // announced tcp
	pc     net.PacketConn // announced udp
	cancel context.CancelFunc
	hdrs   bool // udp "headers" mode

	// Received data, in host reads (tcp) or datagrams (udp).
	rq        [][]byte
	rqn       int
	rerr      error // end of input: io.EOF or the error that ended it
	eofs      int
	remoteEOF bool
	filling   bool
	scratch   []byte

	// Announced: connections accepted but not yet claimed by listen.
	incall    []*conv
	accepting bool
	lerr      error

	errmsg string // the err file
	wake   chan struct{}
	wsem   chan struct{} // holds one token: the right to write
}

func newConv(pr *ipProto, x int) *conv {
	cv := &conv{pr: pr, x: x, wake: make(chan struct{}), wsem: make(chan struct{}, 1)}
	cv.wsem <- struct{}{}
	return cv
}

// broadcast wakes everyone waiting on cv; ipDev.mu is held.
func (cv *conv) broadcast() {
	close(cv.wake)
	cv.wake = make(chan struct{})
}

func (d *ipDev) Char() rune   { return 'I' }
func (d *ipDev) Name() string { return "ip" }

func (d *ipDev) init() {
	d.protos = []*ipProto{{name: "tcp", x: 0}, {name: "udp", x: 1}}
}

// Attach accepts the stack numbers 0 to 15 of ip(3); all are the host's
// one stack.
func (d *ipDev) Attach(p *Proc, spec string) (*Chan, error) {
	if spec != "" {
		if n, err := strconv.Atoi(spec); err != nil || n < 0 || n > 15 {
			return nil, Ebadarg
		}
	}
	d.once.Do(d.init)
	return newChan(d, ipQid(0, 0, qIPTop), "#I", nil), nil
}

func (d *ipDev) Walk(p *Proc, c *Chan, name string) (*Chan, error) {
	pr, x := qidProto(c.Qid), qidConv(c.Qid)
	switch qidType(c.Qid) {
	case qIPTop:
		for _, r := range d.protos {
			if r.name == name {
				return newChan(d, ipQid(r.x, 0, qIPProto), c.Name, nil), nil
			}
		}
		for _, t := range ipTopFiles {
			if t.name == name {
				return newChan(d, ipQid(0, 0, int(t.qid.Path)), c.Name, nil), nil
			}
		}
		if name == "ipifc" {
			return newChan(d, ipQid(0, 0, qIPIfcDir), c.Name, nil), nil
		}
		if n, ok := strings.CutPrefix(name, "ether"); ok {
			if k, err := strconv.Atoi(n); err == nil && strconv.Itoa(k) == n && k < len(etherIfcs(hostIfcs())) {
				return newChan(d, ipQid(0, k, qIPEther), c.Name, nil), nil
			}
		}
	case qIPIfcDir:
		if n, err := strconv.Atoi(name); err == nil && strconv.Itoa(n) == name && n >= 0 && n < len(hostIfcs()) {
			return newChan(d, ipQid(0, n, qIPIfc), c.Name, nil), nil
		}
	case qIPIfc:
		if name == "status" {
			return newChan(d, ipQid(0, x, qIPIfcStatus), c.Name, nil), nil
		}
	case qIPEther:
		if name == "addr" {
			return newChan(d, ipQid(0, x, qIPEtherAddr), c.Name, nil), nil
		}
	case qIPProto:
		for _, t := range ipProtoFiles {
			if t.name == name {
				return newChan(d, ipQid(pr, 0, int(t.qid.Path)), c.Name, nil), nil
			}
		}
		n, err := strconv.Atoi(name)
		if err != nil || strconv.Itoa(n) != name {
			return nil, Enonexist
		}
		d.mu.Lock()
		ok := n >= 0 && n < len(d.protos[pr].convs)
		d.mu.Unlock()
		if ok {
			return newChan(d, ipQid(pr, n, qIPConv), c.Name, nil), nil
		}
	case qIPConv:
		for _, t := range ipConvFiles {
			if t.name == name {
				return newChan(d, ipQid(pr, x, int(t.qid.Path)), c.Name, nil), nil
			}
		}
	default:
		return nil, Enotdir
	}
	return nil, Enonexist
}

// dir describes the file with qid q.
func (d *ipDev) dir(p *Proc, c *Chan, q Qid) Dir {
	pr, x := qidProto(q), qidConv(q)
	switch t := qidType(q); t {
	case qIPTop:
		return devDir(d, c, "#I", q, 0555, 0, p)
	case qIPProto:
		return devDir(d, c, d.protos[pr].name, q, 0555, 0, p)
	case qIPConv, qIPIfc:
		return devDir(d, c, strconv.Itoa(x), q, 0555, 0, p)
	case qIPIfcDir:
		return devDir(d, c, "ipifc", q, 0555, 0, p)
	case qIPIfcStatus:
		return devDir(d, c, "status", q, 0444, 0, p)
	case qIPEther:
		return devDir(d, c, "ether"+strconv.Itoa(x), q, 0555, 0, p)
	case qIPEtherAddr:
		return devDir(d, c, "addr", q, 0444, 0, p)
	default:
		for _, tabs := range [][]dirTab{ipTopFiles, ipProtoFiles, ipConvFiles} {
			for _, e := range tabs {
				if int(e.qid.Path) == t {
					var n uint64
					if t == qIPData {
						d.mu.Lock()
						if cv := d.convAt(pr, x); cv != nil {
							n = uint64(cv.rqn)
						}
						d.mu.Unlock()
					}
					return devDir(d, c, e.name, q, e.perm, n, p)
				}
			}
		}
	}
	return devDir(d, c, "?", q, 0, 0, p)
}

func (d *ipDev) Stat(p *Proc, c *Chan) (Dir, error) { return d.dir(p, c, c.Qid), nil }

func (d *ipDev) List(p *Proc, c *Chan) ([]Dir, error) {
	pr, x := qidProto(c.Qid), qidConv(c.Qid)
	var qs []Qid
	switch qidType(c.Qid) {
	case qIPTop:
		for _, r := range d.protos {
			qs = append(qs, ipQid(r.x, 0, qIPProto))
		}
		qs = append(qs, ipQid(0, 0, qIPIfcDir))
		for k := range etherIfcs(hostIfcs()) {
			qs = append(qs, ipQid(0, k, qIPEther))
		}
		for _, t := range ipTopFiles {
			qs = append(qs, ipQid(0, 0, int(t.qid.Path)))
		}
	case qIPIfcDir:
		for i := range hostIfcs() {
			qs = append(qs, ipQid(0, i, qIPIfc))
		}
	case qIPIfc:
		qs = append(qs, ipQid(0, x, qIPIfcStatus))
	case qIPEther:
		qs = append(qs, ipQid(0, x, qIPEtherAddr))
	case qIPProto:
		d.mu.Lock()
		n := len(d.protos[pr].convs)
		d.mu.Unlock()
		for i := 0; i < n; i++ {
			qs = append(qs, ipQid(pr, i, qIPConv))
		}
		for _, t := range ipProtoFiles {
			qs = append(qs, ipQid(pr, 0, int(t.qid.Path)))
		}
	case qIPConv:
		for _, t := range ipConvFiles {
			qs = append(qs, ipQid(pr, x, int(t.qid.Path)))
		}
	default:
		return nil, Enotdir
	}
	l := make([]Dir, 0, len(qs))
	for _, q := range qs {
		l = append(l, d.dir(p, c, q))
	}
	return l, nil
}

// convAt returns conversation x of protocol pr; d.mu is held.
func (d *ipDev) convAt(pr, x int) *conv {
	if pr < 0 || pr >= len(d.protos) || x < 0 || x >= len(d.protos[pr].convs) {
		return nil
	}
	return d.protos[pr].convs[x]
}

// clone reserves the first conversation not in use (Fsprotoclone); d.mu
// is held.
func (d *ipDev) clone(pr *ipProto) (*conv, error) {
	for _, cv := range pr.convs {
		if cv.inuse == 0 {
			cv.inuse = 1
			return cv, nil
		}
	}
	if len(pr.convs) >= ipMaxConv {
		return nil, Enodev
	}
	cv := newConv(pr, len(pr.convs))
	pr.convs = append(pr.convs, cv)
	cv.inuse = 1
	return cv, nil
}

func (d *ipDev) Open(p *Proc, c *Chan, mode int) (*Chan, error) {
	pr, x := qidProto(c.Qid), qidConv(c.Qid)
	switch t := qidType(c.Qid); t {
	case qIPTop, qIPProto, qIPConv, qIPStats, qIPLocal, qIPRemote, qIPStatus, qIPRoute,
		qIPIfcDir, qIPIfc, qIPIfcStatus, qIPEther, qIPEtherAddr:
		if mode&3 != OREAD {
			return nil, Eperm
		}
	case qIPCs, qIPDns:
		res := d.res
		if res == nil {
			res = net.DefaultResolver
		}
		c.Aux = &netQuery{res: res, dns: t == qIPDns}
	case qIPClone:
		d.mu.Lock()
		cv, err := d.clone(d.protos[pr])
		d.mu.Unlock()
		if err != nil {
			return nil, err
		}
		c.Qid = ipQid(pr, cv.x, qIPCtl)
		c.Aux = cv
	case qIPCtl, qIPData, qIPErr:
		d.mu.Lock()
		cv := d.convAt(pr, x)
		if cv == nil {
			d.mu.Unlock()
			return nil, Enonexist
		}
		cv.inuse++
		d.mu.Unlock()
		c.Aux = cv
	case qIPListen:
		nc, err := d.listen(p, pr, x)
		if err != nil {
			return nil, err
		}
		c.Qid = ipQid(pr, nc.x, qIPCtl)
		c.Aux = nc
	}
	return c, nil
}

// Close drops the conversation's use by an open ctl, data or err file
// (or by the ctl that clone and listen return).
func (d *ipDev) Close(c *Chan) {
	if cv, ok := c.Aux.(*conv); ok {
		d.closeconv(cv)
	}
}

// closeconv drops one use of cv; the last closes its host socket, the
// connections waiting in its listen queue, and frees the number.
func (d *ipDev) closeconv(cv *conv) {
	d.mu.Lock()
	cv.inuse--
	if cv.inuse > 0 {
		d.mu.Unlock()
		return
	}
	incall := cv.incall
	cv.incall = nil
	release := cv.detach()
	cv.freed = true
	cv.broadcast()
	if cv.pr.convs[cv.x] == cv {
		cv.pr.convs[cv.x] = newConv(cv.pr, cv.x)
	}
	d.mu.Unlock()
	release()
	for _, nc := range incall {
		d.closeconv(nc)
	}
}

// detach takes cv's host resources away and returns the function that
// closes them, to be called without d.mu. Reads then see end of file.
func (cv *conv) detach() func() {
	conn, ln, pc, cancel := cv.conn, cv.ln, cv.pc, cv.cancel
	cv.conn, cv.ln, cv.pc, cv.cancel = nil, nil, nil, nil
	if cv.rerr == nil {
		cv.rerr = io.EOF
	}
	return func() {
		if cancel != nil {
			cancel()
		}
		if conn != nil {
			conn.Close()
		}
		if ln != nil {
			ln.Close()
		}
		if pc != nil {
			pc.Close()
		}
	}
}

func (d *ipDev) Read(p *Proc, c *Chan, b []byte, off int64) (int, error) {
	pr, x := qidProto(c.Qid), qidConv(c.Qid)
	switch t := qidType(c.Qid); t {
	case qIPCs, qIPDns:
		return c.Aux.(*netQuery).read(b, off)
	case qIPRoute:
		return readStr(b, off, d.iproute())
	case qIPIfcStatus:
		l := hostIfcs()
		if x >= len(l) {
			return 0, Enonexist
		}
		return readStr(b, off, l[x].status())
	case qIPEtherAddr:
		l := etherIfcs(hostIfcs())
		if x >= len(l) {
			return 0, Enonexist
		}
		return readStr(b, off, l[x].mac)
	case qIPStats:
		return readStr(b, off, d.stats(pr))
	case qIPCtl:
		return readStr(b, off, strconv.Itoa(x))
	case qIPData:
		return d.dataRead(p, c.Aux.(*conv), b)
	case qIPErr:
		d.mu.Lock()
		cv := c.Aux.(*conv)
		s := cv.errmsg
		cv.errmsg = ""
		d.mu.Unlock()
		return copy(b, s), nil
	case qIPLocal, qIPRemote, qIPStatus:
		d.mu.Lock()
		var s string
		if cv := d.convAt(pr, x); cv != nil {
			switch t {
			case qIPLocal:
				s = fmtAddrPort(cv.laddr)
			case qIPRemote:
				s = fmtAddrPort(cv.raddr)
			default:
				s = cv.status()
			}
		}
		d.mu.Unlock()
		return readStr(b, off, s)
	}
	return 0, Eperm
}

func (d *ipDev) Write(p *Proc, c *Chan, b []byte, off int64) (int, error) {
	switch qidType(c.Qid) {
	case qIPCs, qIPDns:
		return c.Aux.(*netQuery).write(p, b)
	case qIPCtl:
		if err := d.ctl(p, c.Aux.(*conv), b); err != nil {
			return 0, err
		}
		return len(b), nil
	case qIPData:
		return d.dataWrite(p, c.Aux.(*conv), b)
	}
	return 0, Eperm
}

// fmtAddrPort formats an address as devip.c's "%I!%d\n": IPv4 (and
// v4-mapped) addresses dotted, no address as "::".
func fmtAddrPort(ap netip.AddrPort) string {
	a := ap.Addr()
	s := "::"
	if a.IsValid() {
		s = a.Unmap().WithZone("").String()
	}
	return s + "!" + strconv.Itoa(int(ap.Port())) + "\n"
}

// status is the status file: tcp.c's tcpstate or udp.c's udpstate.
func (cv *conv) status() string {
	if !cv.pr.stream() {
		s := "Closed"
		if cv.inuse > 0 {
			s = "Open"
		}
		return fmt.Sprintf("%s qin %d qout 0\n", s, cv.rqn)
	}
	s := "Closed"
	switch cv.state {
	case convConnecting:
		s = "Syn_sent"
	case convConnected:
		s = "Established"
		if cv.remoteEOF {
			s = "Close_wait"
		}
	case convAnnounced:
		s = "Listen"
	}
	return fmt.Sprintf("%s qin %d qout 0 rq 0.0 srtt 0 mdev 0 sst 0 cwin 0 swin 0>>0 rwin 0>>0 qscale 0 "+
		"timer.start 0 timer.count 0 rerecv 0 katimer.start 0 katimer.count 0\n", s, cv.rqn)
}

func (d *ipDev) stats(pr int) string {
	d.mu.Lock()
	defer d.mu.Unlock()
	r := d.protos[pr]
	if !r.stream() {
		return fmt.Sprintf("InDatagrams: %d\nNoPorts: 0\nInErrors: 0\nOutDatagrams: %d\n", r.inDatagrams, r.outDatagrams)
	}
	estab := 0
	for _, cv := range r.convs {
		if cv.state == convConnected {
			estab++
		}
	}
	return fmt.Sprintf("MaxConn: %d\nActiveOpens: %d\nPassiveOpens: %d\nCurrEstab: %d\n",
		ipMaxConv, r.activeOpens, r.passiveOpens, estab)
}

// iproute lists a local-interface route for each IP version the host's
// loopback supports; Go's net package looks for the flags "4i" and "6i"
// to decide which versions it may use.
func (d *ipDev) iproute() string {
	d.capsOnce.Do(func() {
		for _, v := range []struct {
			network, addr string
			ok            *bool
		}{{"tcp4", "127.0.0.1:0", &d.has4}, {"tcp6", "[::1]:0", &d.has6}} {
			if l, err := net.Listen(v.network, v.addr); err == nil {
				l.Close()
				*v.ok = true
			}
		}
	})
	var b strings.Builder
	if d.has4 {
		b.WriteString("127.0.0.0       /104 127.0.0.0       4i   ifc    0\n")
		b.WriteString("127.0.0.1       /128 127.0.0.1       4u   ifc    0\n")
	}
	if d.has6 {
		b.WriteString("::1             /128 ::1             6i   ifc    0\n")
	}
	return b.String()
}

// A hostIfc is one of the host's interfaces that are up, as ipifc
// presents it.
type hostIfc struct {
	mtu   int
	loop  bool
	mac   string // 12 hex digits, or "" when it has no ethernet address
	ether int    // N of its #I/etherN, or -1
	addrs []netip.Prefix
}

// hostIfcs lists the host's interfaces that are up, in the host's order.
// Loopback interfaces have the device /dev/null, as on Plan 9; ethernets
// get an etherN directory for their address.
func hostIfcs() []hostIfc {
	l, err := net.Interfaces()
	if err != nil {
		return nil
	}
	var out []hostIfc
	ether := 0
	for _, ifc := range l {
		if ifc.Flags&net.FlagUp == 0 {
			continue
		}
		h := hostIfc{mtu: ifc.MTU, loop: ifc.Flags&net.FlagLoopback != 0, ether: -1}
		if !h.loop && len(ifc.HardwareAddr) == 6 {
			h.mac = fmt.Sprintf("%x", []byte(ifc.HardwareAddr))
			h.ether = ether
			ether++
		}
		addrs, _ := ifc.Addrs()
		for _, a := range addrs {
			if n, ok := a.(*net.IPNet); ok {
				ip, _ := netip.AddrFromSlice(n.IP)
				ones, _ := n.Mask.Size()
				h.addrs = append(h.addrs, netip.PrefixFrom(ip.Unmap(), ones))
			}
		}
		out = append(out, h)
	}
	return out
}

// etherIfcs returns the interfaces that have an etherN directory.
func etherIfcs(l []hostIfc) []hostIfc {
	var out []hostIfc
	for _, h := range l {
		if h.ether >= 0 {
			out = append(out, h)
		}
	}
	return out
}

// status is ipifc.c's ipifcstate: a line about the device, then one
// per address (address, mask as a prefix length of the IPv6 form,
// network, valid and preferred lifetimes).
func (h hostIfc) status() string {
	dev := "/dev/null"
	switch {
	case h.ether >= 0:
		dev = "/net/ether" + strconv.Itoa(h.ether)
	case !h.loop:
		dev = "pkt"
	}
	var b strings.Builder
	fmt.Fprintf(&b, "device %s maxtu %d sendra 0 recvra 0 mflag 0 oflag 0 maxraint 600000 minraint 200000 "+
		"linkmtu 0 reachtime 0 rxmitra 0 ttl 255 routerlt 1800000 pktin 0 pktout 0 errin 0 errout 0\n", dev, h.mtu)
	for _, a := range h.addrs {
		bits := a.Bits()
		if a.Addr().Is4() {
			bits += 96
		}
		fmt.Fprintf(&b, "%-40s /%-9d %-40s %-12d %-12d\n", a.Addr().WithZone("").String(), bits,
			a.Masked().Addr().WithZone("").String(), uint32(0xffffffff), uint32(0xffffffff))
	}
	return b.String()
}
