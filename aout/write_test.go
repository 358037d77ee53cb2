package aout

import (
	"bytes"
	"slices"
	"testing"
)

func TestBuilderRoundTrip(t *testing.T) {
	for _, a := range []Arch{Arch386, ArchAMD64} {
		t.Run(a.String(), func(t *testing.T) {
			ts := a.UTZero() + 32
			if a == ArchAMD64 {
				ts += 8
			}
			text := []byte{0x90, 0x90, 0xcc, 0xc3, 0x01, 0x02, 0x03}
			db := roundUp(ts+uint64(len(text)), a.SegAlign())
			b := Builder{
				Arch:  a,
				Text:  text,
				Data:  []byte("hello\x00"),
				Bss:   0x1234,
				Entry: ts + 2,
				Syms: []Sym{
					{ts, 'T', "start"},
					{ts + 2, 't', "entry"},
					{db, 'D', "msg"},
					{db + 8, 'B', "buf"},
					{db + 8 + 0x1234, 'B', "end"},
				},
			}
			raw := b.Bytes()
			f := parseBytes(t, Options{}, raw)
			checkPlan9obj(t, f, raw)
			want := Layout{
				TextBase: a.UTZero(), TextStart: ts, TextEnd: ts + 7, DataBase: db, DataEnd: db + 6,
				BssBase: db + 0x1000, BssEnd: db + 6 + 0x1234, BssTop: db + 0x2000,
				StackBase: a.StackBase(), StackTop: a.StackTop(),
			}
			if f.Arch != a || f.Entry != ts+2 || f.BssSize != 0x1234 || f.Layout != want ||
				!bytes.Equal(f.Text, text) || !bytes.Equal(f.Data, b.Data) || len(f.PCLine) != 0 || len(f.PCSP) != 0 {
				t.Errorf("got %v entry %#x bss %#x\n%+v\nwant\n%+v", f.Arch, f.Entry, f.BssSize, f.Layout, want)
			}
			if !bytes.Equal(f.TextImage(), raw[:f.HdrSize+uint64(len(text))]) || !bytes.Equal(f.Header, raw[:f.HdrSize]) {
				t.Errorf("TextImage or Header wrong")
			}
			if !slices.Equal(f.Symbols(), b.Syms) || f.SymErr() != nil {
				t.Errorf("symbols %+v, %v", f.Symbols(), f.SymErr())
			}
			if name, off, ok := f.Lookup(f.Entry + 1); name != "entry" || off != 1 || !ok {
				t.Errorf("Lookup(entry+1) = %s+%d, %v", name, off, ok)
			}

			// Entry 0 means the start of text.
			b.Entry = 0
			if f := parseBytes(t, Options{}, b.Bytes()); f.Entry != ts {
				t.Errorf("default entry %#x, want %#x", f.Entry, ts)
			}
		})
	}
}

// The 32-bit entry field of an amd64 header holds what 6l puts there.
func TestBuilderAMD64Header(t *testing.T) {
	b := (&Builder{Arch: ArchAMD64, Text: make([]byte, 8)}).Bytes()
	if len(b) != 48 || !bytes.Equal(b[:4], []byte{0, 0, 0x8a, 0x97}) ||
		!bytes.Equal(b[20:24], []byte{0, 0x20, 0, 0x28}) || !bytes.Equal(b[32:40], []byte{0, 0, 0, 0, 0, 0x20, 0, 0x28}) {
		t.Errorf("header % x", b[:40])
	}
}
