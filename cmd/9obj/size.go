package main

import "fmt"

// size implements size(1): for each file, the sizes of text, data and
// bss from the header, and their sum, in decimal, in the format of
// 9front's sys/src/cmd/size.c:
//
//	2140t + 76d + 12b = 2228	8.out
//
// Plan 9's size reads 8.out when given no file; 9obj asks for one.
func (c *cmd) size(args []string) int {
	_, files, bad := flags(args, "")
	if bad != 0 {
		return c.usageErr("size: unknown option -%c", bad)
	}
	if len(files) == 0 {
		return c.usageErr("size: no file")
	}
	for _, name := range files {
		f, err := open(name)
		if err != nil {
			c.errorf("%v", err)
			continue
		}
		t, d, b := uint64(len(f.Text)), uint64(len(f.Data)), f.BssSize
		fmt.Fprintf(c.out, "%dt + %dd + %db = %d\t%s\n", t, d, b, t+d+b, name)
	}
	return c.status
}
