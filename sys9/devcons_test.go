package sys9

import (
	"io"
	"testing"
)

// consScript is a host input that returns its steps in turn and then
// blocks for ever, as a terminal with nothing typed does.
type consScript struct {
	steps []string // "" stands for a read that ends with io.EOF
	i     int
}

func (r *consScript) Read(b []byte) (int, error) {
	if r.i == len(r.steps) {
		select {}
	}
	s := r.steps[r.i]
	r.i++
	if s == "" {
		return 0, io.EOF
	}
	return copy(b, s), nil
}

// TestConsTypedEOF: Ctrl-D on a terminal ends one read (what was typed
// before it is returned first) and input goes on after it; the end of a
// file or pipe is for ever.
func TestConsTypedEOF(t *testing.T) {
	k, err := NewKernel(Config{Root: t.TempDir(), Stdout: io.Discard, Stderr: io.Discard})
	if err != nil {
		t.Fatal(err)
	}
	p := k.newProc()
	for _, c := range []struct {
		term  bool
		steps []string
		want  []string
	}{
		{true, []string{"ab\n", "", "par", "", "", "x\n"}, []string{"ab\n", "", "par", "", "", "x\n"}},
		{false, []string{"ab\n", ""}, []string{"ab\n", "", "", ""}},
	} {
		cons := newConsole(&consScript{steps: c.steps}, io.Discard, io.Discard)
		if c.term {
			cons.rawFn = func(bool) error { return nil }
		}
		b := make([]byte, 100)
		for i, want := range c.want {
			n, err := cons.read(p, b)
			if err != nil || string(b[:n]) != want {
				t.Errorf("terminal=%v: read %d = %q, %v; want %q", c.term, i, b[:n], err, want)
			}
		}
	}
}
