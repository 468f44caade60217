// Command asm writes compress8_amd64.s, the AVX2 kernel of package
// blake3x: one BLAKE3 compression of eight independent lanes at once.
//
// It lives in a module of its own so that the main module never depends
// on it; it uses the standard library only. Run it through go generate in
// the blake3x package.
//
// # Layout
//
// The sixteen words of the compression state are sixteen YMM registers,
// lane i of register j holding word j of lane i's state. The columns and
// diagonals of a round are therefore plain register renamings, with no
// shuffles. The message words are transposed the same way into the stack
// frame and used as memory operands. AVX2 has no rotate, so the 12- and
// 7-bit rotations need a scratch register: with all sixteen registers
// holding state, one state word is parked in the frame while they run.
// The 16- and 8-bit rotations are byte shuffles.
package main

import (
	"bytes"
	"flag"
	"fmt"
	"log"
	"os"
)

// BLAKE3's message permutation, applied between rounds.
var permutation = [16]int{2, 6, 3, 10, 7, 0, 4, 13, 1, 11, 12, 5, 9, 14, 15, 8}

// BLAKE3's initialisation vector (that of SHA-256).
var iv = [8]uint32{0x6A09E667, 0xBB67AE85, 0x3C6EF372, 0xA54FF53A, 0x510E527F, 0x9B05688C, 0x1F83D9AB, 0x5BE0CD19}

const (
	msgOffset   = 0   // 16 transposed message words, 32 bytes each
	spillOffset = 512 // one parked state word
	frameSize   = 544
)

type gen struct{ b bytes.Buffer }

func (g *gen) i(format string, a ...any) { fmt.Fprintf(&g.b, "\t"+format+"\n", a...) }

func y(n int) string { return fmt.Sprintf("Y%d", n) }

func msg(w int) string { return fmt.Sprintf("%d(SP)", msgOffset+32*w) }

// transpose turns rows r[0..7] (eight dwords each) into columns, using
// the eight registers t as scratch. It returns the register holding
// column w at index w.
func (g *gen) transpose(r, t [8]int) [8]int {
	// Interleave dwords of row pairs, within each 128-bit half.
	for k := 0; k < 4; k++ {
		g.i("VPUNPCKLDQ %s, %s, %s", y(r[2*k+1]), y(r[2*k]), y(t[2*k]))
		g.i("VPUNPCKHDQ %s, %s, %s", y(r[2*k+1]), y(r[2*k]), y(t[2*k+1]))
	}
	// Interleave qwords of the pairs of pairs: u[w] holds word w (low
	// half) and word w+4 (high half) of four rows.
	var u [8]int
	for h := 0; h < 2; h++ {
		a, b := t[4*h], t[4*h+2]   // dwords 0,1 / 4,5 of rows
		c, d := t[4*h+1], t[4*h+3] // dwords 2,3 / 6,7 of rows
		u[4*h+0], u[4*h+1], u[4*h+2], u[4*h+3] = r[4*h+0], r[4*h+1], r[4*h+2], r[4*h+3]
		g.i("VPUNPCKLQDQ %s, %s, %s", y(b), y(a), y(u[4*h+0]))
		g.i("VPUNPCKHQDQ %s, %s, %s", y(b), y(a), y(u[4*h+1]))
		g.i("VPUNPCKLQDQ %s, %s, %s", y(d), y(c), y(u[4*h+2]))
		g.i("VPUNPCKHQDQ %s, %s, %s", y(d), y(c), y(u[4*h+3]))
	}
	// Join the 128-bit halves of rows 0-3 and rows 4-7.
	var col [8]int
	for w := 0; w < 4; w++ {
		col[w], col[w+4] = t[w], t[w+4]
		g.i("VPERM2I128 $0x20, %s, %s, %s", y(u[4+w]), y(u[w]), y(col[w]))
		g.i("VPERM2I128 $0x31, %s, %s, %s", y(u[4+w]), y(u[w]), y(col[w+4]))
	}
	return col
}

// rotate rotates the dwords of the registers b right by n bits, parking
// the register spill in the frame to use it as scratch.
func (g *gen) rotate(b [4]int, n int, spill int) {
	g.i("VMOVDQU %s, %d(SP)", y(spill), spillOffset)
	for _, r := range b {
		g.i("VPSRLD $%d, %s, %s", n, y(r), y(spill))
		g.i("VPSLLD $%d, %s, %s", 32-n, y(r), y(r))
		g.i("VPOR %s, %s, %s", y(spill), y(r), y(r))
	}
	g.i("VMOVDQU %d(SP), %s", spillOffset, y(spill))
}

