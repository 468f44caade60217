package edkey

// order is L, the order of Edwards25519's prime subgroup, little-endian.
var order = [32]byte{
	0xed, 0xd3, 0xf5, 0x5c, 0x1a, 0x63, 0x12, 0x58, 0xd6, 0x9c, 0xf7, 0xa2, 0xde, 0xf9, 0xde, 0x14,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x10,
}

// belowOrder reports whether the little-endian number s is less than L.
func belowOrder(s []byte) bool {
	for i := 31; i >= 0; i-- {
		if s[i] != order[i] {
			return s[i] < order[i]
		}
	}
	return false
}

// signedDigits writes s, a little-endian number below 2^253, as 64 digits
// d_i in [-8, 8) (the last in [0, 2], as s < 2^253) with s = sum d_i·16^i.
func signedDigits(s []byte) (d [64]int8) {
	for i := range 32 {
		d[2*i] = int8(s[i] & 15)
		d[2*i+1] = int8(s[i] >> 4)
	}
	for i := range 63 {
		carry := (d[i] + 8) >> 4
		d[i] -= carry << 4
		d[i+1] += carry
	}
	return d
}
