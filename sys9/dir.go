package sys9

import "encoding/binary"

// Qid type bits and Dir mode bits (§5, stat(5)).
const (
	QTDIR    = 0x80
	QTAPPEND = 0x40
	QTEXCL   = 0x20
	QTMOUNT  = 0x10
	QTAUTH   = 0x08
	QTTMP    = 0x04
	QTFILE   = 0x00

	DMDIR    = 0x80000000
	DMAPPEND = 0x40000000
	DMEXCL   = 0x20000000
	DMMOUNT  = 0x10000000
	DMAUTH   = 0x08000000
	DMTMP    = 0x04000000
	DMREAD   = 4
	DMWRITE  = 2
	DMEXEC   = 1

	STATFIXLEN = 49
	STATMAX    = 65535
)

// A Qid identifies a file to the kernel.
type Qid struct {
	Path uint64
	Vers uint32
	Type uint8
}

// Dir is a file's metadata, as stat(2) returns it.
type Dir struct {
	Type   uint16
	Dev    uint32
	Qid    Qid
	Mode   uint32
	Atime  uint32
	Mtime  uint32
	Length uint64
	Name   string
	Uid    string
	Gid    string
	Muid   string
}

// nullDir returns the "don't change" Dir of wstat (libc nulldir).
func nullDir() Dir {
	return Dir{Type: ^uint16(0), Dev: ^uint32(0), Qid: Qid{^uint64(0), ^uint32(0), ^uint8(0)},
		Mode: ^uint32(0), Atime: ^uint32(0), Mtime: ^uint32(0), Length: ^uint64(0)}
}

// Size returns the length of d's machine-independent encoding.
func (d *Dir) Size() int {
	return STATFIXLEN + len(d.Name) + len(d.Uid) + len(d.Gid) + len(d.Muid)
}

// Bytes returns d's machine-independent encoding (convD2M).
func (d *Dir) Bytes() []byte {
	b := make([]byte, d.Size())
	le := binary.LittleEndian
	le.PutUint16(b[0:], uint16(len(b)-2))
	le.PutUint16(b[2:], d.Type)
	le.PutUint32(b[4:], d.Dev)
	b[8] = d.Qid.Type
	le.PutUint32(b[9:], d.Qid.Vers)
	le.PutUint64(b[13:], d.Qid.Path)
	le.PutUint32(b[21:], d.Mode)
	le.PutUint32(b[25:], d.Atime)
	le.PutUint32(b[29:], d.Mtime)
	le.PutUint64(b[33:], d.Length)
	o := 41
	for _, s := range []string{d.Name, d.Uid, d.Gid, d.Muid} {
		le.PutUint16(b[o:], uint16(len(s)))
		copy(b[o+2:], s)
		o += 2 + len(s)
	}
	return b
}

// UnmarshalDir decodes one stat record, checking it as statcheck does:
// the size field must match the buffer and the strings must fit.
func UnmarshalDir(b []byte) (Dir, error) {
	var d Dir
	le := binary.LittleEndian
	if len(b) < STATFIXLEN || int(le.Uint16(b))+2 != len(b) {
		return d, Ebadstat
	}
	d.Type = le.Uint16(b[2:])
	d.Dev = le.Uint32(b[4:])
	d.Qid.Type = b[8]
	d.Qid.Vers = le.Uint32(b[9:])
	d.Qid.Path = le.Uint64(b[13:])
	d.Mode = le.Uint32(b[21:])
	d.Atime = le.Uint32(b[25:])
	d.Mtime = le.Uint32(b[29:])
	d.Length = le.Uint64(b[33:])
	o := 41
	var s [4]string
	for i := range s {
		if o+2 > len(b) {
			return d, Ebadstat
		}
		n := int(le.Uint16(b[o:]))
		if o+2+n > len(b) {
			return d, Ebadstat
		}
		s[i] = string(b[o+2 : o+2+n])
		o += 2 + n
	}
	if o != len(b) {
		return d, Ebadstat
	}
	d.Name, d.Uid, d.Gid, d.Muid = s[0], s[1], s[2], s[3]
	return d, nil
}