// quarter runs the G function on four columns or diagonals at once: a,
// b, c, d name the state words, mx and my the message words.
func (g *gen) quarter(reg [16]int, a, b, c, d [4]int, mx, my [4]int) {
	half := func(m [4]int, shuffle string, rot int) {
		for k := 0; k < 4; k++ {
			g.i("VPADDD %s, %s, %s", msg(m[k]), y(reg[a[k]]), y(reg[a[k]]))
			g.i("VPADDD %s, %s, %s", y(reg[b[k]]), y(reg[a[k]]), y(reg[a[k]]))
		}
		for k := 0; k < 4; k++ {
			g.i("VPXOR %s, %s, %s", y(reg[a[k]]), y(reg[d[k]]), y(reg[d[k]]))
			g.i("VPSHUFB %s<>(SB), %s, %s", shuffle, y(reg[d[k]]), y(reg[d[k]]))
		}
		for k := 0; k < 4; k++ {
			g.i("VPADDD %s, %s, %s", y(reg[d[k]]), y(reg[c[k]]), y(reg[c[k]]))
			g.i("VPXOR %s, %s, %s", y(reg[c[k]]), y(reg[b[k]]), y(reg[b[k]]))
		}
		var bs [4]int
		for k := range bs {
			bs[k] = reg[b[k]]
		}
		// c[0] is not read again before the next half's additions.
		g.rotate(bs, rot, reg[c[0]])
	}
	half(mx, "rot16", 12)
	half(my, "rot8", 7)
}

// The kernels differ in where their inputs come from and where their
// outputs go.
type kind int

const (
	// chained: cv, block, lens, flags. The state starts from the chaining
	// values at cv and the output goes back there.
	chained kind = iota
	// oneBlock: dst, block, lens. The state starts from the IV with the
	// flags of a message of one block; lane i's output goes to dst[i].
	oneBlock
	// pairs: dst, left, right. As oneBlock, for 64-byte messages whose
	// halves are the 32 bytes left[i] and right[i] point at.
	pairs
)

// kernel writes the body of a kernel.
func (g *gen) kernel(k kind) {
	rows := [8]int{0, 1, 2, 3, 4, 5, 6, 7}
	temps := [8]int{8, 9, 10, 11, 12, 13, 14, 15}
	if k != pairs {
		g.i("MOVQ block+8(FP), SI")
	}
	for half := 0; half < 2; half++ {
		fmt.Fprintf(&g.b, "\n\t// Message words %d-%d of every lane, transposed into the frame.\n", 8*half, 8*half+7)
		if k == pairs {
			g.i("MOVQ %s+%d(FP), SI", [2]string{"left", "right"}[half], 8+8*half)
		}
		for l := 0; l < 8; l++ {
			if k == pairs {
				g.i("MOVQ %d(SI), AX", 8*l)
				g.i("VMOVDQU (AX), %s", y(rows[l]))
			} else {
				g.i("VMOVDQU %d(SI), %s", 64*l+32*half, y(rows[l]))
			}
		}
		col := g.transpose(rows, temps)
		for w := 0; w < 8; w++ {
			g.i("VMOVDQU %s, %s", y(col[w]), msg(8*half+w))
		}
	}

	var reg [16]int // state word -> register
	if k == chained {
		fmt.Fprintf(&g.b, "\n\t// State: chaining values transposed, IV, counter 0, lengths, flags.\n")
		g.i("MOVQ cv+0(FP), DI")
		for l := 0; l < 8; l++ {
			g.i("VMOVDQU %d(DI), %s", 32*l, y(rows[l]))
		}
		col := g.transpose(rows, temps)
		copy(reg[:8], col[:])
	} else {
		fmt.Fprintf(&g.b, "\n\t// State: IV, IV, counter 0, lengths, flags of a one-block message.\n")
		for w := 0; w < 8; w++ {
			reg[w] = 8 + w
			g.i("VPBROADCASTD iv<>+%d(SB), %s", 4*w, y(8+w))
		}
	}
	for w := 0; w < 4; w++ {
		reg[8+w] = w
		g.i("VPBROADCASTD iv<>+%d(SB), %s", 4*w, y(w))
	}
	reg[12], reg[13], reg[14], reg[15] = 4, 5, 6, 7
	g.i("VPXOR Y4, Y4, Y4")
	g.i("VPXOR Y5, Y5, Y5")
	if k == pairs {
		g.i("VPBROADCASTD fullblock<>(SB), Y6")
	} else {
		g.i("MOVQ lens+16(FP), AX")
		g.i("VMOVDQU (AX), Y6")
	}
	if k == chained {
		g.i("MOVQ flags+24(FP), AX")
		g.i("VMOVDQU (AX), Y7")
	} else {
		g.i("VPBROADCASTD oneblock<>(SB), Y7")
	}

	schedule := [16]int{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15}
	for round := 0; round < 7; round++ {
		fmt.Fprintf(&g.b, "\n\t// Round %d.\n", round+1)
		s := schedule
		g.quarter(reg, [4]int{0, 1, 2, 3}, [4]int{4, 5, 6, 7}, [4]int{8, 9, 10, 11}, [4]int{12, 13, 14, 15},
			[4]int{s[0], s[2], s[4], s[6]}, [4]int{s[1], s[3], s[5], s[7]})
		g.quarter(reg, [4]int{0, 1, 2, 3}, [4]int{5, 6, 7, 4}, [4]int{10, 11, 8, 9}, [4]int{15, 12, 13, 14},
			[4]int{s[8], s[10], s[12], s[14]}, [4]int{s[9], s[11], s[13], s[15]})
		for i := range schedule {
			schedule[i] = s[permutation[i]]
		}
	}

	fmt.Fprintf(&g.b, "\n\t// Output words h[i] = v[i] ^ v[i+8], transposed back into lanes.\n")
	var out [8]int
	for w := 0; w < 8; w++ {
		g.i("VPXOR %s, %s, %s", y(reg[8+w]), y(reg[w]), y(reg[w]))
		out[w] = reg[w]
	}
	var free [8]int
	copy(free[:], reg[8:])
	lanes := g.transpose(out, free)
	if k != chained {
		g.i("MOVQ dst+0(FP), DI")
	}
	for l := 0; l < 8; l++ {
		if k == chained {
			g.i("VMOVDQU %s, %d(DI)", y(lanes[l]), 32*l)
		} else {
			g.i("MOVQ %d(DI), AX", 8*l)
			g.i("VMOVDQU %s, (AX)", y(lanes[l]))
		}
	}
	g.i("VZEROUPPER")
	g.i("RET")
}

