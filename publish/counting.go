package publish

import (
	"context"
	"sync/atomic"

	"stele/store"
)

// Requests counts requests by kind. For a store or source that counts
// the requests it really sends (S3, an HTTPS bucket: store.RequestCounter)
// these are those, retries included; for a local directory, the store
// calls, by the kind of request they would be.
type Requests struct {
	GET  int64 `json:"GET"`
	PUT  int64 `json:"PUT"`
	LIST int64 `json:"LIST"`
	HEAD int64 `json:"HEAD"`
}

// requestsOf reads a counter's totals, or false when v counts nothing.
func requestsOf(v any) (Requests, bool) {
	c, ok := v.(store.RequestCounter)
	if !ok {
		return Requests{}, false
	}
	m := c.Requests()
	return Requests{GET: m["GET"], PUT: m["PUT"], LIST: m["LIST"], HEAD: m["HEAD"]}, true
}

// countingStore counts the calls made through it and the objects written.
type countingStore struct {
	store.Store
	get, put, list, written atomic.Int64
}

func newCountingStore(s store.Store) *countingStore { return &countingStore{Store: s} }

func (c *countingStore) Get(ctx context.Context, key string) (store.Object, error) {
	c.get.Add(1)
	return c.Store.Get(ctx, key)
}

func (c *countingStore) Create(ctx context.Context, key string, data []byte, md store.Metadata) error {
	c.put.Add(1)
	err := c.Store.Create(ctx, key, data, md)
	if err == nil {
		c.written.Add(1)
	}
	return err
}

func (c *countingStore) Put(ctx context.Context, key string, data []byte, md store.Metadata) error {
	c.put.Add(1)
	err := c.Store.Put(ctx, key, data, md)
	if err == nil {
		c.written.Add(1)
	}
	return err
}

func (c *countingStore) Swap(ctx context.Context, key, etag string, data []byte, md store.Metadata) error {
	c.put.Add(1)
	err := c.Store.Swap(ctx, key, etag, data, md)
	if err == nil {
		c.written.Add(1)
	}
	return err
}

func (c *countingStore) List(ctx context.Context, prefix string) ([]string, error) {
	c.list.Add(1)
	return c.Store.List(ctx, prefix)
}

// snapshot returns the counts so far.
func (c *countingStore) snapshot() (Requests, int64) {
	return Requests{GET: c.get.Load(), PUT: c.put.Load(), LIST: c.list.Load()}, c.written.Load()
}

func (r Requests) sub(o Requests) Requests {
	return Requests{GET: r.GET - o.GET, PUT: r.PUT - o.PUT, LIST: r.LIST - o.LIST, HEAD: r.HEAD - o.HEAD}
}
