package store

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"stele/internal/s3client"
)

// upload is one background write.
type upload struct {
	key  string
	done chan struct{} // closed when err is set
	err  error
}

// writeFunc is one kind of write, run in the background or in the caller.
type writeFunc func(ctx context.Context, key string, data []byte, md Metadata) error

// Create implements [Store.Create].
func (s *S3) Create(ctx context.Context, key string, data []byte, md Metadata) error {
	return s.write(ctx, "creating", key, data, md, s.create)
}

// Put implements [Store.Put].
func (s *S3) Put(ctx context.Context, key string, data []byte, md Metadata) error {
	return s.write(ctx, "writing", key, data, md, s.put)
}

// write checks a write and starts its upload in the background. A write
// of a key already written through this store runs in the caller instead,
// so that it reports its own result (Create of other bytes must fail with
// ErrImmutable) and writes of one key land in order. A write first waits
// for the uploads in flight of keys that are the same path as key, a
// parent of it or under it, so that a store that refuses keys that are
// also prefixes keeps the first of two such writes.
func (s *S3) write(ctx context.Context, doing, key string, data []byte, md Metadata, f writeFunc) error {
	if err := CheckKey(key); err != nil {
		return err
	}
	if err := md.check(); err != nil {
		return fmt.Errorf("store: %s %s: %w", doing, key, err)
	}
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("store: %s %s: %w", doing, key, err)
	}
	for {
		if err := s.waitRelated(ctx, key); err != nil {
			return fmt.Errorf("store: %s %s: %w", doing, key, err)
		}
		select {
		case s.slots <- struct{}{}:
		case <-ctx.Done():
			return fmt.Errorf("store: %s %s: waiting for an upload slot: %w", doing, key, ctx.Err())
		}
		s.mu.Lock()
		if len(s.related(key)) > 0 {
			s.mu.Unlock()
			<-s.slots
			continue
		}
		if _, ok := s.known[key]; ok {
			s.mu.Unlock()
			<-s.slots
			return f(ctx, key, data, md)
		}
		u := &upload{key: key, done: make(chan struct{})}
		s.inflight[key] = u
		s.known[key] = struct{}{}
		s.started = append(s.started, u)
		s.mu.Unlock()
		go s.run(ctx, u, bytes.Clone(data), md, f)
		return nil
	}
}

// run performs an upload in the background and records its outcome.
func (s *S3) run(ctx context.Context, u *upload, data []byte, md Metadata, f writeFunc) {
	err := f(ctx, u.key, data, md)
	s.mu.Lock()
	u.err = err
	if s.inflight[u.key] == u {
		delete(s.inflight, u.key)
	}
	if err != nil {
		s.failed = append(s.failed, err)
	}
	s.mu.Unlock()
	close(u.done)
	<-s.slots
}

// related returns the uploads in flight of key, of its parents and of
// keys under it. s.mu must be held.
func (s *S3) related(key string) []*upload {
	var us []*upload
	for k, u := range s.inflight {
		if k == key || strings.HasPrefix(k, key+"/") || strings.HasPrefix(key, k+"/") {
			us = append(us, u)
		}
	}
	return us
}

// waitRelated waits until no upload related to key (see related) is in
// flight.
func (s *S3) waitRelated(ctx context.Context, key string) error {
	for {
		s.mu.Lock()
		us := s.related(key)
		s.mu.Unlock()
		if len(us) == 0 {
			return nil
		}
		for _, u := range us {
			select {
			case <-u.done:
			case <-ctx.Done():
				return ctx.Err()
			}
		}
	}
}

// Sync implements [Store.Sync]: it waits for every upload started before
// it and returns the errors of the uploads that failed since the last
// Sync, joined, each naming its key. S3 makes an object durable before
// answering its PUT, so there is nothing else to do.
func (s *S3) Sync(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("store: syncing: %w", err)
	}
	s.mu.Lock()
	started := slices.Clone(s.started)
	s.mu.Unlock()
	for _, u := range started {
		select {
		case <-u.done:
		case <-ctx.Done():
			return fmt.Errorf("store: syncing: waiting for uploads: %w", ctx.Err())
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	// Forget the finished uploads; keep any started since.
	running := s.started[:0]
	for _, u := range s.started {
		select {
		case <-u.done:
		default:
			running = append(running, u)
		}
	}
	clear(s.started[len(running):])
	s.started = running
	failed := s.failed
	s.failed = nil
	return errors.Join(failed...)
}

// Swap implements [Store.Swap]: it syncs, then writes the object with
// If-Match (or If-None-Match: * for etag "").
func (s *S3) Swap(ctx context.Context, key, etag string, data []byte, md Metadata) error {
	if err := CheckKey(key); err != nil {
		return err
	}
	if err := md.check(); err != nil {
		return fmt.Errorf("store: swapping %s: %w", key, err)
	}
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("store: swapping %s: %w", key, err)
	}
	if err := s.Sync(ctx); err != nil {
		return fmt.Errorf("store: swapping %s: an earlier write failed, nothing swapped: %w", key, err)
	}
	s.mu.Lock()
	s.known[key] = struct{}{}
	s.mu.Unlock()
	if etag != "" && !isETag(etag) {
		return fmt.Errorf("store: swapping %s: %q is not an ETag, so no object has it: %w", key, etag, ErrPrecondition)
	}
	return s.swap(ctx, key, etag, data, md)
}

