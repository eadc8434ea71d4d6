package state

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"sync"
	"time"

	bolt "go.etcd.io/bbolt"
	bolterrors "go.etcd.io/bbolt/errors"
)

// SchemaVersion is the layout this code reads and writes, stored in
// meta/version.
const SchemaVersion = 1

// DefaultTimeout is how long Open waits for the file lock when
// Options.Timeout is zero.
const DefaultTimeout = 5 * time.Second

// initialMmapSize is the address space bbolt maps up front. bbolt copies
// every record a write transaction holds out of the map each time it has
// to grow the map mid-commit, and a first sync grows it from 32 KiB,
// doubling: for a 500 MB roster that is a dozen copies of the whole
// change. Mapping 2 GiB at once costs only address space on 64-bit Linux
// and macOS (the file does not grow); Windows grows the file to the map
// size, and 32-bit systems lack the room, so they keep bbolt's default.
var initialMmapSize = func() int {
	if runtime.GOOS == "windows" || strconv.IntSize < 64 {
		return 0
	}
	return 1 << 31
}()

// pageSize is the page size of a state file Open creates; a file keeps
// the size it was created with. bbolt writes a commit one pwrite per
// page and splits a tree per page, so bigger pages make fewer of both: an
// XL first sync's 1.4M records committed in 2.0-2.4 s with 16 KiB pages
// against 2.95-3.3 s with 4 KiB ones (four runs each), in a 7% smaller file
// (BenchmarkCommitProfile, profile xl, mode first). A change spread over
// the tree rewrites a bigger page for each record it changes: 1% of the
// records took 0.27 s against 0.18 s (mode update1pct), and the largest
// change one transaction takes (bigChangeWrites) 0.84 s and 468 MB of
// heap against 0.52 s and 156 MB (BenchmarkCommitHeap, spread). A first
// sync is the budget rosterd is held to, and a large change (a new school
// year) is batched and copies whole kinds, which bigger pages speed up too.
const pageSize = 16 << 10

// Bucket and key names. Top-level buckets are created at Open; the rest
// are created by the first write that needs them.
var (
	bucketMeta        = []byte("meta")
	bucketConnections = []byte("connections")
	bucketRuns        = []byte("runs")
	bucketReports     = []byte("reports")
	bucketStaged      = []byte("staged")

	// keyVersion holds SchemaVersion as raw decimal text, not JSON, so any
	// tool (and any future rosterd) can read it before knowing the layout.
	keyVersion = []byte("version")

	// Keys of a connection bucket.
	bucketRoster = []byte("roster")
	keyHead      = []byte("head")
	keyCursor    = []byte("cursor")
	bucketRaw    = []byte("raw")
	keyRawInfo   = []byte("raw_info")
	bucketUndo   = []byte("undo")
	keyPruned    = []byte("pruned")
)

// topBuckets are the top-level buckets Open creates. Files written before
// held runs existed lack staged/; Open adds it when it may write, and
// readers treat it as empty when it is missing.
var topBuckets = [][]byte{bucketMeta, bucketConnections, bucketRuns, bucketReports, bucketStaged}

// Options configures Open.
type Options struct {
	// Timeout is how long Open waits for the file lock held by another
	// process; zero means DefaultTimeout.
	Timeout time.Duration
	// ReadOnly opens the file for reading, sharing it with other readers.
	// The file must exist and have been initialised by a writer.
	ReadOnly bool
}

// Store is rosterd's state file. Its methods are safe for concurrent use;
// bbolt serialises writers and lets readers run alongside them.
type Store struct {
	db   *bolt.DB
	path string

	// limits chooses the commit path (batch.go).
	limits commitLimits
	// raw cuts raw rosters into chunks (raw_pending.go).
	raw rawChunking
	// batchMu lets one batched commit run at a time.
	batchMu sync.Mutex
	// afterBatch, when set (by tests), runs after each batch of a batched
	// commit has committed; an error fails the commit.
	afterBatch func(batch int, last bool) error
	// afterRawWrite, when set (by tests), runs after each write of a raw
	// roster's chunks to its pending bucket has committed, with the
	// chunks written so far; an error fails the save.
	afterRawWrite func(written int) error
}

