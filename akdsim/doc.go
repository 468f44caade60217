// Package akdsim simulates an AKD key directory and writes its audit
// proofs as a proof bucket would hold them, for stele's demo, tests and
// benchmarks.
//
// The directory is a real AKD tree (spec/akd-audit.md): random 256-bit
// labels, leaves bound to the epoch that inserted them, and for every
// update of an existing user a stale-marker leaf beside the fresh one, as
// akd does. Every epoch's proof holds the maximal subtrees untouched by the
// epoch as unchanged elements and the epoch's new leaves as inserted ones.
//
// # Layout of a directory
//
//	DIR/root                     the anchor, "<epoch>/<hex root>"
//	DIR/<E>/<hex prev>/<hex cur> the proof of the step E-1 -> E
//	DIR/.akdsim/params.json      what the tree is re-derived from
//
// The tree is not stored: it is re-derived from the parameters (seed,
// initial users, updates per epoch), so a directory extended by N epochs
// and then M more holds the same bytes as one made with N+M at once.
//
// # Sizes
//
// A step's proof has about K·(log2(U/K)+3) elements for K updates in a
// directory of U users. A proof near Messenger's size (3.4 million
// elements, 215 MB) comes from
//
//	stele akd gen -dir D -config whatsapp_v1 -users 8000000 -updates 600000 -epochs 1
//
// which takes about 5 minutes and 6.3 GB of memory on a 2-core machine.
package akdsim
