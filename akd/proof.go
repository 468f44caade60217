package akd

import (
	"bytes"
	"fmt"
	"io"

	"google.golang.org/protobuf/encoding/protowire"
)

// Label is an AKD node label: the first Len bits (0..256, most significant
// bit of Val[0] first) of Val.
type Label struct {
	Val [32]byte
	Len uint32
}

// Element is one (label, value) pair of a proof.
type Element struct {
	Label Label
	Value [32]byte
}

// Proof is a decoded SingleAppendOnlyProof: two flat arrays, in the order
// of the encoding. Inserted values are the raw commitments (not yet bound
// to an epoch); unchanged values are node values as the tree holds them.
type Proof struct {
	Inserted  []Element
	Unchanged []Element
}

// Protobuf field numbers of akd's types.proto.
const (
	fieldInserted  = 1 // SingleAppendOnlyProof.inserted
	fieldUnchanged = 2 // SingleAppendOnlyProof.unchanged_nodes
	fieldLabel     = 1 // AzksElement.label
	fieldValue     = 2 // AzksElement.value
	fieldLabelVal  = 1 // NodeLabel.label_val
	fieldLabelLen  = 2 // NodeLabel.label_len
)

// Encode writes p in akd's wire format: label values with their trailing
// zero bytes stripped, as the reference writes them. It is the inverse of
// Decode for every proof Decode accepts with canonical encoding.
func Encode(w io.Writer, p *Proof) error {
	var buf []byte
	flush := func() error {
		_, err := w.Write(buf)
		buf = buf[:0]
		return err
	}
	for _, list := range []struct {
		field protowire.Number
		els   []Element
	}{{fieldInserted, p.Inserted}, {fieldUnchanged, p.Unchanged}} {
		for i := range list.els {
			buf = AppendElement(buf, list.field == fieldInserted, &list.els[i])
			if len(buf) >= 1<<16 {
				if err := flush(); err != nil {
					return fmt.Errorf("writing proof: %w", err)
				}
			}
		}
	}
	if err := flush(); err != nil {
		return fmt.Errorf("writing proof: %w", err)
	}
	return nil
}

// AppendElement appends the encoding of one element of a
// SingleAppendOnlyProof (as an inserted or an unchanged element) to b. A
// proof is the concatenation of its elements' encodings, in any order.
func AppendElement(b []byte, inserted bool, e *Element) []byte {
	val := bytes.TrimRight(e.Label.Val[:], "\x00")
	labelSize := protowire.SizeTag(fieldLabelVal) + protowire.SizeBytes(len(val)) +
		protowire.SizeTag(fieldLabelLen) + protowire.SizeVarint(uint64(e.Label.Len))
	elemSize := protowire.SizeTag(fieldLabel) + protowire.SizeBytes(labelSize) +
		protowire.SizeTag(fieldValue) + protowire.SizeBytes(len(e.Value))
	field := protowire.Number(fieldUnchanged)
	if inserted {
		field = fieldInserted
	}
	b = protowire.AppendTag(b, field, protowire.BytesType)
	b = protowire.AppendVarint(b, uint64(elemSize))
	b = protowire.AppendTag(b, fieldLabel, protowire.BytesType)
	b = protowire.AppendVarint(b, uint64(labelSize))
	b = protowire.AppendTag(b, fieldLabelVal, protowire.BytesType)
	b = protowire.AppendBytes(b, val)
	b = protowire.AppendTag(b, fieldLabelLen, protowire.VarintType)
	b = protowire.AppendVarint(b, uint64(e.Label.Len))
	b = protowire.AppendTag(b, fieldValue, protowire.BytesType)
	b = protowire.AppendBytes(b, e.Value[:])
	return b
}