// Open opens the state file at path, creating it (mode 0600, in a parent
// directory created 0700 if missing) unless opts.ReadOnly is set. It waits
// up to opts.Timeout for another process to release the file and then
// fails with an error wrapping ErrLocked; a file of a newer schema version
// fails with an error wrapping ErrSchema.
func Open(path string, opts Options) (*Store, error) {
	timeout := opts.Timeout
	if timeout <= 0 {
		timeout = DefaultTimeout
	}
	if !opts.ReadOnly {
		if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
			return nil, fmt.Errorf("open state: %w", err)
		}
	}
	db, err := bolt.Open(path, 0o600, &bolt.Options{
		Timeout:         timeout,
		ReadOnly:        opts.ReadOnly,
		InitialMmapSize: initialMmapSize,
		PageSize:        pageSize,
	})
	if errors.Is(err, bolterrors.ErrTimeout) {
		return nil, &lockedError{path: path, waited: timeout}
	}
	if err != nil {
		return nil, fmt.Errorf("open state file %s: %w", path, err)
	}
	s := &Store{db: db, path: path, limits: defaultCommitLimits, raw: rawChunkingFor(db.Info().PageSize)}
	if opts.ReadOnly {
		err = db.View(s.checkSchema)
	} else {
		err = db.Update(s.initialize)
	}
	if err != nil {
		db.Close()
		return nil, err
	}
	return s, nil
}

// initialize creates every top-level bucket and the schema version in one
// transaction, so a file is either empty or fully laid out. On a file
// already laid out it deletes what a batched commit that died left.
func (s *Store) initialize(tx *bolt.Tx) error {
	meta := tx.Bucket(bucketMeta)
	if meta != nil {
		if err := s.checkSchema(tx); err != nil {
			return err
		}
		if _, err := tx.CreateBucketIfNotExists(bucketStaged); err != nil {
			return fmt.Errorf("initialise state file %s: bucket %s: %w", s.path, bucketStaged, err)
		}
		// No commit or raw roster save runs yet, so any shadow or pending
		// raw roster is a dead process's.
		conns := tx.Bucket(bucketConnections)
		if err := dropShadows(conns); err != nil {
			return fmt.Errorf("initialise state file %s: %w", s.path, err)
		}
		if err := dropLeftovers(conns, bucketRawPending); err != nil {
			return fmt.Errorf("initialise state file %s: %w", s.path, err)
		}
		return nil
	}
	for _, name := range topBuckets {
		if _, err := tx.CreateBucketIfNotExists(name); err != nil {
			return fmt.Errorf("initialise state file %s: bucket %s: %w", s.path, name, err)
		}
	}
	version := []byte(strconv.Itoa(SchemaVersion))
	if err := tx.Bucket(bucketMeta).Put(keyVersion, version); err != nil {
		return fmt.Errorf("initialise state file %s: %w", s.path, err)
	}
	return nil
}

// checkSchema refuses a file this code cannot read.
func (s *Store) checkSchema(tx *bolt.Tx) error {
	meta := tx.Bucket(bucketMeta)
	if meta == nil {
		return fmt.Errorf("state file %s has no schema version (never opened for writing): %w", s.path, ErrSchema)
	}
	raw := meta.Get(keyVersion)
	version, err := strconv.Atoi(string(raw))
	if err != nil || version < 1 {
		return fmt.Errorf("state file %s has an unreadable schema version %q: %w", s.path, raw, ErrSchema)
	}
	if version > SchemaVersion {
		return fmt.Errorf("state file %s has schema version %d, newer than this rosterd's %d; upgrade rosterd: %w",
			s.path, version, SchemaVersion, ErrSchema)
	}
	for _, name := range [][]byte{bucketConnections, bucketRuns, bucketReports} {
		if tx.Bucket(name) == nil {
			return fmt.Errorf("state file %s lacks bucket %s: %w", s.path, name, ErrSchema)
		}
	}
	return nil
}

// Close releases the file. Calling it again returns nil.
func (s *Store) Close() error {
	if err := s.db.Close(); err != nil {
		return fmt.Errorf("close state file %s: %w", s.path, err)
	}
	return nil
}

// Path returns the path the store was opened with.
func (s *Store) Path() string { return s.path }

// Check walks the whole file and reports every inconsistency bbolt finds
// (unreachable or doubly freed pages, misordered keys), joined into one
// error. It reads every page, so it takes a while on a large roster.
func (s *Store) Check() error {
	return s.db.View(func(tx *bolt.Tx) error {
		var errs []error
		for err := range tx.Check() {
			errs = append(errs, err)
		}
		if len(errs) > 0 {
			return fmt.Errorf("check state file %s: %w", s.path, errors.Join(errs...))
		}
		return nil
	})
}
