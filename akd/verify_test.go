package akd

import (
	"bytes"
	"context"
	"errors"
	"math/rand/v2"
	"testing"
)

func wantVerified(t *testing.T, cfg Config, p *Proof, epoch uint64, prev, cur [32]byte) {
	t.Helper()
	for _, w := range []int{1, 2, 8} {
		if _, err := VerifyStep(cfg, p, epoch, prev, cur, &Options{Workers: w}); err != nil {
			t.Fatalf("workers %d: %v", w, err)
		}
	}
	if _, err := Verify(context.Background(), bytes.NewReader(encode(t, p)), cfg, epoch, prev, cur, nil); err != nil {
		t.Fatalf("streaming: %v", err)
	}
}

func wantViolation(t *testing.T, what string, cfg Config, p *Proof, epoch uint64, prev, cur [32]byte) *ViolationError {
	t.Helper()
	_, err := VerifyStep(cfg, p, epoch, prev, cur, &Options{Workers: 2})
	var v *ViolationError
	if !errors.As(err, &v) {
		t.Fatalf("%s: want a violation, got %v", what, err)
	}
	_, err = Verify(context.Background(), bytes.NewReader(encode(t, p)), cfg, epoch, prev, cur, &Options{Workers: 1})
	var v2 *ViolationError
	if !errors.As(err, &v2) || v2.Kind != v.Kind {
		t.Fatalf("%s: streaming gave %v, in memory %v", what, err, v)
	}
	return v
}

// TestVerifyMatchesReference checks the builder against the plain
// recursion at several sizes, sequential and parallel.
func TestVerifyMatchesReference(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for _, cfg := range testConfigs {
		for _, sz := range [][2]int{{1, 1}, {1, 8}, {2, 3}, {7, 9}, {100, 14}, {600, 16}} {
			p := virtualProof(rng, sz[0], sz[1])
			prev, cur := refRoots(cfg, p, 77)
			wantVerified(t, cfg, p, 77, prev, cur)
			res, _ := VerifyStep(cfg, p, 77, prev, cur, nil)
			if res.Inserted != len(p.Inserted) || res.Unchanged != len(p.Unchanged) || res.Compressions == 0 {
				t.Fatalf("result %+v", res)
			}
		}
	}
	// Elements in random order take the general sort.
	for _, cfg := range testConfigs {
		p := virtualProof(rng, 300, 14)
		prev, cur := refRoots(cfg, p, 9)
		rng.Shuffle(len(p.Unchanged), func(i, j int) { p.Unchanged[i], p.Unchanged[j] = p.Unchanged[j], p.Unchanged[i] })
		wantVerified(t, cfg, p, 9, prev, cur)
	}
	// Only inserted elements (a new directory's first step), and an
	// element alone on one side of the root.
	for _, cfg := range testConfigs {
		p := &Proof{Inserted: []Element{{Label: Label{Val: [32]byte{0x80}, Len: 256}}}}
		prev, cur := refRoots(cfg, p, 1)
		wantVerified(t, cfg, p, 1, prev, cur)
	}
}

