package sys9

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"strconv"
	"strings"
	"sync"
)

// /net/cs and /net/dns: on Plan 9 these are user-level servers, ndb/cs
// and ndb/dns (ndb(8)), mounted after #I on /net. Here they are two
// files of #I answering from the host's resolver. Both work the same
// way: write a query, then read the answers from offset 0, one answer
// per read (cs.c's rwrite and rread). A query that finds nothing fails
// the write with the server's error, prefixed by "cs: " or "dns: ".
//
// cs translates "net!host!service" into the clone file to open and the
// address to give to connect or announce:
//
//	tcp!localhost!http	/net/tcp/clone 127.0.0.1!80
//	tcp!*!8080		/net/tcp/clone 8080
//
// dns answers "name type" with resource records in rrfmt's form, "name
// type\tvalue".

// hostResolver is the part of *net.Resolver that cs and dns use; tests
// put a fake in ipDev.res.
type hostResolver interface {
	LookupNetIP(ctx context.Context, network, host string) ([]netip.Addr, error)
	LookupAddr(ctx context.Context, addr string) ([]string, error)
	LookupCNAME(ctx context.Context, host string) (string, error)
	LookupMX(ctx context.Context, name string) ([]*net.MX, error)
	LookupTXT(ctx context.Context, name string) ([]string, error)
	LookupSRV(ctx context.Context, service, proto, name string) (string, []*net.SRV, error)
	LookupNS(ctx context.Context, name string) ([]*net.NS, error)
}

// A netQuery is the state of one open cs or dns file.
type netQuery struct {
	res   hostResolver
	dns   bool
	mu    sync.Mutex
	reply []string
}

const maxRequest = 128 // cs.c's Maxrequest

// write runs a query, replacing the answers of the previous one.
func (q *netQuery) write(p *Proc, b []byte) (int, error) {
	prefix := "cs: "
	if q.dns {
		prefix = "dns: "
	}
	q.mu.Lock()
	q.reply = nil
	q.mu.Unlock()
	if len(b) >= maxRequest {
		return 0, Error(prefix + "request too long")
	}
	s := strings.TrimRight(string(b), "\n")
	var reply []string
	var err error
	if q.dns {
		reply, err = dnsQuery(p, q.res, s)
	} else {
		reply, err = csQuery(p, q.res, s)
	}
	if err != nil {
		if err == Eintr {
			return 0, err
		}
		return 0, Error(prefix + err.Error())
	}
	q.mu.Lock()
	q.reply = reply
	q.mu.Unlock()
	return len(b), nil
}

// read returns (the rest of) the answer at offset off.
func (q *netQuery) read(b []byte, off int64) (int, error) {
	q.mu.Lock()
	defer q.mu.Unlock()
	var toff int64
	for _, r := range q.reply {
		if off < toff+int64(len(r)) {
			return copy(b, r[off-toff:]), nil
		}
		toff += int64(len(r))
	}
	return 0, nil
}

// lookup runs a resolver call that a note can interrupt.
func lookup(p *Proc, f func(ctx context.Context) error) error {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var err error
	if berr := netCall(p, "Lookup", func() { err = f(ctx) }, cancel); berr != nil {
		return berr
	}
	return err
}

const netMnt = "/net"

// csQuery answers a cs query: "net!host!service[!rem]", or "!attr=value"
// for the protocol table.
func csQuery(p *Proc, r hostResolver, s string) ([]string, error) {
	if rest, ok := strings.CutPrefix(s, "!"); ok {
		return genQuery(rest)
	}
	// getfields(…, "!") with empty fields skipped, as cs.c does.
	f := strings.FieldsFunc(s, func(r rune) bool { return r == '!' })
	if len(f) > 4 {
		f = f[:4]
	}
	if len(f) == 0 {
		return nil, errors.New("can't translate address")
	}
	var network, host, serv, rem string
	switch len(f) {
	case 1:
		network, host = "net", f[0]
	case 4:
		rem = f[3]
		fallthrough
	case 3:
		serv = f[2]
		fallthrough
	case 2:
		network, host = f[0], f[1]
	}
	if network == "net" {
		network = "tcp" // "net" means the networks cs tries for it: tcp only (udp is never considered)
	}
	if network != "tcp" && network != "udp" {
		// Not an IP network: no translation.
		r := netMnt + "/" + network + "/clone " + host
		if len(f) >= 3 {
			r += "!" + serv
		}
		return []string{r}, nil
	}
	if len(f) < 3 {
		return nil, errors.New("can't translate service")
	}
	port, ok := ipServ(network, serv)
	if !ok {
		return nil, errors.New("can't translate service")
	}
	if rem != "" {
		rem = "!" + rem
	}
	clone := netMnt + "/" + network + "/clone "
	if host == "*" || host == "::" {
		return []string{clone + port + rem}, nil
	}
	if strings.HasPrefix(host, "[") {
		host = strings.TrimPrefix(host, "[")
		if i := strings.IndexByte(host, ']'); i >= 0 {
			host = host[:i]
		}
	}
	var addrs []netip.Addr
	if a, err := netip.ParseAddr(host); err == nil {
		addrs = []netip.Addr{a}
	} else {
		err := lookup(p, func(ctx context.Context) error {
			ips, err := r.LookupNetIP(ctx, "ip", host)
			addrs = ips
			return err
		})
		if err == Eintr {
			return nil, err
		}
		if err != nil || len(addrs) == 0 {
			var de *net.DNSError
			if err == nil || errors.As(err, &de) && de.IsNotFound {
				return nil, errors.New("can't translate address: dns: name does not exist")
			}
			return nil, errors.New("temporary problem: dns failure")
		}
	}
	// cs asks dns for IPv4 addresses first, then IPv6 ones.
	var reply []string
	for _, v6 := range []bool{false, true} {
		for _, a := range addrs {
			if a = a.Unmap(); a.Is6() == v6 && len(reply) < 20 {
				reply = append(reply, clone+a.WithZone("").String()+"!"+port+rem)
			}
		}
	}
	return reply, nil
}

