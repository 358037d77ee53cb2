//go:build unix

package main

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"9emu/aout"
)

// The terminal's interrupt key stops a running program in the debugger,
// which then takes commands again. The program spins in one instruction,
// so where it stops is known; the test waits for the echo of cont before
// it interrupts, so the program is running by then.
func TestDebuggerInterrupt(t *testing.T) {
	t.Parallel()
	for _, arch := range cArches {
		t.Run(archName(arch), func(t *testing.T) {
			t.Parallel()
			start := arch.UTZero() + map[aout.Arch]uint64{aout.Arch386: 32, aout.ArchAMD64: 40}[arch]
			b := aout.Builder{Arch: arch, Text: []byte{0x90, 0xEB, 0xFE}, Data: make([]byte, 8), Syms: []aout.Sym{
				{Value: start, Type: 'T', Name: "spin"},
			}}
			root := t.TempDir()
			if err := os.WriteFile(filepath.Join(root, "spin"), b.Bytes(), 0o755); err != nil {
				t.Fatal(err)
			}
			cmd := exec.Command(emulator(t), "-d", "-r", root, "/spin")
			cmd.Env = runEnv(nil, nil)
			in, err := cmd.StdinPipe()
			if err != nil {
				t.Fatal(err)
			}
			outp, err := cmd.StdoutPipe()
			if err != nil {
				t.Fatal(err)
			}
			var errb bytes.Buffer
			cmd.Stderr = &errb
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			defer cmd.Process.Kill()
			var out bytes.Buffer
			r := bufio.NewReader(io.TeeReader(outp, &out))
			io.WriteString(in, "cont\n")
			for {
				l, err := r.ReadString('\n')
				if err != nil {
					t.Fatalf("no echo of cont; output:\n%s\nstderr:\n%s", out.String(), errb.String())
				}
				if l == "(9emu) cont\n" {
					break
				}
			}
			if err := cmd.Process.Signal(os.Interrupt); err != nil {
				t.Fatal(err)
			}
			io.WriteString(in, "pc\nquit\n")
			in.Close()
			io.Copy(io.Discard, r)
			cmd.Wait()
			// The program stops in its loop; or, when the interrupt came
			// after cont was read but before the program was let go, at
			// its first instruction.
			wantLoop := fmt.Sprintf("1 spin: interrupted at %#x spin+0x1 ?\n\tJMP %#x\n(9emu) pc\n1 spin: at %#x spin+0x1 ?\n", start+1, start+1, start+1)
			wantFirst := fmt.Sprintf("1 spin: interrupted at %#x spin ?\n\tNOPL\n(9emu) pc\n1 spin: at %#x spin ?\n", start, start)
			if got := out.String(); !strings.Contains(got, wantLoop) && !strings.Contains(got, wantFirst) {
				t.Errorf("transcript:\n%s\nwant it to contain:\n%s\nor:\n%s\nstderr:\n%s", got, wantLoop, wantFirst, errb.String())
			}
		})
	}
}
