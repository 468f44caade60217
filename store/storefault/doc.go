// Package storefault wraps a [store.Store] to inject failures, for tests of
// the code that writes through it: the crash-safety argument of stele's
// design ("Writing safely" in the specification) is that an interruption at
// any write leaves a site the next run completes, and this package produces
// those interruptions one write at a time.
//
// # The two crash points
//
// A real store can fail a write at two moments that the writer cannot tell
// apart, and both are injected:
//
//   - [Before]: the request never reached the store. The inner store is not
//     called and nothing is persisted.
//   - [After]: the request was carried out but its answer was lost (a
//     connection reset after an S3 PUT, a process killed after rename). The
//     inner call succeeds, the inner store is synced so the write is
//     durable, and the caller still sees an error.
//
// Every write call (Create, Put, Swap, Sync) gets a sequence number counted
// from 1, in the order the calls reach the wrapper; every read call (Get,
// List) gets one of its own. A [Plan] looks at each call and decides
// whether it fails and how. The usual test runs the code once with no plan
// to learn the number of writes N from [Store.Writes], then for each k in
// 1..N and each mode runs it again on a fresh copy with [FailWrite] or
// [CrashAt] at k, and checks that a clean run afterwards repairs the site.
// Numbering is deterministic only when the code under test writes from one
// goroutine at a time.
//
// Injected errors wrap [ErrInjected] (and are a [*Fault]), so a test can
// tell them from the errors of the inner store.
//
// # An object store in memory
//
// [Mem] is a store that behaves as S3 does (every write durable when it
// returns) and copies itself for free with [Mem.Clone], so that a test can
// snapshot a site once and run hundreds of crash points against copies of
// it. Wrap a [store.Dir] instead to test the directory store's deferred
// visibility and syncs.
package storefault