// ipServ translates a service name or number into a port (cs.c's
// ipserv): "*" and numbers stand for themselves, names come from the
// table of /lib/ndb/common.
func ipServ(network, name string) (string, bool) {
	if name == "*" {
		return name, true
	}
	alpha := false
	for _, c := range name {
		switch {
		case c >= '0' && c <= '9':
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c == '-', c == '$':
			alpha = true
		default:
			return "", false
		}
	}
	if name == "" {
		return "", false
	}
	if !alpha {
		return name, true
	}
	n, ok := services[network+"!"+name]
	if !ok {
		return "", false
	}
	return strconv.Itoa(n), true
}

// services is the part of /lib/ndb/common's port table that programs
// commonly name.
var services = func() map[string]int {
	m := map[string]int{}
	for _, s := range []struct {
		name     string
		port     int
		tcp, udp bool
	}{
		{"echo", 7, true, true}, {"discard", 9, true, true}, {"systat", 11, true, false},
		{"daytime", 13, true, true}, {"netstat", 15, true, false}, {"chargen", 19, true, true},
		{"ftp-data", 20, true, false}, {"ftp", 21, true, false}, {"ssh", 22, true, false},
		{"telnet", 23, true, false}, {"smtp", 25, true, false}, {"time", 37, true, true},
		{"whois", 43, true, false}, {"domain", 53, true, true}, {"dns", 53, true, true},
		{"bootps", 67, false, true}, {"bootpc", 68, false, true}, {"bootp", 67, false, true},
		{"tftp", 69, false, true}, {"gopher", 70, true, false}, {"finger", 79, true, false},
		{"http", 80, true, false}, {"www", 80, true, false}, {"kerberos", 88, true, true},
		{"pop3", 110, true, false}, {"sunrpc", 111, true, true}, {"nntp", 119, true, false},
		{"ntp", 123, true, true}, {"imap4", 143, true, false}, {"imap", 143, true, false},
		{"snmp", 161, false, true}, {"ldap", 389, true, true}, {"https", 443, true, false},
		{"smtps", 465, true, false}, {"syslog", 514, false, true}, {"submission", 587, true, false},
		{"9fs", 564, true, false}, {"ticket", 567, true, false}, {"rsync", 873, true, false},
		{"imaps", 993, true, false}, {"pop3s", 995, true, false}, {"secstore", 5356, true, false},
		{"x11", 6000, true, false}, {"exportfs", 17007, true, false}, {"rexexec", 17009, true, false},
		{"ncpu", 17010, true, false}, {"cpu", 17013, true, false}, {"venti", 17034, true, false},
	} {
		if s.tcp {
			m["tcp!"+s.name] = s.port
		}
		if s.udp {
			m["udp!"+s.name] = s.port
		}
	}
	return m
}()

// protocols is /lib/ndb/common's protocol table, for "!protocol=name".
var protocols = map[string]int{
	"ip": 0, "icmp": 1, "igmp": 2, "ggp": 3, "st": 5, "tcp": 6, "egp": 8, "igp": 9,
	"pup": 12, "udp": 17, "hmp": 20, "xns-idp": 22, "rdp": 27, "il": 40, "ipv6": 41,
	"ipv6-route": 43, "ipv6-frag": 44, "rsvp": 46, "gre": 47, "esp": 50, "ah": 51,
	"ipv6-icmp": 58, "icmpv6": 58, "ipv6-nonxt": 59, "ipv6-opts": 60, "ospf": 89,
	"pim": 103, "ipcomp": 108, "sctp": 132,
}