// TestNegativeControls: every kind of tampering is a violation, in both
// configurations.
func TestNegativeControls(t *testing.T) {
	for _, cfg := range testConfigs {
		t.Run(cfg.Name(), func(t *testing.T) {
			rng := rand.New(rand.NewPCG(5, 6))
			base := virtualProof(rng, 40, 12)
			const epoch = 1000
			prev, cur := refRoots(cfg, base, epoch)
			wantVerified(t, cfg, base, epoch, prev, cur)
			n := len(base.Inserted) + len(base.Unchanged)
			at := func(p *Proof, i int) *Element {
				if i < len(p.Inserted) {
					return &p.Inserted[i]
				}
				return &p.Unchanged[i-len(p.Inserted)]
			}
			// Flip one byte of every element: of its label, its value, its length.
			for i := 0; i < n; i++ {
				for _, part := range []string{"label", "value", "len"} {
					p := cloneProof(base)
					e := at(p, i)
					switch part {
					case "label":
						e.Label.Val[rng.IntN(32)] ^= byte(1 + rng.IntN(255))
					case "value":
						e.Value[rng.IntN(32)] ^= byte(1 + rng.IntN(255))
					case "len":
						if e.Label.Len == 256 {
							e.Label.Len--
						} else {
							e.Label.Len++
						}
					}
					wantViolation(t, part+" flipped", cfg, p, epoch, prev, cur)
				}
			}
			// Drop one element of each kind.
			p := cloneProof(base)
			p.Inserted = p.Inserted[1:]
			wantViolation(t, "inserted dropped", cfg, p, epoch, prev, cur)
			p = cloneProof(base)
			p.Unchanged = p.Unchanged[:len(p.Unchanged)-1]
			wantViolation(t, "unchanged dropped", cfg, p, epoch, prev, cur)
			// Duplicate one element.
			p = cloneProof(base)
			p.Unchanged = append(p.Unchanged, p.Unchanged[3])
			if v := wantViolation(t, "duplicate", cfg, p, epoch, prev, cur); v.Kind != LabelSet {
				t.Fatalf("duplicate: %v", v)
			}
			p = cloneProof(base)
			p.Inserted = append(p.Inserted, p.Unchanged[0])
			if v := wantViolation(t, "duplicate across lists", cfg, p, epoch, prev, cur); v.Kind != LabelSet {
				t.Fatalf("duplicate: %v", v)
			}
			// An inserted element under an unchanged interior node's label.
			p = cloneProof(base)
			var shell *Element
			for i := range p.Unchanged {
				if p.Unchanged[i].Label.Len < 256 {
					shell = &p.Unchanged[i]
					break
				}
			}
			under := Element{Label: Label{Val: shell.Label.Val, Len: 256}}
			under.Label.Val[31] |= 1
			p.Inserted = append(p.Inserted, under)
			if v := wantViolation(t, "inserted under unchanged", cfg, p, epoch, prev, cur); v.Kind != LabelSet {
				t.Fatalf("under: %v", v)
			}
			// The epoch shifted by one, the roots swapped.
			for _, e := range []uint64{epoch - 1, epoch + 1} {
				v := wantViolation(t, "epoch shifted", cfg, base, e, prev, cur)
				if !v.Roots || v.ComputedPrevious != prev || v.ComputedCurrent == cur {
					t.Fatalf("epoch shifted: %+v", v)
				}
			}
			wantViolation(t, "roots swapped", cfg, base, epoch, cur, prev)
		})
	}
}

// TestPrefixCollisionRewrite replays the attack of facebook/akd#495: an
// unchanged leaf whose label is a strict prefix of an inserted label lets
// a directory rewrite a value while both roots rebuild for a verifier that
// drops the shadowed element. It must be a violation.
func TestPrefixCollisionRewrite(t *testing.T) {
	for _, cfg := range testConfigs {
		ev, el := refEmpty(cfg)
		parentOf := func(l Label, v [32]byte) [32]byte { return refParent(cfg, v, l, ev, el) }
		shell := Label{Len: 1}
		label := Label{Len: 256}
		val1, val2 := refH(cfg, []byte("val1")), refH(cfg, []byte("val2"))
		shellVal := parentOf(label, refLeafValue(cfg, val1, 1))
		root1 := refPublish(cfg, parentOf(shell, shellVal))
		root2 := refPublish(cfg, parentOf(shell, parentOf(label, refLeafValue(cfg, val2, 2))))
		p := &Proof{Unchanged: []Element{{Label: shell, Value: shellVal}}, Inserted: []Element{{Label: label, Value: val2}}}
		if v := wantViolation(t, "akd#495", cfg, p, 2, root1, root2); v.Kind != LabelSet {
			t.Fatalf("%s: %v", cfg.Name(), v)
		}
	}
}

func TestEmptyLabelElement(t *testing.T) {
	for _, cfg := range testConfigs {
		p := &Proof{Unchanged: []Element{{Label: Label{Len: 0}}}}
		if v := wantViolation(t, "empty label", cfg, p, 2, [32]byte{}, [32]byte{}); v.Kind != LabelSet {
			t.Fatal(v)
		}
	}
}

func TestArguments(t *testing.T) {
	p := virtualProof(rand.New(rand.NewPCG(1, 1)), 3, 4)
	if _, err := VerifyStep(WhatsAppV1(), p, 0, [32]byte{}, [32]byte{}, nil); !errors.Is(err, ErrEpoch) {
		t.Fatalf("epoch 0: %v", err)
	}
	if _, err := VerifyStep(Config{}, p, 1, [32]byte{}, [32]byte{}, nil); err == nil {
		t.Fatal("zero Config accepted")
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := Verify(ctx, bytes.NewReader(encode(t, p)), WhatsAppV1(), 1, [32]byte{}, [32]byte{}, nil); !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled: %v", err)
	}
	for _, c := range []struct{ name, domain string }{{"whatsapp_v1", "x"}, {"experimental", ""}, {"v2", ""}} {
		if _, err := ParseConfig(c.name, c.domain); err == nil {
			t.Fatalf("ParseConfig(%q, %q) succeeded", c.name, c.domain)
		}
	}
	if c, err := ParseConfig("experimental", "D"); err != nil || c.Name() != "experimental" || c.Domain() != "D" {
		t.Fatal(c, err)
	}
}
