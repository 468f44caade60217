//go:build !amd64 || purego

package blake3x

const useAVX2 = false

func compress8(cv *[Lanes][32]byte, block *[Lanes][BlockSize]byte, lens, flags *[Lanes]uint32) {
	compress8Generic(cv, block, lens, flags)
}

func hash8(dst *[Lanes]*[32]byte, block *[Lanes][BlockSize]byte, lens *[Lanes]uint32) {
	hash8Generic(dst, block, lens)
}

func pairs8(dst, left, right *[Lanes]*[32]byte) { pairs8Generic(dst, left, right) }
