// Hello prints the classic greeting: the smallest end-to-end check, and the
// program the README shows.
package main

import "fmt"

func main() {
	fmt.Println("hello, world")
}
