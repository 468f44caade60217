package akd

import (
	"encoding/binary"
	"encoding/hex"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
	"lukechampine.com/blake3"
)

// vectorsDir is where the shared test vectors live, relative to this
// package's directory.
var vectorsDir = filepath.Join("..", "..", "shared", "vectors", "akd")

type fixtureLabel struct {
	Val string `yaml:"label_val"`
	Len uint32 `yaml:"label_len"`
}

type fixtureNode struct {
	Label     fixtureLabel  `yaml:"label"`
	LastEpoch uint64        `yaml:"last_epoch"`
	NodeType  string        `yaml:"node_type"`
	Left      *fixtureLabel `yaml:"left_child"`
	Right     *fixtureLabel `yaml:"right_child"`
	Hash      string        `yaml:"hash"`
}

type fixtureRecord struct {
	LatestEpoch *uint64       `yaml:"latest_epoch"`
	Label       *fixtureLabel `yaml:"label"`
	Latest      *fixtureNode  `yaml:"latest_node"`
	Previous    *fixtureNode  `yaml:"previous_node"`
}

type fixtureState struct {
	azksEpoch uint64
	nodes     map[Label]*fixtureRecord
}

func (l fixtureLabel) label(t *testing.T) Label {
	b, err := hex.DecodeString(l.Val)
	if err != nil || len(b) != 32 {
		t.Fatalf("bad label %q", l.Val)
	}
	return Label{Val: [32]byte(b), Len: l.Len}
}

func (n *fixtureNode) hash(t *testing.T) [32]byte {
	b, err := hex.DecodeString(n.Hash)
	if err != nil || len(b) != 32 {
		t.Fatalf("bad hash %q", n.Hash)
	}
	return [32]byte(b)
}

// loadFixture reads the captured tree states of a fixture file, keyed by
// the azks epoch they hold.
func loadFixture(t *testing.T, name string) (Config, map[uint64]*fixtureState) {
	t.Helper()
	path := filepath.Join(vectorsDir, name+".fixture.yaml")
	data, err := os.ReadFile(path)
	if os.IsNotExist(err) {
		t.Skipf("AKD test vectors not found at %s; they are kept beside the repository, not in it", path)
	}
	if err != nil {
		t.Fatal(err)
	}
	var cfg Config
	states := map[uint64]*fixtureState{}
	dec := yaml.NewDecoder(strings.NewReader(string(data)))
	for {
		var doc struct {
			Configuration string          `yaml:"configuration"`
			Domain        string          `yaml:"domain_label"`
			Records       []fixtureRecord `yaml:"records"`
		}
		if err := dec.Decode(&doc); err != nil {
			break
		}
		if doc.Configuration != "" {
			if doc.Configuration == NameExperimental {
				cfg = Experimental(doc.Domain)
			} else {
				cfg = WhatsAppV1()
			}
		}
		if len(doc.Records) == 0 {
			continue
		}
		st := &fixtureState{nodes: map[Label]*fixtureRecord{}}
		for i := range doc.Records {
			r := &doc.Records[i]
			if r.LatestEpoch != nil {
				st.azksEpoch = *r.LatestEpoch
				continue
			}
			if r.Latest == nil {
				continue // a value state, not a tree node
			}
			st.nodes[r.Label.label(t)] = r
		}
		states[st.azksEpoch] = st
	}
	if cfg.Name() == "" || len(states) != 2 {
		t.Fatalf("%s: read configuration %q and %d states", path, cfg.Name(), len(states))
	}
	return cfg, states
}

// Reference hashing written straight from the specification's table,
// independent of the package's hasher.

func refH(cfg Config, parts ...[]byte) [32]byte {
	h := blake3.New(32, nil)
	h.Write([]byte(cfg.domain))
	for _, p := range parts {
		h.Write(p)
	}
	return [32]byte(h.Sum(nil))
}

func refEnc(l Label) []byte {
	return append(binary.BigEndian.AppendUint32(nil, l.Len), l.Val[:]...)
}

func refL(cfg Config, l Label) []byte {
	if cfg.kind == kindWhatsAppV1 {
		h := refH(cfg, refEnc(l))
		return h[:]
	}
	return refEnc(l)
}

func refParent(cfg Config, lv [32]byte, ll Label, rv [32]byte, rl Label) [32]byte {
	if cfg.kind == kindWhatsAppV1 {
		a := refH(cfg, lv[:], refL(cfg, ll))
		b := refH(cfg, rv[:], refL(cfg, rl))
		return refH(cfg, a[:], b[:])
	}
	return refH(cfg, lv[:], refL(cfg, ll), rv[:], refL(cfg, rl))
}

func refLeafValue(cfg Config, c [32]byte, epoch uint64) [32]byte {
	return refH(cfg, c[:], binary.BigEndian.AppendUint64(nil, epoch))
}

func refPublish(cfg Config, v [32]byte) [32]byte {
	if cfg.kind == kindWhatsAppV1 {
		return refH(cfg, v[:], refL(cfg, Label{}))
	}
	return v
}

func refEmpty(cfg Config) (value [32]byte, label Label) {
	if cfg.kind == kindWhatsAppV1 {
		label = Label{Val: [32]byte(bytesOf(1, 32))}
		e := refH(cfg, []byte{0})
		return refH(cfg, e[:], refL(cfg, label)), label
	}
	label.Val[0] = 1
	return [32]byte{}, label
}

func bytesOf(b byte, n int) []byte { return []byte(strings.Repeat(string([]byte{b}), n)) }

// nodeValue is the value a tree node contributes to its parent: a leaf's
// stored hash bound to its epoch, an interior node's stored hash.
func nodeValue(t *testing.T, cfg Config, n *fixtureNode) [32]byte {
	if n.NodeType == "Leaf" {
		return refLeafValue(cfg, n.hash(t), n.LastEpoch)
	}
	return n.hash(t)
}