func main() {
	out := flag.String("out", "compress8_amd64.s", "file to write")
	flag.Parse()
	g := new(gen)
	g.b.WriteString("// Code generated by the command in ./asm; DO NOT EDIT.\n\n//go:build !purego\n\n#include \"textflag.h\"\n\n")
	for w, v := range iv {
		fmt.Fprintf(&g.b, "DATA iv<>+%d(SB)/4, $0x%08x\n", 4*w, v)
	}
	g.b.WriteString("GLOBL iv<>(SB), RODATA|NOPTR, $32\n\n")
	// The flags of a message of one block: chunk start, chunk end, root.
	g.b.WriteString("DATA oneblock<>+0(SB)/4, $0x0000000b\nGLOBL oneblock<>(SB), RODATA|NOPTR, $4\n\n")
	g.b.WriteString("DATA fullblock<>+0(SB)/4, $0x00000040\nGLOBL fullblock<>(SB), RODATA|NOPTR, $4\n\n")
	// Byte shuffles rotating every dword right by 16 and by 8 bits.
	for _, m := range []struct {
		name string
		by   int
	}{{"rot16", 2}, {"rot8", 1}} {
		for q := 0; q < 4; q++ {
			var v uint64
			for j := 7; j >= 0; j-- {
				k := 8*q + j
				v = v<<8 | uint64(k&^3%16+(k+m.by)%4)
			}
			fmt.Fprintf(&g.b, "DATA %s<>+%d(SB)/8, $0x%016x\n", m.name, 8*q, v)
		}
		fmt.Fprintf(&g.b, "GLOBL %s<>(SB), RODATA|NOPTR, $32\n\n", m.name)
	}
	g.b.WriteString("// func compress8AVX2(cv *[8][32]byte, block *[8][64]byte, lens *[8]uint32, flags *[8]uint32)\n")
	fmt.Fprintf(&g.b, "TEXT ·compress8AVX2(SB), NOSPLIT, $%d-32\n", frameSize)
	g.kernel(chained)
	g.b.WriteString("\n// func hash8AVX2(dst *[8]*[32]byte, block *[8][64]byte, lens *[8]uint32)\n")
	fmt.Fprintf(&g.b, "TEXT ·hash8AVX2(SB), NOSPLIT, $%d-24\n", frameSize)
	g.kernel(oneBlock)
	g.b.WriteString("\n// func pairs8AVX2(dst, left, right *[8]*[32]byte)\n")
	fmt.Fprintf(&g.b, "TEXT ·pairs8AVX2(SB), NOSPLIT, $%d-24\n", frameSize)
	g.kernel(pairs)
	if err := os.WriteFile(*out, g.b.Bytes(), 0o644); err != nil {
		log.Fatal(err)
	}
}
