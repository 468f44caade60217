package edkey

import fp "github.com/cloudflare/circl/math/fp25519"

// point is a point in extended coordinates (X:Y:Z:T) with x = X/Z,
// y = Y/Z and x·y = T/Z.
type point struct{ x, y, z, t fp.Elt }

// niels is an affine point prepared for mixed addition: y+x, y-x and
// 2·d·x·y.
type niels struct{ ypx, ymx, t2d fp.Elt }

func (p *point) setIdentity() {
	*p = point{}
	fp.SetOne(&p.y)
	fp.SetOne(&p.z)
}

// addNiels sets p = p + q, or p - q when neg is set, with the unified
// extended-coordinates formulas for a = -1 (Hisil, Wong, Carter, Dawson
// 2008), which are complete on Edwards25519: seven multiplications.
func (p *point) addNiels(q *niels, neg bool) {
	var a, b, c, d, e, f, g, h fp.Elt
	qp, qm := &q.ypx, &q.ymx
	if neg { // -(x, y) = (-x, y): y+x and y-x swap, x·y changes sign
		qp, qm = qm, qp
	}
	fp.Sub(&a, &p.y, &p.x)
	fp.Mul(&a, &a, qm)
	fp.Add(&b, &p.y, &p.x)
	fp.Mul(&b, &b, qp)
	fp.Mul(&c, &p.t, &q.t2d)
	fp.Add(&d, &p.z, &p.z)
	fp.Sub(&e, &b, &a)
	fp.Add(&h, &b, &a)
	if neg {
		fp.Add(&f, &d, &c)
		fp.Sub(&g, &d, &c)
	} else {
		fp.Sub(&f, &d, &c)
		fp.Add(&g, &d, &c)
	}
	fp.Mul(&p.x, &e, &f)
	fp.Mul(&p.y, &g, &h)
	fp.Mul(&p.t, &e, &h)
	fp.Mul(&p.z, &f, &g)
}

// encode writes p's canonical 32-byte encoding: y little-endian, with the
// low bit of x in the top bit.
func (p *point) encode(out *[32]byte) {
	var zinv, x, y fp.Elt
	fp.Inv(&zinv, &p.z)
	fp.Mul(&x, &p.x, &zinv)
	fp.Mul(&y, &p.y, &zinv)
	fp.Modp(&x)
	fp.Modp(&y)
	*out = y
	out[31] |= (x[0] & 1) << 7
}
