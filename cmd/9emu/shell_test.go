package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// With no command, or with -i, 9emu runs the name space's /bin/rc with
// -i (and any arguments that follow): here a stand-in that prints its
// arguments, as /amd64/bin/rc under a confined root.
func TestShellByDefault(t *testing.T) {
	root := t.TempDir()
	bin := filepath.Join(root, "amd64", "bin")
	if err := os.MkdirAll(bin, 0o755); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(guest(t, "amd64", "args"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(bin, "rc"), b, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"-r", root}, "argc 1\nargv0 \"rc\"\narg 1 len=2 \"-i\"\n"},
		{[]string{"-r", root, "-i", "x"}, "argc 2\nargv0 \"rc\"\narg 1 len=2 \"-i\"\narg 2 len=1 \"x\"\n"},
	} {
		out, _, _ := proc{path: emulator(t), args: c.args}.run(t)
		if !strings.HasPrefix(out, c.want) {
			t.Errorf("9emu %q printed\n%s\nwant it to begin\n%s", c.args, out, c.want)
		}
	}
	// Without a shell in the name space the error says what to do.
	_, errs, code := proc{path: emulator(t), args: []string{"-r", t.TempDir()}}.run(t)
	if code == 0 || !strings.Contains(errs, "/bin/rc") || !strings.Contains(errs, "name a command") {
		t.Errorf("9emu with no command and no rc: status %d, stderr\n%s", code, errs)
	}
	checkNoPanicTrace(t, errs)
}
