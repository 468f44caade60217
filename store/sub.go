package store

import (
	"context"
	"fmt"
	"strings"
)

// Sub returns the view of s in which every key is prefixed by prefix, such
// as one log's "logs/<namespace>/". A prefix without a trailing slash gets
// one; an empty prefix returns s itself. Sync and Swap act on s as a whole:
// a Swap through the view makes every earlier write to s durable. If no
// valid key can start with prefix, every method of the view fails with an
// error wrapping ErrInvalidKey.
func Sub(s Store, prefix string) Store {
	if prefix == "" {
		return s
	}
	if !strings.HasSuffix(prefix, "/") {
		prefix += "/"
	}
	v := &sub{s: s, prefix: prefix}
	if inner, ok := s.(*subReader); ok {
		s = inner.sub
	}
	if inner, ok := s.(*sub); ok {
		v = &sub{s: inner.s, prefix: inner.prefix + prefix, err: inner.err}
	}
	if err := CheckKey(v.prefix + "x"); err != nil && v.err == nil {
		v.err = fmt.Errorf("store: view prefix %q: %w", v.prefix, ErrInvalidKey)
	}
	if _, ok := v.s.(dataReader); ok {
		return &subReader{v}
	}
	return v
}

// dataReader is what a store offers for cheap reads of local objects (see
// Dir.AppendData and Dir.RecordedMetadata); a view forwards it only when
// the store under it has it.
type dataReader interface {
	AppendData(ctx context.Context, key string, buf []byte) ([]byte, error)
	RecordedMetadata(ctx context.Context, key string) (Metadata, error)
}

// subReader is a view of a store with cheap reads.
type subReader struct{ *sub }

var _ dataReader = (*subReader)(nil)

func (v *subReader) AppendData(ctx context.Context, key string, buf []byte) ([]byte, error) {
	k, err := v.key(key)
	if err != nil {
		return buf, err
	}
	return v.s.(dataReader).AppendData(ctx, k, buf)
}

func (v *subReader) RecordedMetadata(ctx context.Context, key string) (Metadata, error) {
	k, err := v.key(key)
	if err != nil {
		return Metadata{}, err
	}
	return v.s.(dataReader).RecordedMetadata(ctx, k)
}

type sub struct {
	s      Store
	prefix string
	err    error // an invalid prefix
}

var _ Store = (*sub)(nil)

// key checks a key of the view and returns the key in s.
func (v *sub) key(key string) (string, error) {
	if v.err != nil {
		return "", v.err
	}
	if err := CheckKey(key); err != nil {
		return "", err
	}
	return v.prefix + key, nil
}

func (v *sub) Get(ctx context.Context, key string) (Object, error) {
	k, err := v.key(key)
	if err != nil {
		return Object{}, err
	}
	return v.s.Get(ctx, k)
}

func (v *sub) Create(ctx context.Context, key string, data []byte, md Metadata) error {
	k, err := v.key(key)
	if err != nil {
		return err
	}
	return v.s.Create(ctx, k, data, md)
}

func (v *sub) Put(ctx context.Context, key string, data []byte, md Metadata) error {
	k, err := v.key(key)
	if err != nil {
		return err
	}
	return v.s.Put(ctx, k, data, md)
}

func (v *sub) Swap(ctx context.Context, key, etag string, data []byte, md Metadata) error {
	k, err := v.key(key)
	if err != nil {
		return err
	}
	return v.s.Swap(ctx, k, etag, data, md)
}

func (v *sub) List(ctx context.Context, prefix string) ([]string, error) {
	if v.err != nil {
		return nil, v.err
	}
	if err := checkPrefix(prefix); err != nil {
		return nil, err
	}
	keys, err := v.s.List(ctx, v.prefix+prefix)
	if err != nil {
		return nil, err
	}
	out := keys[:0]
	for _, k := range keys {
		if rest, ok := strings.CutPrefix(k, v.prefix); ok {
			out = append(out, rest)
		}
	}
	return out, nil
}

func (v *sub) Sync(ctx context.Context) error {
	if v.err != nil {
		return v.err
	}
	return v.s.Sync(ctx)
}
