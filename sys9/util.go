package sys9

import (
	"strings"
	"unsafe"

	"9emu/mem"
)

func memAddr[T ~int | ~uint64 | ~int64 | ~uint32](v T) mem.Addr { return mem.Addr(v) }

const memWrite = mem.Write

func unsafePointer(p *uint32) unsafe.Pointer { return unsafe.Pointer(p) }

// quote quotes s as Plan 9's %q does: in single quotes, with embedded
// quotes doubled, when s is empty or has a byte <= ' ' or a quote.
func quote(s string) string {
	need := s == ""
	for i := 0; i < len(s); i++ {
		if s[i] <= ' ' || s[i] == '\'' {
			need = true
			break
		}
	}
	if !need {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", "''") + "'"
}

// tokenize splits s into fields as libc's tokenize does: blanks separate,
// single quotes group, doubled quotes inside quotes are one quote.
func tokenize(s string) []string {
	var out []string
	i := 0
	for {
		for i < len(s) && (s[i] == ' ' || s[i] == '\t' || s[i] == '\r' || s[i] == '\n') {
			i++
		}
		if i >= len(s) {
			return out
		}
		var b strings.Builder
		quoted := false
		for i < len(s) {
			c := s[i]
			if !quoted && (c == ' ' || c == '\t' || c == '\r' || c == '\n') {
				break
			}
			if c == '\'' {
				if quoted && i+1 < len(s) && s[i+1] == '\'' {
					b.WriteByte('\'')
					i += 2
					continue
				}
				quoted = !quoted
				i++
				continue
			}
			b.WriteByte(c)
			i++
		}
		out = append(out, b.String())
	}
}
