package store

import (
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
)

// TestHTTPCutCloseDelimited serves a gzip body with no length that ends
// early, as a connection cut mid-transfer looks: a transfer error to
// retry, not ErrCorruptEncoding (evidence). The same cut body with a
// Content-Length is a short transfer too; the whole body decodes.
func TestHTTPCutCloseDelimited(t *testing.T) {
	var z bytes.Buffer
	zw := gzip.NewWriter(&z)
	zw.Write(bytes.Repeat([]byte("entry\n"), 2000))
	zw.Close()
	body := z.Bytes()
	cut := body[:len(body)/2]
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		conn, buf, err := w.(http.Hijacker).Hijack()
		if err != nil {
			t.Error(err)
			return
		}
		defer conn.Close()
		buf.WriteString("HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\nConnection: close\r\n\r\n")
		if r.URL.Path == "/whole" {
			buf.Write(body)
		} else {
			buf.Write(cut)
		}
		buf.Flush()
	}))
	defer srv.Close()
	h, err := NewHTTP(srv.URL, nil)
	if err != nil {
		t.Fatal(err)
	}
	_, err = h.Get(context.Background(), "cut")
	if err == nil || errors.Is(err, ErrCorruptEncoding) {
		t.Errorf("a cut close-delimited gzip body: %v, want a transfer error", err)
	}
	if obj, err := h.Get(context.Background(), "whole"); err != nil || len(obj.Data) != 12000 {
		t.Errorf("the whole body: %d bytes, %v", len(obj.Data), err)
	}
}

// TestHTTPCutTile serves a hash tile shorter than its name says: with no
// length in the response that may be a cut connection (a transfer error);
// with a Content-Length it is the tile as published (bytes to judge).
func TestHTTPCutTile(t *testing.T) {
	short := bytes.Repeat([]byte{7}, 3*32)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/tile/0/000.p/5" {
			w.Write(short) // small: sent with a Content-Length
			return
		}
		conn, buf, err := w.(http.Hijacker).Hijack()
		if err != nil {
			t.Error(err)
			return
		}
		defer conn.Close()
		buf.WriteString("HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n")
		buf.Write(short)
		buf.Flush()
	}))
	defer srv.Close()
	h, err := NewHTTP(srv.URL, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := h.Get(context.Background(), "logs/ns/tile/0/000.p/5"); !errors.Is(err, io.ErrUnexpectedEOF) {
		t.Errorf("a short close-delimited tile: %v, want a transfer error", err)
	}
	if obj, err := h.Get(context.Background(), "tile/0/000.p/5"); err != nil || len(obj.Data) != len(short) {
		t.Errorf("a short tile with its length: %d bytes, %v", len(obj.Data), err)
	}
}
