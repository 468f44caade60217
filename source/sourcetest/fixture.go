package sourcetest

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strings"

	"stele/source"
)

// root is a deterministic 32-byte root named by a label.
func root(label string) [32]byte { return sha256.Sum256([]byte(label)) }

// rootHex is root(label) in lowercase hex.
func rootHex(label string) string {
	r := root(label)
	return hex.EncodeToString(r[:])
}

// key is the canonical key of epoch e between the roots named prev and cur.
func key(e uint64, prev, cur string) string {
	return source.Key{Epoch: e, Prev: root(prev), Cur: root(cur)}.String()
}

// fixture is the suite's bucket: the objects every source must list, and
// the ones every source must ignore.
type fixture struct {
	valid   map[string][]byte // keys that ParseKey accepts
	ignored map[string][]byte // everything else
}

// Epochs of the fixture with one object each. Their string order differs
// from their numeric order ("99999" > "624700", "9" > "10"), and "1", "12"
// and "120" share string prefixes.
var singleEpochs = []uint64{0, 9, 10, 120, 99999, 624700, math.MaxUint64}

// twoEpoch has two objects: a directory that contradicts itself.
const twoEpoch = 12

// Epochs with no object, though ignored keys or other epochs come close.
var emptyEpochs = []uint64{1, 2, 7, 11, 13, 99, 62470, 624701, 9999, math.MaxUint64 - 1}

func newFixture() *fixture {
	fx := &fixture{valid: map[string][]byte{}, ignored: map[string][]byte{}}
	for _, e := range singleEpochs {
		fx.valid[key(e, fmt.Sprint("prev ", e), fmt.Sprint("cur ", e))] = []byte(fmt.Sprintf("proof of epoch %d\n", e))
	}
	// A proof the size of a small real one, to check streaming, and an
	// empty one, to check that zero is a size like any other.
	big := make([]byte, 256<<10+3)
	rand.NewChaCha8([32]byte{'s', 't', 'e', 'l', 'e'}).Read(big)
	fx.valid[key(624700, "prev 624700", "cur 624700")] = big
	fx.valid[key(10, "prev 10", "cur 10")] = []byte{}
	fx.valid[key(twoEpoch, "prev 12a", "cur 12a")] = []byte("first claim for epoch 12")
	fx.valid[key(twoEpoch, "prev 12b", "cur 12b")] = []byte("second claim for epoch 12")

	h := rootHex
	up := func(label string) string { return strings.ToUpper(h(label)) }
	for _, k := range []string{
		"root",
		"12/notahex/" + h("x1"),
		"12/" + h("x2")[:63] + "/" + h("x3"),
		"12/" + h("x4") + "/" + h("x5") + "0",
		"12/" + up("x6") + "/" + h("x7"),
		"12/" + h("x8") + "/" + up("x9"),
		"12/" + h("x10") + "/" + h("x11") + "/",
		"12/" + h("x12") + "/" + h("x13") + "/extra",
		"12/" + h("x14") + "/" + h("x15") + ".tmp",
		"12/" + h("x16"),
		"007/" + h("x17") + "/" + h("x18"),
		"012/" + h("x19") + "/" + h("x20"),
		"+12/" + h("x21") + "/" + h("x22"),
		"x/12/" + h("x23") + "/" + h("x24"),
		"18446744073709551616/" + h("x25") + "/" + h("x26"),
		"13",
		"1",
	} {
		fx.ignored[k] = []byte("ignore " + k)
	}
	fx.ignored["12/"+h("x10")+"/"+h("x11")+"/"] = []byte{}
	return fx
}

// all returns every object of the fixture, for a Builder.
func (fx *fixture) all() map[string][]byte {
	m := make(map[string][]byte, len(fx.valid)+len(fx.ignored))
	for k, v := range fx.valid {
		m[k] = bytes.Clone(v)
	}
	for k, v := range fx.ignored {
		m[k] = bytes.Clone(v)
	}
	return m
}

// epoch returns the valid keys of epoch e, sorted.
func (fx *fixture) epoch(e uint64) []string {
	var keys []string
	for k := range fx.valid {
		if pk, err := source.ParseKey(k); err == nil && pk.Epoch == e {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	return keys
}
