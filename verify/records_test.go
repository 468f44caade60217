package verify_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"stele/checkpoint"
	"stele/publish"
	"stele/record"
	"stele/store"
	"stele/verify"
)

func digest(i int) string { return fmt.Sprintf("%064x", i+1) }

// chain returns an anchor at epoch 10 followed by n verified records,
// signed by s.
func chain(t *testing.T, s *checkpoint.Signer, n int) []*record.Record {
	t.Helper()
	recs := []*record.Record{{Kind: record.KindAnchor, Namespace: "ns", Epoch: 10, Digest: digest(0), Configuration: record.ConfigWhatsAppV1}}
	for i := 1; i <= n; i++ {
		recs = append(recs, &record.Record{
			Kind: record.KindVerified, Namespace: "ns", Epoch: uint64(10 + i),
			PreviousDigest: digest(i - 1), Digest: digest(i),
			Proofs:        []record.Proof{{Name: fmt.Sprintf("%d/%s/%s", 10+i, digest(i-1), digest(i)), Size: 100, SHA256: digest(99)}},
			Configuration: record.ConfigWhatsAppV1,
		})
	}
	return recs
}

func sign(t *testing.T, s *checkpoint.Signer, r *record.Record) {
	t.Helper()
	if err := r.Sign(1, 1795600000000+int64(r.Epoch), s.PublicKey(), s.Sign); err != nil {
		t.Fatal(err)
	}
}

// logOf writes the records as a log named test.example/stele/ns and
// verifies it with records checked.
func logOf(t *testing.T, s *checkpoint.Signer, v *checkpoint.Verifier, recs []*record.Record) verify.Result {
	t.Helper()
	st, err := store.NewDir(recordLog(t, s, recs))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	return verify.Log(context.Background(), st, []*checkpoint.Verifier{v}, verify.Options{Records: true})
}

func TestRecordSemantics(t *testing.T) {
	s, v := newKey(t, "test.example/stele")
	other, _ := newKey(t, "test.example/stele")
	signAll := func(recs []*record.Record) []*record.Record {
		for _, r := range recs {
			if r.Kind != record.KindViolation {
				sign(t, s, r)
			}
		}
		return recs
	}
	violation := func(epoch uint64, prev int) *record.Record {
		return &record.Record{Kind: record.KindViolation, Namespace: "ns", Epoch: epoch,
			PreviousDigest: digest(prev), Digest: digest(50), Proofs: []record.Proof{{Name: "x", Size: 1, SHA256: digest(98)}},
			Configuration: record.ConfigWhatsAppV1, VerifiedAt: 1, Reason: "root mismatch",
			ComputedPrevious: digest(60), ComputedDigest: digest(61)}
	}

	ok := signAll(chain(t, s, 5))
	if r := logOf(t, s, v, ok); r.Err != nil || r.Status != verify.StatusOnline {
		t.Fatalf("good chain: %v %s", r.Err, r.Status)
	}
	halted := append(signAll(chain(t, s, 3)), violation(14, 3))
	if r := logOf(t, s, v, halted); r.Err != nil || r.Status != verify.StatusHalted {
		t.Fatalf("violation last: %v %s", r.Err, r.Status)
	}
	resumed := append(append(signAll(chain(t, s, 3)), violation(14, 3)), signAll([]*record.Record{{Kind: record.KindAnchor, Namespace: "ns", Epoch: 14, Digest: digest(70), Configuration: record.ConfigWhatsAppV1}})...)
	if r := logOf(t, s, v, resumed); r.Err != nil || r.Status != verify.StatusOnline {
		t.Fatalf("resumed after a violation: %v %s", r.Err, r.Status)
	}

	for name, tc := range map[string]struct {
		recs []*record.Record
		want string
	}{
		"signed by another key": {func() []*record.Record {
			rs := signAll(chain(t, s, 4))
			if err := rs[2].Sign(1, 5, other.PublicKey(), other.Sign); err != nil {
				t.Fatal(err)
			}
			return rs
		}(), "signature"},
		"gap in epochs":           {func() []*record.Record { rs := chain(t, s, 4); rs[3].Epoch++; return signAll(rs) }(), "contiguous"},
		"broken digest chain":     {func() []*record.Record { rs := chain(t, s, 4); rs[3].PreviousDigest = digest(40); return signAll(rs) }(), "previous_digest"},
		"violation in the middle": {append(append(signAll(chain(t, s, 2)), violation(13, 2)), signAll(chain(t, s, 5))[4]), "follows the violation"},
		"no anchor first":         {signAll(chain(t, s, 3))[1:], "anchor"},
		"anchor in the middle":    {append(signAll(chain(t, s, 2)), signAll(chain(t, s, 0))...), "anchor"},
		"other namespace": {func() []*record.Record {
			rs := chain(t, s, 3)
			rs[2].Namespace = "other"
			return signAll(rs)
		}(), "namespace"},
	} {
		t.Run(name, func(t *testing.T) {
			r := logOf(t, s, v, tc.recs)
			if verify.Classify(r.Err) != verify.ResultFailed || !strings.Contains(r.Err.Error(), tc.want) {
				t.Fatalf("got %v, want a failure mentioning %q", r.Err, tc.want)
			}
		})
	}

	// A log whose entries are not records is opaque, and verifies.
	st, _ := store.NewDir(t.TempDir())
	ctx := context.Background()
	l, _ := publish.OpenLog(ctx, st, s.WithName("test.example/stele/ns"), "test.example/stele/ns")
	l.Append(ctx, [][]byte{[]byte("hello"), []byte("world")})
	l.Commit(ctx)
	if r := verify.Log(ctx, st, []*checkpoint.Verifier{v}, verify.Options{Records: true}); r.Err != nil || r.Status != verify.StatusOpaque {
		t.Fatalf("opaque log: %v %s", r.Err, r.Status)
	}
}
