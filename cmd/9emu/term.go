package main

import (
	"io"
	"os"
	"sync"

	"golang.org/x/term"
)

// hostTerminal switches the host terminal between raw and cooked modes for
// /dev/consctl, when standard input is a terminal.
type hostTerminal struct {
	mu    sync.Mutex
	fd    int
	saved *term.State
}

// newHostTerminal returns nil when stdin is not a terminal.
func newHostTerminal(stdin io.Reader) *hostTerminal {
	f, ok := stdin.(*os.File)
	if !ok || !term.IsTerminal(int(f.Fd())) {
		return nil
	}
	return &hostTerminal{fd: int(f.Fd())}
}

// setRaw implements sys9.Config.RawMode.
func (t *hostTerminal) setRaw(raw bool) error {
	t.mu.Lock()
	defer t.mu.Unlock()
	if raw {
		if t.saved != nil {
			return nil
		}
		st, err := term.MakeRaw(t.fd)
		if err != nil {
			return err
		}
		t.saved = st
		return nil
	}
	return t.restoreLocked()
}

// restore puts the terminal back as it was, at exit.
func (t *hostTerminal) restore() {
	if t == nil {
		return
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	t.restoreLocked()
}

func (t *hostTerminal) restoreLocked() error {
	if t.saved == nil {
		return nil
	}
	err := term.Restore(t.fd, t.saved)
	t.saved = nil
	return err
}
