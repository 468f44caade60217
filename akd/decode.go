package akd

import (
	"bufio"
	"errors"
	"fmt"
	"io"

	"google.golang.org/protobuf/encoding/protowire"
)

// Limits bound what a decoder accepts. A zero field takes its default.
type Limits struct {
	// MaxElements bounds inserted plus unchanged elements (default
	// 1<<23, about 8.4 million: twice the largest proof seen, and about
	// 550 MB of memory while verifying).
	MaxElements int
	// MaxBytes bounds the encoded size (default 1 GiB).
	MaxBytes int64
}

const (
	defaultMaxElements = 1 << 23
	defaultMaxBytes    = 1 << 30
	// maxElementBytes bounds one encoded AzksElement. A canonical one is at
	// most 79 bytes; the slack allows unknown fields without allowing a
	// length prefix to make the decoder buffer much.
	maxElementBytes = 1 << 12
	maxLabelBits    = 256
)

func (l Limits) withDefaults() Limits {
	if l.MaxElements <= 0 {
		l.MaxElements = defaultMaxElements
	}
	if l.MaxBytes <= 0 {
		l.MaxBytes = defaultMaxBytes
	}
	return l
}

// Decode reads one SingleAppendOnlyProof from r into flat arrays, with
// akd's rules: both label fields present, label_len at most 256,
// label_val at most 32 bytes (right-padded with zeros), value exactly 32
// bytes. Unknown fields are skipped, as protobuf requires. Any failure to
// decode, an empty input and any exceeded limit are a *MalformedError;
// errors of r itself are returned wrapped as they are.
func Decode(r io.Reader, limits Limits) (*Proof, error) {
	p := new(Proof)
	_, err := decodeStream(r, limits, func(inserted bool, e *Element) error {
		if inserted {
			p.Inserted = append(p.Inserted, *e)
		} else {
			p.Unchanged = append(p.Unchanged, *e)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return p, nil
}

// errReader marks an error of the underlying reader, which is not a
// decoding error (the caller's transfer failed).
type errReader struct{ err error }

func (e *errReader) Error() string { return e.err.Error() }
func (e *errReader) Unwrap() error { return e.err }

// countingReader counts the bytes read and keeps the reader's own errors
// apart from decoding errors.
type countingReader struct {
	r   io.Reader
	n   int64
	err error
}

func (c *countingReader) Read(p []byte) (int, error) {
	if c.err != nil {
		return 0, c.err
	}
	n, err := c.r.Read(p)
	c.n += int64(n)
	if err != nil && err != io.EOF {
		c.err = err
	}
	return n, err
}

// decodeStream decodes a proof from r and calls emit for every element in
// the order of the encoding. It returns the number of bytes read.
func decodeStream(r io.Reader, limits Limits, emit func(inserted bool, e *Element) error) (int64, error) {
	cr := &countingReader{r: r}
	return decodeFrom(cr, cr, 1<<20, limits, 0, 0, emit)
}

// decodeFrom decodes the rest of a proof from src, of which consumed
// bytes holding count elements were already decoded; cr is the reader
// whose errors are the transfer's (src reads from it, perhaps after
// buffered bytes), through a buffer of bufSize bytes. It returns the
// bytes consumed in all.
func decodeFrom(cr *countingReader, src io.Reader, bufSize int, limits Limits, consumed int64, count int, emit func(inserted bool, e *Element) error) (int64, error) {
	limits = limits.withDefaults()
	br := bufio.NewReaderSize(src, max(bufSize, maxElementBytes+16))
	var e Element
	fail := func(err error) (int64, error) {
		if cr.err != nil {
			return consumed, fmt.Errorf("reading proof: %w", &errReader{cr.err})
		}
		if errors.Is(err, io.EOF) {
			err = io.ErrUnexpectedEOF
		}
		return consumed, &MalformedError{Err: fmt.Errorf("at byte %d: %w", consumed, err)}
	}
	for {
		// The fast path: a canonical element whose length fits one byte,
		// parsed in the reader's buffer.
		if b, _ := br.Peek(2 + 0x7f); len(b) >= 2 && (b[0] == fieldInserted<<3|2 || b[0] == fieldUnchanged<<3|2) &&
			b[1] < 0x80 && 2+int(b[1]) <= len(b) && parseCanonical(b[2:2+int(b[1])], &e) {
			size := 2 + int64(b[1])
			if consumed+size > limits.MaxBytes {
				return consumed, &MalformedError{Err: fmt.Errorf("%w: more than %d bytes", ErrTooLarge, limits.MaxBytes)}
			}
			inserted := b[0] == fieldInserted<<3|2
			br.Discard(int(size))
			consumed += size
			count++
			if count > limits.MaxElements {
				return consumed, &MalformedError{Err: fmt.Errorf("%w: more than %d elements", ErrTooLarge, limits.MaxElements)}
			}
			if err := emit(inserted, &e); err != nil {
				return consumed, err
			}
			continue
		}
		tag, n, err := readUvarint(br)
		if err == io.EOF && n == 0 {
			break
		}
		if err != nil {
			return fail(fmt.Errorf("reading a field tag: %w", err))
		}
		num, typ := protowire.DecodeTag(tag)
		if num < protowire.MinValidNumber || num > protowire.MaxValidNumber {
			return fail(fmt.Errorf("invalid field number %d", num))
		}
		consumed += int64(n)
		var size uint64
		switch typ {
		case protowire.VarintType:
			_, n, err = readUvarint(br)
		case protowire.Fixed32Type:
			n, err = br.Discard(4)
		case protowire.Fixed64Type:
			n, err = br.Discard(8)
		case protowire.BytesType:
			size, n, err = readUvarint(br)
		default:
			return fail(fmt.Errorf("field %d: unsupported wire type %d", num, typ))
		}
		consumed += int64(n)
		if err != nil {
			return fail(fmt.Errorf("field %d: %w", num, err))
		}
		if (num == fieldInserted || num == fieldUnchanged) && typ != protowire.BytesType {
			return fail(fmt.Errorf("field %d has wire type %d", num, typ))
		}
		if typ == protowire.BytesType {
			if size > uint64(limits.MaxBytes) || consumed+int64(size) > limits.MaxBytes {
				return consumed, &MalformedError{Err: fmt.Errorf("%w: more than %d bytes", ErrTooLarge, limits.MaxBytes)}
			}
			if num != fieldInserted && num != fieldUnchanged {
				d, err := br.Discard(int(size))
				consumed += int64(d)
				if err != nil {
					return fail(fmt.Errorf("skipping field %d: %w", num, err))
				}
				continue
			}
			if size > maxElementBytes {
				return fail(fmt.Errorf("element of %d bytes (at most %d)", size, maxElementBytes))
			}
			buf, err := br.Peek(int(size))
			if err != nil {
				return fail(fmt.Errorf("reading an element: %w", err))
			}
			if err := parseElement(buf, &e); err != nil {
				return fail(fmt.Errorf("element %d: %w", count, err))
			}
			br.Discard(int(size))
			consumed += int64(size)
			count++
			if count > limits.MaxElements {
				return consumed, &MalformedError{Err: fmt.Errorf("%w: more than %d elements", ErrTooLarge, limits.MaxElements)}
			}
			if err := emit(num == fieldInserted, &e); err != nil {
				return consumed, err
			}
		}
		if consumed > limits.MaxBytes {
			return consumed, &MalformedError{Err: fmt.Errorf("%w: more than %d bytes", ErrTooLarge, limits.MaxBytes)}
		}
	}
	if cr.err != nil {
		return consumed, fmt.Errorf("reading proof: %w", &errReader{cr.err})
	}
	if count == 0 {
		return consumed, &MalformedError{Err: ErrEmpty}
	}
	return consumed, nil
}

// readUvarint reads a protobuf varint, returning the bytes consumed.
func readUvarint(br *bufio.Reader) (uint64, int, error) {
	var x uint64
	for i := 0; i < 10; i++ {
		b, err := br.ReadByte()
		if err != nil {
			if i > 0 && err == io.EOF {
				err = io.ErrUnexpectedEOF
			}
			return 0, i, err
		}
		if i == 9 && b > 1 {
			return 0, i + 1, errors.New("varint overflows 64 bits")
		}
		x |= uint64(b&0x7f) << (7 * i)
		if b < 0x80 {
			return x, i + 1, nil
		}
	}
	return 0, 10, errors.New("varint overflows 64 bits")
}

// parseElement decodes one AzksElement. Repeated occurrences of a field
// follow protobuf: the last scalar wins, messages merge.
func parseElement(b []byte, e *Element) error {
	if parseCanonical(b, e) {
		return nil
	}
	*e = Element{}
	var haveLabel, haveVal, haveLen, haveValue bool
	for len(b) > 0 {
		num, typ, n := protowire.ConsumeTag(b)
		if n < 0 {
			return fmt.Errorf("AzksElement: %w", protowire.ParseError(n))
		}
		b = b[n:]
		switch {
		case num == fieldLabel && typ == protowire.BytesType:
			v, n := protowire.ConsumeBytes(b)
			if n < 0 {
				return fmt.Errorf("AzksElement.label: %w", protowire.ParseError(n))
			}
			b = b[n:]
			haveLabel = true
			if err := parseLabel(v, &e.Label, &haveVal, &haveLen); err != nil {
				return err
			}
		case num == fieldValue && typ == protowire.BytesType:
			v, n := protowire.ConsumeBytes(b)
			if n < 0 {
				return fmt.Errorf("AzksElement.value: %w", protowire.ParseError(n))
			}
			b = b[n:]
			if len(v) != 32 {
				return fmt.Errorf("AzksElement.value is %d bytes, want 32", len(v))
			}
			copy(e.Value[:], v)
			haveValue = true
		case num == fieldLabel || num == fieldValue:
			return fmt.Errorf("AzksElement field %d has wire type %d", num, typ)
		default:
			n := protowire.ConsumeFieldValue(num, typ, b)
			if n < 0 {
				return fmt.Errorf("AzksElement field %d: %w", num, protowire.ParseError(n))
			}
			b = b[n:]
		}
	}
	switch {
	case !haveLabel:
		return errors.New("AzksElement.label missing")
	case !haveVal:
		return errors.New("NodeLabel.label_val missing")
	case !haveLen:
		return errors.New("NodeLabel.label_len missing")
	case !haveValue:
		return errors.New("AzksElement.value missing")
	}
	return nil
}

// parseCanonical decodes an AzksElement encoded the way akd (and Encode)
// writes it: label {label_val, label_len}, then value, each field once,
// in field order. It reports false, leaving the work to the general
// parser, for anything else; what it accepts, the general parser decodes
// the same way.
func parseCanonical(b []byte, e *Element) bool {
	// 0x0a len | 0x0a n val[n] 0x10 varint(len) | 0x12 0x20 value[32]
	if len(b) < 2+2+2+2+32 || b[0] != fieldLabel<<3|2 || b[1] >= 0x80 {
		return false
	}
	end := 2 + int(b[1])
	if end+2+32 != len(b) || b[end] != fieldValue<<3|2 || b[end+1] != 32 {
		return false
	}
	label := b[2:end]
	if len(label) < 4 || label[0] != fieldLabelVal<<3|2 || label[1] > 32 {
		return false
	}
	n := int(label[1])
	rest := label[2:]
	if len(rest) < n+2 || rest[n] != fieldLabelLen<<3|0 {
		return false
	}
	var bitLen uint32
	switch v := rest[n+1:]; {
	case len(v) == 1 && v[0] < 0x80:
		bitLen = uint32(v[0])
	case len(v) == 2 && v[0] >= 0x80 && v[1] < 0x80:
		bitLen = uint32(v[0]&0x7f) | uint32(v[1])<<7
	default:
		return false
	}
	if bitLen > maxLabelBits {
		return false
	}
	e.Label.Val = [32]byte{}
	copy(e.Label.Val[:], rest[:n])
	e.Label.Len = bitLen
	e.Value = [32]byte(b[end+2:])
	return true
}

func parseLabel(b []byte, l *Label, haveVal, haveLen *bool) error {
	for len(b) > 0 {
		num, typ, n := protowire.ConsumeTag(b)
		if n < 0 {
			return fmt.Errorf("NodeLabel: %w", protowire.ParseError(n))
		}
		b = b[n:]
		switch {
		case num == fieldLabelVal && typ == protowire.BytesType:
			v, n := protowire.ConsumeBytes(b)
			if n < 0 {
				return fmt.Errorf("NodeLabel.label_val: %w", protowire.ParseError(n))
			}
			b = b[n:]
			if len(v) > 32 {
				return fmt.Errorf("NodeLabel.label_val is %d bytes, at most 32", len(v))
			}
			l.Val = [32]byte{}
			copy(l.Val[:], v)
			*haveVal = true
		case num == fieldLabelLen && typ == protowire.VarintType:
			v, n := protowire.ConsumeVarint(b)
			if n < 0 {
				return fmt.Errorf("NodeLabel.label_len: %w", protowire.ParseError(n))
			}
			b = b[n:]
			if v > maxLabelBits {
				return fmt.Errorf("NodeLabel.label_len is %d, at most %d", v, maxLabelBits)
			}
			l.Len = uint32(v)
			*haveLen = true
		case num == fieldLabelVal || num == fieldLabelLen:
			return fmt.Errorf("NodeLabel field %d has wire type %d", num, typ)
		default:
			n := protowire.ConsumeFieldValue(num, typ, b)
			if n < 0 {
				return fmt.Errorf("NodeLabel field %d: %w", num, protowire.ParseError(n))
			}
			b = b[n:]
		}
	}
	return nil
}
