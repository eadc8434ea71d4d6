// Package state is rosterd's store: the committed roster of every
// connection, the source cursor each run resumes from, the history of
// runs with their reports, the undo logs that rebuild the roster as any
// past run left it, and the changes of held runs awaiting an operator,
// kept in one bbolt file.
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
//	        reuse                   -> opaque bytes from the engine: which run's rules and
//	                                   preflight result a run with the same inputs may
//	                                   reuse (reuse.go)
//	        raw/                    the last roster the source fetched, before sharing
//	                                rules: one stream of framed records, compressed
//	                                as S2 streams of 1 MiB of it each (raw.go)
//	            <8-byte big-endian chunk number, from 0>
//	                                -> 1 MiB of the stream (the last chunk less)
//	        raw_info                -> JSON {format, fetched, counts, chunks, bytes,
//	                                   stream_bytes, fingerprint, checkpoint_every,
//	                                   checkpoints, compression, chunks_hash}:
//	                                   describes raw/; compression is "s2", or
//	                                   absent for zstd
//	                                   (raw_fingerprint.go)
//	        undo/                   one log per commit that changed the roster (undo.go)
//	            <8-byte big-endian run ID>/
//	                base            -> 8-byte big-endian: the head the commit replaced
//	                <kind>/         the before-images of the kind's records the commit
//	                                changed, in key order
//	                    <id>        -> the record's bytes before the commit, or empty
//	                                   (a tombstone): the commit added the record
//	                <kind>          -> "empty", in place of the bucket: the kind held no
//	                                   records before (a first sync); undoing empties it
//	        pruned                  -> 8-byte big-endian: the newest of the connection's
//	                                   runs Prune deleted
//	        shadow/                 a large write's work in progress (batch.go); only
//	                                while it runs, or after a process died in one
//	            roster/<kind>/      a commit's new records, for each kind it changes
//	            undo/<run ID>/      its undo log, as under undo/
//	            staged/<run ID>/    a large Stage's change, as under staged/
//	runs/                           sequence = the last run ID handed out
//	    <8-byte big-endian run ID>  -> JSON run record {id, connection, source, mode,
//	                                   verdict, error, started, finished, added, updated,
//	                                   deleted, errors, warnings, decision, decided_by,
//	                                   decided_at, rollback_to}; absent fields are zero
//	reports/
//	    <8-byte big-endian run ID>  -> report bytes, as the caller wrote them
//	staged/                         the changes of held runs (staged.go)
//	    <8-byte big-endian run ID>/
//	        info                    -> JSON {connection, base, cursor}: cursor is base64,
//	                                   null to keep the stored one
//	        <kind>/
//	            <id>                -> the record to put, or empty (a tombstone): delete
//
// Open creates the top-level buckets and meta/version in one transaction
// and refuses a file written by a newer schema. A file written before
// held runs lacks staged/: Open adds it when opening for writing, and a
// read-only Store treats it as empty.
//
// # Invariants
//
//   - A commit is one bbolt write transaction holding the roster change,
//     its undo log, the new head, the cursor, the run record and its
//     report. A process
//     that dies at any moment leaves either the old roster or the new one,
//     never a mix, and a run record exists exactly when its write landed.
//   - A large commit (over bigChangeWrites writes or bigChangeBytes bytes)
//     first writes the new contents of each kind it changes, and its undo
//     log, into the connection's shadow/, in write transactions of bounded
//     size, because bbolt holds every page a transaction dirties on the
//     heap until it commits. Its last transaction is the commit: it checks
//     the head again, replaces each roster/<kind> with shadow/roster/<kind>
//     and moves the undo log into undo/, writes head, cursor, run record
//     and report, and deletes shadow/. Nothing reads shadow/: until that
//     transaction lands the roster is the old one, and a shadow left by a
//     process that died is deleted by the next large commit or the next
//     Open for writing (a read-only Store leaves it and ignores it). One
//     large commit runs at a time. A large Stage is written the same way,
//     and its last transaction records the run and moves the change to
//     staged/.
//   - A commit writes only what its roster.Change names. A change with
//     nothing in it leaves the roster buckets and the head untouched, so a
//     run that changed nothing rewrites nothing.
//   - A commit names the head it was computed against; when the head has
//     moved since, nothing is written (ErrConflict).
//   - A commit that changes the roster writes, in the same transaction,
//     its undo log: for every record it put or deleted, the bytes it had
//     before, or a tombstone when it was absent; a put of the same bytes
//     and a delete of an absent record leave none. A record added to a
//     kind that was empty costs nothing: the log says "empty" once for
//     the kind. Each log names the head it replaced, so the logs chain
//     from the head down; RosterAt walks the chain and fails with
//     ErrHistoryPruned at a missing link (a pruned log, or a commit from
//     before undo logs) rather than rebuild a wrong roster.
//   - A held run's change is staged, with its run record, in one
//     transaction that leaves the roster, head and cursor alone.
//     CommitStaged commits it exactly as Commit would, checking the
//     staged base against the head; it and DropStaged replace the run
//     record and drop the staged change in the same transaction, so a
//     staged change exists exactly while its run awaits a decision (or
//     until Prune deletes the run).
//   - Prune deletes whole runs (record, report, staged change, undo log)
//     but never a connection's head, nor a staged change younger than the
//     age limit, and it drops the undo logs the chain no longer reaches.
//   - Run IDs come from NextRunID, increase, and are never reused.
//   - The raw roster is not part of a commit: SaveRaw replaces raw/ and
//     raw_info together in a write transaction of its own and touches
//     nothing else, so it gives the connection no head and Connections
//     does not list it. A roster that encodes to the stream already kept
//     rewrites raw_info alone. StartRaw begins the same save while a
//     fetch is still making the roster, and writes only in Finish, so a
//     fetch that fails (Abort) leaves raw/ as it was.
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
// A large commit copies every record it leaves alone in the kinds it
// changes into the shadow, so rewriting a fifth of a large kind writes
// the whole kind, and the file holds both copies until the swap frees the
// old one. A first sync has nothing to copy.
//
// An undo log copies the old bytes of every record its commit updates or
// deletes, so such a commit writes those records twice: rewriting every
// user of the medium synth district (88k records) grows the file by
// 43 MB more than the change itself and takes about twice as long. Adds
// cost a key each, and a first sync nothing. Prune bounds the total.
//
// The package imports only the standard library, bbolt, roster,
// internal/codec and klauspost/compress (s2, and zstd to read what rosterd
// wrote before).
package state
