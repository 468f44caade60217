package source

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"net/url"
)

// ErrListing is wrapped by the errors of [ParseListing].
var ErrListing = errors.New("source: malformed bucket listing")

// Listing is one page of an S3 ListObjectsV2 answer
// (ListBucketResult), as much of it as a source needs.
type Listing struct {
	// Keys and Sizes of the objects listed, in the order listed.
	Keys  []string
	Sizes []int64
	// Truncated says more pages follow; NextToken is the continuation
	// token that asks for the next one.
	Truncated bool
	NextToken string
}

type listBucketResult struct {
	XMLName               xml.Name `xml:"ListBucketResult"`
	IsTruncated           bool     `xml:"IsTruncated"`
	NextContinuationToken string   `xml:"NextContinuationToken"`
	EncodingType          string   `xml:"EncodingType"`
	Contents              []struct {
		Key  *string `xml:"Key"`
		Size *int64  `xml:"Size"`
	} `xml:"Contents"`
}

// ParseListing parses the XML body of a ListObjectsV2 answer. Keys are
// URL-decoded when the answer says EncodingType url. A truncated page
// without a continuation token, an object without a key, a negative size
// or anything that is not a ListBucketResult is an error wrapping
// [ErrListing]. An object without a size has size -1.
func ParseListing(body []byte) (*Listing, error) {
	var r listBucketResult
	dec := xml.NewDecoder(bytes.NewReader(body))
	if err := dec.Decode(&r); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrListing, err)
	}
	l := &Listing{Truncated: r.IsTruncated, NextToken: r.NextContinuationToken}
	if l.Truncated && l.NextToken == "" {
		return nil, fmt.Errorf("%w: a truncated page without a continuation token", ErrListing)
	}
	for _, c := range r.Contents {
		if c.Key == nil {
			return nil, fmt.Errorf("%w: an object without a key", ErrListing)
		}
		k := *c.Key
		if r.EncodingType == "url" {
			var err error
			if k, err = url.QueryUnescape(k); err != nil {
				return nil, fmt.Errorf("%w: key %q: %v", ErrListing, *c.Key, err)
			}
		}
		size := int64(-1)
		if c.Size != nil {
			if *c.Size < 0 {
				return nil, fmt.Errorf("%w: key %q has size %d", ErrListing, k, *c.Size)
			}
			size = *c.Size
		}
		l.Keys = append(l.Keys, k)
		l.Sizes = append(l.Sizes, size)
	}
	return l, nil
}

// AppendXML appends l as a ListBucketResult document that ParseListing
// reads back, as a server would answer.
func (l *Listing) AppendXML(b []byte) ([]byte, error) {
	type content struct {
		Key  string `xml:"Key"`
		Size *int64 `xml:"Size,omitempty"`
	}
	out := struct {
		XMLName               xml.Name  `xml:"ListBucketResult"`
		IsTruncated           bool      `xml:"IsTruncated"`
		NextContinuationToken string    `xml:"NextContinuationToken,omitempty"`
		Contents              []content `xml:"Contents"`
	}{IsTruncated: l.Truncated, NextContinuationToken: l.NextToken}
	if len(l.Sizes) != len(l.Keys) {
		return nil, errors.New("source: listing with as many sizes as keys")
	}
	for i, k := range l.Keys {
		c := content{Key: k}
		if l.Sizes[i] >= 0 {
			c.Size = &l.Sizes[i]
		}
		out.Contents = append(out.Contents, c)
	}
	x, err := xml.Marshal(out)
	if err != nil {
		return nil, fmt.Errorf("source: encoding a listing: %w", err)
	}
	return append(append(b, xml.Header...), x...), nil
}