// isETag reports whether etag is an entity tag as S3 sends one: a quoted
// string, possibly weak. "*" is not one.
func isETag(etag string) bool {
	t := strings.TrimPrefix(etag, "W/")
	return len(t) >= 2 && t[0] == '"' && t[len(t)-1] == '"' && !strings.Contains(t[1:len(t)-1], `"`)
}

// putInput is the PutObject request for an object.
func (s *S3) putInput(key string, data []byte, md Metadata) *s3.PutObjectInput {
	in := &s3.PutObjectInput{
		Bucket:        aws.String(s.bucket),
		Key:           aws.String(s.objectKey(key)),
		Body:          bytes.NewReader(data),
		ContentLength: aws.Int64(int64(len(data))),
	}
	var set []string
	if md.ContentType != "" {
		in.ContentType = aws.String(md.ContentType)
		set = append(set, mdContentType)
	}
	if md.CacheControl != "" {
		in.CacheControl = aws.String(md.CacheControl)
		set = append(set, mdCacheControl)
	}
	if md.ContentEncoding != "" {
		in.ContentEncoding = aws.String(md.ContentEncoding)
		set = append(set, mdContentEncoding)
	}
	if len(set) == 0 {
		set = append(set, mdNone)
	}
	in.Metadata = map[string]string{mdSetKey: strings.Join(set, " ")}
	return in
}

// put writes an object unconditionally.
func (s *S3) put(ctx context.Context, key string, data []byte, md Metadata) error {
	_, err := s.client.PutObject(ctx, s.putInput(key, data, md))
	if err != nil {
		return s.writeError("writing", key, err)
	}
	return nil
}

// create writes an object if the key holds none; on a conflict it reads
// the object back and compares.
func (s *S3) create(ctx context.Context, key string, data []byte, md Metadata) error {
	in := s.putInput(key, data, md)
	in.IfNoneMatch = aws.String("*")
	var err error
	// A 409 means another conditional write of the key is in progress;
	// a 412 followed by a missing object means it was deleted since. Both
	// are worth another try, a few times.
	for range 3 {
		in.Body = bytes.NewReader(data)
		_, err = s.client.PutObject(ctx, in)
		if err == nil {
			return nil
		}
		if !isPreconditionFailed(err) && !isConditionalConflict(err) {
			return s.writeError("creating", key, err)
		}
		cur, gerr := s.get(ctx, key)
		switch {
		case gerr == nil && bytes.Equal(cur.Data, data):
			return nil
		case gerr == nil:
			return s.writeError("creating", key, ErrImmutable)
		case !errors.Is(gerr, errNotExist):
			return s.writeError("creating", key, fmt.Errorf("reading back after a conflict: %w", gerr))
		}
	}
	return s.writeError("creating", key, err)
}

// swap writes an object on the condition that its ETag is etag, or that
// there is none for "".
func (s *S3) swap(ctx context.Context, key, etag string, data []byte, md Metadata) error {
	in := s.putInput(key, data, md)
	if etag == "" {
		in.IfNoneMatch = aws.String("*")
	} else {
		in.IfMatch = aws.String(etag)
	}
	actx, attempts := s3client.WithAttempts(ctx)
	_, err := s.client.PutObject(actx, in)
	if err == nil {
		return nil
	}
	if !isPreconditionFailed(err) && !isConditionalConflict(err) && !(etag != "" && isNotFound(err)) {
		return s.writeError("swapping", key, err)
	}
	if attempts.Load() > 1 {
		// An earlier attempt may have landed before its answer was lost.
		if cur, gerr := s.get(ctx, key); gerr == nil && bytes.Equal(cur.Data, data) {
			return nil
		}
	}
	return s.writeError("swapping", key, ErrPrecondition)
}

// writeError wraps the error of a write, naming the key.
func (s *S3) writeError(doing, key string, err error) error {
	if isPrefixConflict(err) {
		err = fmt.Errorf("%w (%v)", ErrPrefixConflict, err)
	}
	return &WriteError{Op: doing, Key: key, Location: s.where, Err: err}
}
