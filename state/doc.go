// Package state is rosterd's store: the committed roster of every
// connection, the source cursor each run resumes from, and the history of
// runs with their reports, kept in one bbolt file.
//
// # Layout
//
//	meta/
//	    version                     -> "1" (raw decimal bytes: the schema version)
//	connections/
//	    <name>/                     one bucket per connection, created by its first commit
//	                                or SaveRaw
//	        roster/
//	            <kind>/             one bucket per roster.Kind, created by its first put
//	                <id>            -> record (internal/codec format)
//	        head                    -> JSON {run_id, committed_at}: the run whose commit
//	                                   last changed the roster
//	        cursor                  -> opaque bytes from the source (a Clever event ID)
//	        raw/                    the last roster the source fetched, before sharing
//	                                rules: one zstd stream of framed records (raw.go)
//	            <8-byte big-endian chunk number, from 0>
//	                                -> 1 MiB of the stream (the last chunk less)
//	        raw_info                -> JSON {format, fetched, counts, chunks, bytes,
//	                                   stream_bytes}: describes raw/
//	runs/                           sequence = the last run ID handed out
//	    <8-byte big-endian run ID>  -> JSON run record
//	reports/
//	    <8-byte big-endian run ID>  -> report bytes, as the caller wrote them
//
// Open creates the top-level buckets and meta/version in one transaction
// and refuses a file written by a newer schema.
//
// # Invariants
//
//   - A commit is one bbolt write transaction holding the roster change,
//     the new head, the cursor, the run record and its report. A process
//     that dies at any moment leaves either the old roster or the new one,
//     never a mix, and a run record exists exactly when its write landed.
//   - A commit writes only what its roster.Change names. A change with
//     nothing in it leaves the roster buckets and the head untouched, so a
//     run that changed nothing rewrites nothing.
//   - A commit names the head it was computed against; when the head has
//     moved since, nothing is written (ErrConflict).
//   - Run IDs come from NextRunID, increase, and are never reused.
//   - The raw roster is not part of a commit: SaveRaw replaces raw/ and
//     raw_info together in a write transaction of its own and touches
//     nothing else, so it gives the connection no head and Connections
//     does not list it.
//
// # Caveats
//
// Byte slices returned by a Snapshot point into bbolt's memory map: they
// are valid only inside the View call that produced them and must never be
// written to. Everything else the Store returns is a copy.
//
// Do not call a writing method from inside View: a large commit may need
// to grow the memory map, which waits for every read transaction to end.
//
// The package imports only the standard library, bbolt, roster,
// internal/codec and klauspost/compress/zstd.
package state
