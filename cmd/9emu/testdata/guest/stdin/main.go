// Stdin copies standard input to standard output in upper case and then
// prints the number of bytes, runes and lines it read. It reads through a
// tiny buffer so that the input arrives in many small reads.
package main

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"unicode"
)

func main() {
	r := bufio.NewReaderSize(os.Stdin, 16) // 16 is bufio's minimum
	w := bufio.NewWriter(os.Stdout)
	var nbytes, nrunes, nlines int
	for {
		c, size, err := r.ReadRune()
		if err == io.EOF {
			break
		}
		if err != nil {
			w.Flush()
			fmt.Println("read: unexpected error")
			fmt.Fprintln(os.Stderr, "read:", err)
			os.Exit(1)
		}
		nbytes += size
		nrunes++
		if c == '\n' {
			nlines++
		}
		w.WriteRune(unicode.ToUpper(c))
	}
	fmt.Fprintf(w, "\nbytes %d runes %d lines %d\n", nbytes, nrunes, nlines)
	if err := w.Flush(); err != nil {
		fmt.Fprintln(os.Stderr, "write:", err)
		os.Exit(1)
	}
}
