package mem

import "testing"

func TestRound(t *testing.T) {
	for _, tc := range []struct{ a, n, up, down Addr }{
		{0, PageSize, 0, 0},
		{1, PageSize, PageSize, 0},
		{PageSize - 1, PageSize, PageSize, 0},
		{PageSize, PageSize, PageSize, PageSize},
		{PageSize + 1, PageSize, 2 * PageSize, PageSize},
		{0x201234, 0x200000, 0x400000, 0x200000},
	} {
		if got := RoundUp(tc.a, tc.n); got != tc.up {
			t.Errorf("RoundUp(%#x, %#x) = %#x, want %#x", tc.a, tc.n, got, tc.up)
		}
		if got := RoundDown(tc.a, tc.n); got != tc.down {
			t.Errorf("RoundDown(%#x, %#x) = %#x, want %#x", tc.a, tc.n, got, tc.down)
		}
	}
}

func TestAccessString(t *testing.T) {
	for _, tc := range []struct {
		a    Access
		want string
	}{
		{Read, "read"}, {Write, "write"}, {Exec, "exec"},
		{0, "---"}, {RW, "rw-"}, {RX, "r-x"}, {RWX, "rwx"}, {Write | Exec, "-wx"},
	} {
		if got := tc.a.String(); got != tc.want {
			t.Errorf("Access(%d).String() = %q, want %q", tc.a, got, tc.want)
		}
	}
}

func TestFaultError(t *testing.T) {
	f := &Fault{Addr: 0xdeadbeef, Access: Write}
	if got, want := f.Error(), "fault write addr=0xdeadbeef"; got != want {
		t.Errorf("Error() = %q, want %q", got, want)
	}
}
