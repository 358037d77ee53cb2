// Json encodes a slice of records with encoding/json, decodes it back,
// checks the copy and repeats: reflection, allocation, strconv and byte
// scanning.
//
// Usage: json [-scale f]; it prints one checksum line.
package main

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"hash/crc32"
	"os"
	"reflect"
	"strconv"
)

const (
	records = 4000
	rounds  = 12 // rounds at scale 1
)

type Point struct {
	X, Y float64
}

type Record struct {
	ID      int64             `json:"id"`
	Name    string            `json:"name"`
	Email   string            `json:"email,omitempty"`
	Active  bool              `json:"active"`
	Score   float64           `json:"score"`
	Tags    []string          `json:"tags"`
	Path    []Point           `json:"path"`
	Attrs   map[string]string `json:"attrs"`
	Comment string            `json:"comment"`
}

func makeRecords(n int) []Record {
	s := uint32(0xdeadbeef)
	next := func() uint32 {
		s ^= s << 13
		s ^= s >> 17
		s ^= s << 5
		return s
	}
	words := []string{"alpha", "beta", "gamma", "delta", "plan9", "rio", "acme", "sam", "rc", "9p"}
	rs := make([]Record, n)
	for i := range rs {
		r := &rs[i]
		r.ID = int64(next())<<20 | int64(i)
		r.Name = words[next()%10] + "-" + strconv.Itoa(i)
		if next()%3 != 0 {
			r.Email = words[next()%10] + "@example.org"
		}
		r.Active = next()%2 == 0
		r.Score = float64(next()%1000000) / 1024
		for k := int(next() % 5); k > 0; k-- {
			r.Tags = append(r.Tags, words[next()%10])
		}
		for k := int(next()%4) + 1; k > 0; k-- {
			r.Path = append(r.Path, Point{float64(int32(next())) / 7, float64(next()%1000) / 8})
		}
		r.Attrs = map[string]string{"kind": words[next()%10], "q": "\"quoted\"\t<tag>&"}
		r.Comment = "ünïcode ☺ " + strconv.FormatUint(uint64(next()), 36)
	}
	return rs
}

func main() {
	scale := flag.Float64("scale", 1, "multiply the amount of work by `f`")
	flag.Parse()
	n := max(1, int(float64(rounds)**scale+0.5))

	rs := makeRecords(records)
	var sum uint32
	var size int
	for i := 0; i < n; i++ {
		rs[i%len(rs)].Score += 1
		b, err := json.Marshal(rs)
		if err != nil {
			fail(err)
		}
		var back []Record
		if err := json.Unmarshal(b, &back); err != nil {
			fail(err)
		}
		if !reflect.DeepEqual(rs, back) {
			fail(fmt.Errorf("round %d: decoded records differ", i))
		}
		b2, err := json.Marshal(back)
		if err != nil {
			fail(err)
		}
		if !bytes.Equal(b, b2) {
			fail(fmt.Errorf("round %d: re-encoding differs", i))
		}
		sum = crc32.Update(sum, crc32.IEEETable, b)
		size += len(b)
	}
	fmt.Printf("json: rounds=%d bytes=%d checksum=%08x\n", n, size, sum)
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "json:", err)
	os.Exit(1)
}
