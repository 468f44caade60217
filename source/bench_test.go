package source_test

import (
	"bytes"
	"io"
	"strconv"
	"testing"

	"stele/source"
	"stele/source/sourcetest"
)

// BenchmarkParseKey parses one key per iteration; keys/s is the figure.
func BenchmarkParseKey(b *testing.B) {
	name := "624700/" + hexA + "/" + hexB
	for b.Loop() {
		if _, err := source.ParseKey(name); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "keys/s")
}

// BenchmarkDirList lists one epoch of a directory holding 1,000 epochs;
// lists/s is the figure (a publish run lists each new epoch once).
func BenchmarkDirList(b *testing.B) {
	root := b.TempDir()
	objects := map[string][]byte{"root": []byte("0/" + hexA + "\n")}
	for e := range 1000 {
		objects[strconv.Itoa(e)+"/"+hexA+"/"+hexB] = []byte("proof")
	}
	sourcetest.WriteTree(b, root, objects)
	d, err := source.NewDir(root)
	if err != nil {
		b.Fatal(err)
	}
	var e uint64
	for b.Loop() {
		objs, err := d.List(b.Context(), e%1000)
		if err != nil || len(objs) != 1 {
			b.Fatalf("List(%d) = %v, %v", e, objs, err)
		}
		e++
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "lists/s")
}

// BenchmarkDirRead streams a 16 MiB object through Open and LimitReader;
// MB/s is the figure, to compare with reading the file directly.
func BenchmarkDirRead(b *testing.B) {
	const size = 16 << 20
	root := b.TempDir()
	name := "1/" + hexA + "/" + hexB
	sourcetest.WriteTree(b, root, map[string][]byte{name: bytes.Repeat([]byte{0x5a}, size)})
	d, err := source.NewDir(root)
	if err != nil {
		b.Fatal(err)
	}
	buf := make([]byte, 256<<10)
	var total int64
	for b.Loop() {
		r, err := d.Open(b.Context(), name)
		if err != nil {
			b.Fatal(err)
		}
		n, err := io.CopyBuffer(io.Discard, source.LimitReader(r, size), buf)
		r.Close()
		if err != nil || n != size {
			b.Fatalf("read %d bytes, %v", n, err)
		}
		total += n
	}
	b.ReportMetric(float64(total)/1e6/b.Elapsed().Seconds(), "MB/s")
}
