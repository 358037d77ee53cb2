// Pipe moves data through os.Pipe between goroutines and checks the ends of
// a pipe: end of file when the writer closes, an error (not death) when
// writing after the reader has closed.
package main

import (
	"crypto/sha256"
	"fmt"
	"io"
	"os"
	"sync"
)

func main() {
	r, w, err := os.Pipe()
	if err != nil {
		fmt.Println("pipe: unexpected error")
		fmt.Fprintln(os.Stderr, "pipe:", err)
		os.Exit(1)
	}
	sent := sha256.New()
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		total := 0
		for i := 0; total < 1<<20; i++ {
			chunk := make([]byte, 1+(i*7919)%9000)
			for j := range chunk {
				chunk[j] = byte(i + j*3)
			}
			n, err := w.Write(chunk)
			if err != nil {
				fmt.Fprintln(os.Stderr, "write:", err)
				break
			}
			sent.Write(chunk[:n])
			total += n
		}
		w.Close()
	}()
	got := sha256.New()
	n, err := io.Copy(got, r)
	wg.Wait()
	fmt.Printf("copied %d bytes, error=%v, same=%v\n", n, err != nil, string(got.Sum(nil)) == string(sent.Sum(nil)))
	r.Close()

	// Writing into a pipe nobody reads fails; the program carries on.
	r, w, err = os.Pipe()
	if err != nil {
		fmt.Println("pipe: unexpected error")
		os.Exit(1)
	}
	r.Close()
	_, err = w.Write([]byte("nobody listens"))
	fmt.Printf("write after reader closed: error=%v\n", err != nil)
	w.Close()

	// Ping-pong over two pipes.
	r1, w1, _ := os.Pipe()
	r2, w2, _ := os.Pipe()
	go func() {
		buf := make([]byte, 1)
		for {
			if _, err := io.ReadFull(r1, buf); err != nil {
				w2.Close()
				return
			}
			buf[0]++
			w2.Write(buf)
		}
	}()
	b := []byte{0}
	for range 200 {
		w1.Write(b)
		if _, err := io.ReadFull(r2, b); err != nil {
			fmt.Println("pingpong: unexpected error")
			os.Exit(1)
		}
	}
	w1.Close()
	_, err = r2.Read(b)
	fmt.Printf("pingpong value %d, then eof=%v\n", b[0], err == io.EOF)
}
