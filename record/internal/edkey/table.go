package edkey

import (
	"sync"

	"filippo.io/edwards25519"
	"filippo.io/edwards25519/field"
	fp "github.com/cloudflare/circl/math/fp25519"
)

// table holds j·16^i·P for every position i < 64 and j = 1..8, so that a
// scalar written in 64 signed base-16 digits costs at most 64 additions.
type table [64][8]niels

// d2 is 2·d, d = -121665/121666 being Edwards25519's curve constant.
var d2 = func() *field.Element {
	var num, den field.Element
	if _, err := num.SetBytes([]byte{0x41, 0xdb, 0x01, 31: 0}); err != nil { // 121665
		panic(err)
	}
	if _, err := den.SetBytes([]byte{0x42, 0xdb, 0x01, 31: 0}); err != nil { // 121666
		panic(err)
	}
	var d field.Element
	d.Negate(&num)
	d.Multiply(&d, den.Invert(&den))
	return d.Add(&d, &d)
}()

// baseTable is the table of the standard base point B, shared by all keys.
var baseTable = sync.OnceValue(func() *table { return newTable(edwards25519.NewGeneratorPoint()) })

// newTable builds P's table with filippo.io/edwards25519's point
// arithmetic and converts each multiple to affine niels form.
func newTable(p *edwards25519.Point) *table {
	t := new(table)
	base := new(edwards25519.Point).Set(p)
	var m edwards25519.Point
	for i := range t {
		m.Set(base)
		for j := range t[i] {
			if j > 0 {
				m.Add(&m, base)
			}
			toNiels(&t[i][j], &m)
		}
		// m is 8·base now: the next position's base is 16·base.
		base.Add(&m, &m)
	}
	return t
}

func toNiels(n *niels, p *edwards25519.Point) {
	X, Y, Z, _ := p.ExtendedCoordinates()
	var zinv, x, y, v field.Element
	zinv.Invert(Z)
	x.Multiply(X, &zinv)
	y.Multiply(Y, &zinv)
	setElt(&n.ypx, v.Add(&y, &x))
	setElt(&n.ymx, v.Subtract(&y, &x))
	v.Multiply(&x, &y)
	setElt(&n.t2d, v.Multiply(&v, d2))
}

// setElt copies a field element between the two libraries' forms; both
// agree on the little-endian byte order.
func setElt(e *fp.Elt, v *field.Element) { copy(e[:], v.Bytes()) }

// addMul adds [s]P to acc, where digits is s in signed base 16 and t is
// P's table.
func (t *table) addMul(acc *point, digits *[64]int8) {
	for i, d := range digits {
		switch {
		case d > 0:
			acc.addNiels(&t[i][d-1], false)
		case d < 0:
			acc.addNiels(&t[i][-d-1], true)
		}
	}
}