// genQuery answers cs's general queries, "attr=value ...", from the
// protocol table: the reply is the matching entry as one line.
func genQuery(s string) ([]string, error) {
	f := strings.Fields(s)
	if len(f) == 0 {
		return nil, errors.New("bad query")
	}
	for _, kv := range f {
		if !strings.Contains(kv, "=") {
			return nil, errors.New("bad query")
		}
	}
	attr, val, _ := strings.Cut(f[0], "=")
	if attr == "protocol" {
		if n, ok := protocols[val]; ok {
			entry := map[string]string{"protocol": val, "ipv4proto": strconv.Itoa(n)}
			match := true
			for _, kv := range f[1:] {
				a, v, _ := strings.Cut(kv, "=")
				if e, ok := entry[a]; !ok || v != "*" && v != e {
					match = false
				}
			}
			if match {
				return []string{fmt.Sprintf("protocol=%s ipv4proto=%d", val, n)}, nil
			}
		}
	}
	return nil, errors.New("no match")
}

// dnsQuery answers a dns query, "name [type]": the type is ip (the
// default for names), ipv6, ptr (the default for addresses), cname, mx,
// txt, srv or ns.
func dnsQuery(p *Proc, r hostResolver, s string) ([]string, error) {
	f := strings.Fields(s)
	if len(f) == 0 || len(f) > 2 {
		return nil, errors.New("bad query")
	}
	name := strings.TrimSuffix(f[0], ".")
	typ := "ip"
	if _, err := netip.ParseAddr(name); err == nil {
		typ = "ptr"
	}
	if len(f) == 2 {
		typ = f[1]
	}
	var reply []string
	add := func(v string) { reply = append(reply, name+" "+typ+"\t"+v) }
	err := lookup(p, func(ctx context.Context) error {
		switch typ {
		case "ip", "ipv6":
			ips, err := r.LookupNetIP(ctx, "ip", name)
			for _, a := range ips {
				if a = a.Unmap(); a.Is6() == (typ == "ipv6") {
					add(a.WithZone("").String())
				}
			}
			return err
		case "ptr":
			a, ok := arpaAddr(name)
			if !ok {
				return &net.DNSError{Err: "not an address", Name: name, IsNotFound: true}
			}
			hosts, err := r.LookupAddr(ctx, a.String())
			for _, h := range hosts {
				add(strings.TrimSuffix(h, "."))
			}
			return err
		case "cname":
			c, err := r.LookupCNAME(ctx, name)
			if c = strings.TrimSuffix(c, "."); err == nil && !strings.EqualFold(c, name) {
				add(c)
			}
			return err
		case "mx":
			mxs, err := r.LookupMX(ctx, name)
			for _, m := range mxs {
				add(fmt.Sprintf("%d %s", m.Pref, strings.TrimSuffix(m.Host, ".")))
			}
			return err
		case "txt":
			txts, err := r.LookupTXT(ctx, name)
			for _, t := range txts {
				add(t)
			}
			return err
		case "srv":
			_, srvs, err := r.LookupSRV(ctx, "", "", name)
			for _, v := range srvs {
				add(fmt.Sprintf("%d %d %d %s", v.Priority, v.Weight, v.Port, strings.TrimSuffix(v.Target, ".")))
			}
			return err
		case "ns":
			nss, err := r.LookupNS(ctx, name)
			for _, n := range nss {
				add(strings.TrimSuffix(n.Host, "."))
			}
			return err
		}
		return errUnknownRR
	})
	switch {
	case err == Eintr, err == errUnknownRR:
		return nil, err
	case err != nil:
		var de *net.DNSError
		if errors.As(err, &de) && de.IsNotFound {
			if typ == "cname" {
				return nil, errors.New("resource does not exist; negrcode 0")
			}
			return nil, errors.New("name does not exist")
		}
		return nil, errors.New("dns failure")
	case len(reply) == 0:
		return nil, errors.New("resource does not exist; negrcode 0")
	}
	return reply, nil
}

var errUnknownRR = errors.New("unknown resource type")

// arpaAddr returns the address a reverse-lookup name stands for: an
// address itself, N.N.N.N.in-addr.arpa, or 32 nibbles of ip6.arpa.
func arpaAddr(name string) (netip.Addr, bool) {
	if a, err := netip.ParseAddr(name); err == nil {
		return a, true
	}
	lower := strings.ToLower(name)
	if rest, ok := strings.CutSuffix(lower, ".in-addr.arpa"); ok {
		f := strings.Split(rest, ".")
		if len(f) != 4 {
			return netip.Addr{}, false
		}
		var b [4]byte
		for i, s := range f {
			n, err := strconv.ParseUint(s, 10, 8)
			if err != nil {
				return netip.Addr{}, false
			}
			b[3-i] = byte(n)
		}
		return netip.AddrFrom4(b), true
	}
	if rest, ok := strings.CutSuffix(lower, ".ip6.arpa"); ok {
		f := strings.Split(rest, ".")
		if len(f) != 32 {
			return netip.Addr{}, false
		}
		var b [16]byte
		for i, s := range f {
			n, err := strconv.ParseUint(s, 16, 4)
			if err != nil || len(s) != 1 {
				return netip.Addr{}, false
			}
			j := 31 - i
			b[j/2] |= byte(n) << (4 * (1 - j%2))
		}
		return netip.AddrFrom16(b), true
	}
	return netip.Addr{}, false
}
