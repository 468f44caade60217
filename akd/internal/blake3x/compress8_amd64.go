//go:build !purego

package blake3x

import "golang.org/x/sys/cpu"

//go:generate go run -C asm . -out ../compress8_amd64.s

// compress8AVX2 is compress8Generic in AVX2 assembly.
//
//go:noescape
func compress8AVX2(cv *[Lanes][32]byte, block *[Lanes][BlockSize]byte, lens, flags *[Lanes]uint32)

// hash8AVX2 is hash8Generic in AVX2 assembly.
//
//go:noescape
func hash8AVX2(dst *[Lanes]*[32]byte, block *[Lanes][BlockSize]byte, lens *[Lanes]uint32)

// pairs8AVX2 is pairs8Generic in AVX2 assembly.
//
//go:noescape
func pairs8AVX2(dst, left, right *[Lanes]*[32]byte)

var useAVX2 = cpu.X86.HasAVX2

func pairs8(dst, left, right *[Lanes]*[32]byte) {
	if useAVX2 {
		pairs8AVX2(dst, left, right)
		return
	}
	pairs8Generic(dst, left, right)
}

func hash8(dst *[Lanes]*[32]byte, block *[Lanes][BlockSize]byte, lens *[Lanes]uint32) {
	if useAVX2 {
		hash8AVX2(dst, block, lens)
		return
	}
	hash8Generic(dst, block, lens)
}

func compress8(cv *[Lanes][32]byte, block *[Lanes][BlockSize]byte, lens, flags *[Lanes]uint32) {
	if useAVX2 {
		compress8AVX2(cv, block, lens, flags)
		return
	}
	compress8Generic(cv, block, lens, flags)
}
