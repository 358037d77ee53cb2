// Env prints what the environment holds for each variable named on the
// command line, seen three ways: os.LookupEnv, os.Getenv and os.Environ.
// Then it checks that os.Setenv and os.Unsetenv are visible to later lookups.
package main

import (
	"fmt"
	"os"
	"strings"
)

func main() {
	for _, name := range os.Args[1:] {
		v, ok := os.LookupEnv(name)
		fmt.Printf("%s lookup=%v value=%q getenv=%q environ=%s\n",
			name, ok, v, os.Getenv(name), fromEnviron(name))
	}

	const name = "NINEEMU_GUEST_SETENV"
	if err := os.Setenv(name, "set by guest"); err != nil {
		fmt.Println("setenv: unexpected error")
		fmt.Fprintln(os.Stderr, "setenv:", err)
		os.Exit(1)
	}
	v, ok := os.LookupEnv(name)
	fmt.Printf("after setenv lookup=%v value=%q environ=%s\n", ok, v, fromEnviron(name))
	if err := os.Unsetenv(name); err != nil {
		fmt.Println("unsetenv: unexpected error")
		fmt.Fprintln(os.Stderr, "unsetenv:", err)
		os.Exit(1)
	}
	v, ok = os.LookupEnv(name)
	fmt.Printf("after unsetenv lookup=%v value=%q environ=%s\n", ok, v, fromEnviron(name))
}

// fromEnviron returns the quoted value of name in os.Environ, "absent" if it
// has no entry, or "duplicate" if it has more than one.
func fromEnviron(name string) string {
	out := "absent"
	for _, kv := range os.Environ() {
		if k, v, _ := strings.Cut(kv, "="); k == name {
			if out != "absent" {
				return "duplicate"
			}
			out = fmt.Sprintf("%q", v)
		}
	}
	return out
}
