// Package s3e2e holds stele's end-to-end tests and benchmark on object
// storage: the stele binary publishing to a real S3 server (versitygw,
// started by package s3test), verifying from s3:// and from the bucket's
// anonymous HTTP endpoint, reading proofs through the S3 and HTTPS
// sources, two publishers racing on one bucket, and runs through a
// fault-injecting proxy. They implement the tests of stele.md's "Writing
// safely" and "S3 locations" sections against a real server. The package
// has no code of its own besides this comment.
package s3e2e
