package store

import (
	"bytes"
	"compress/gzip"
	"context"
	"errors"
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