// versionAt returns the version of the node labelled l current at epoch e.
func (st *fixtureState) versionAt(t *testing.T, l Label, e uint64) *fixtureNode {
	r := st.nodes[l]
	if r == nil {
		return nil
	}
	for _, n := range []*fixtureNode{r.Latest, r.Previous} {
		if n != nil && n.LastEpoch <= e {
			return n
		}
	}
	return nil
}

var fixtureRoots = map[string][2]string{
	NameWhatsAppV1: {"67becca78f7c9161e46ef85f661f9c503202f070c78b47180b374fa898a977d4",
		"f076e47b7f910ceab406ea1637bf575d9cfb4e5bbadd498f7c7d084c706a7e9f"},
	NameExperimental: {"75c8727c2de2d5f825d866509ee4af606cd60dfb3230fdc238bc0a990600c27a",
		"4da1df2c3b1540ec2c9f2435ef5ce56bd1b365d3f2c7f0519acb481d2a6820e8"},
}

var fixtureNames = []string{NameWhatsAppV1, NameExperimental}

// TestFixtureInteriorHashes checks that every interior node hash of both
// captured states follows from its children.
func TestFixtureInteriorHashes(t *testing.T) {
	for _, name := range fixtureNames {
		t.Run(name, func(t *testing.T) {
			cfg, states := loadFixture(t, name)
			emptyV, emptyL := refEmpty(cfg)
			checked := 0
			for _, st := range states {
				for _, r := range st.nodes {
					for _, n := range []*fixtureNode{r.Latest, r.Previous} {
						if n == nil || n.NodeType == "Leaf" {
							continue
						}
						child := func(fl *fixtureLabel) ([32]byte, Label, bool) {
							if fl == nil {
								return emptyV, emptyL, true
							}
							l := fl.label(t)
							c := st.versionAt(t, l, n.LastEpoch)
							if c == nil {
								return [32]byte{}, Label{}, false
							}
							return nodeValue(t, cfg, c), l, true
						}
						lv, ll, ok1 := child(n.Left)
						rv, rl, ok2 := child(n.Right)
						if !ok1 || !ok2 {
							continue // a child's version of that epoch was not captured
						}
						if got := refParent(cfg, lv, ll, rv, rl); got != n.hash(t) {
							t.Errorf("node %x/%d at epoch %d: children give %x, stored %s",
								n.Label.Val, n.Label.Len, n.LastEpoch, got, n.Hash)
						}
						checked++
					}
				}
			}
			if checked < 30 {
				t.Fatalf("only %d interior nodes checked", checked)
			}
			t.Logf("%d interior node versions follow from their children", checked)
		})
	}
}

// fixtureProof derives the audit proof of the step before to before+1 from
// the later state: maximal subtrees untouched since before are unchanged
// elements, leaves of before+1 are inserted.
func fixtureProof(t *testing.T, cfg Config, st *fixtureState, before uint64) *Proof {
	p := new(Proof)
	var walk func(l Label)
	walk = func(l Label) {
		n := st.versionAt(t, l, before+1)
		if n == nil {
			t.Fatalf("node %x/%d missing", l.Val, l.Len)
		}
		switch {
		case n.LastEpoch <= before && n.NodeType != "Root":
			p.Unchanged = append(p.Unchanged, Element{Label: l, Value: nodeValue(t, cfg, n)})
		case n.NodeType == "Leaf":
			p.Inserted = append(p.Inserted, Element{Label: l, Value: n.hash(t)})
		default:
			for _, c := range []*fixtureLabel{n.Left, n.Right} {
				if c != nil {
					walk(c.label(t))
				}
			}
		}
	}
	walk(Label{})
	return p
}

func fixtureRootPair(t *testing.T, name string) (prev, cur [32]byte) {
	r := fixtureRoots[name]
	return mustHex(t, r[0]), mustHex(t, r[1])
}

func mustHex(t testing.TB, s string) [32]byte {
	b, err := hex.DecodeString(s)
	if err != nil || len(b) != 32 {
		t.Fatalf("bad hex %q", s)
	}
	return [32]byte(b)
}

// TestFixtureStep rebuilds the step 8 -> 9 of both configurations.
func TestFixtureStep(t *testing.T) {
	counts := map[string][2]int{NameWhatsAppV1: {4, 1}, NameExperimental: {2, 1}}
	for _, name := range fixtureNames {
		t.Run(name, func(t *testing.T) {
			cfg, states := loadFixture(t, name)
			prev, cur := fixtureRootPair(t, name)
			// The captured roots publish to the table's roots.
			for e, want := range map[uint64][32]byte{8: prev, 9: cur} {
				root := states[e].nodes[Label{}].Latest
				if got := refPublish(cfg, root.hash(t)); got != want {
					t.Errorf("root of epoch %d publishes as %x, want %x", e, got, want)
				}
			}
			p := fixtureProof(t, cfg, states[9], 8)
			if len(p.Unchanged) != counts[name][0] || len(p.Inserted) != counts[name][1] {
				t.Fatalf("proof has %d unchanged, %d inserted; want %v", len(p.Unchanged), len(p.Inserted), counts[name])
			}
			for _, workers := range []int{1, 4} {
				res, err := VerifyStep(cfg, p, 9, prev, cur, &Options{Workers: workers})
				if err != nil {
					t.Fatalf("workers %d: %v", workers, err)
				}
				if res.Previous != prev || res.Current != cur {
					t.Fatalf("roots %x %x", res.Previous, res.Current)
				}
			}
		})
	}
}
