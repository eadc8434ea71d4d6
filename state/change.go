package state

import (
	"fmt"
	"slices"
	"strings"
	"unsafe"

	"github.com/rosterd/rosterd/roster"
	bolt "go.etcd.io/bbolt"
)

// rosterFillPercent is how full bbolt packs the pages of a roster bucket.
// Records arrive in key order, so a first sync appends to the right edge
// of the tree, and bbolt's default of 0.5 leaves every page half empty:
// for 300k records of 400 bytes it wrote 75k leaf pages in 1.1s where 0.9
// writes 43k in 0.45s. The last tenth is room for records that grow in a
// later sync without splitting their page.
const rosterFillPercent = 0.9

// kindPlan is one kind's share of a change, validated and in key order.
type kindPlan struct {
	kind    roster.Kind
	puts    []roster.Record
	deletes []string
}

// planChange validates change and returns, per kind in roster.Kinds order,
// what to write. An empty change returns no plans. The plans share the
// change's records (bbolt keeps referring to record data until the
// transaction commits); a list that is not in key order is sorted as a
// copy, leaving the caller's change as it was.
func planChange(change *roster.Change) ([]kindPlan, error) {
	if change == nil {
		return nil, nil
	}
	for kind := range change.Put {
		if !slices.Contains(roster.Kinds, kind) {
			return nil, unknownKind("put", kind)
		}
	}
	for kind := range change.Delete {
		if !slices.Contains(roster.Kinds, kind) {
			return nil, unknownKind("delete", kind)
		}
	}
	var plans []kindPlan
	for _, kind := range roster.Kinds {
		puts, deletes := change.Put[kind], change.Delete[kind]
		if len(puts) == 0 && len(deletes) == 0 {
			continue
		}
		if err := checkPuts(kind, puts); err != nil {
			return nil, err
		}
		if err := checkDeletes(kind, puts, deletes); err != nil {
			return nil, err
		}
		if !slices.IsSortedFunc(puts, compareRecordIDs) {
			// Stable, so that of two puts of one ID the later one wins, as
			// it would applied in order.
			puts = slices.Clone(puts)
			slices.SortStableFunc(puts, compareRecordIDs)
		}
		if !slices.IsSorted(deletes) {
			deletes = slices.Clone(deletes)
			slices.Sort(deletes)
		}
		plans = append(plans, kindPlan{kind: kind, puts: puts, deletes: deletes})
	}
	return plans, nil
}

func unknownKind(op string, kind roster.Kind) error {
	known := make([]string, len(roster.Kinds))
	for i, k := range roster.Kinds {
		known[i] = string(k)
	}
	return fmt.Errorf("%s: unknown kind %q (known: %s)", op, kind, strings.Join(known, ", "))
}

func compareRecordIDs(a, b roster.Record) int { return strings.Compare(a.ID, b.ID) }

func checkPuts(kind roster.Kind, puts []roster.Record) error {
	for i, rec := range puts {
		switch {
		case rec.ID == "":
			return fmt.Errorf("put %s[%d]: empty id", kind, i)
		case len(rec.ID) > bolt.MaxKeySize:
			return fmt.Errorf("put %s[%d]: id of %d bytes is longer than the store's limit of %d", kind, i, len(rec.ID), bolt.MaxKeySize)
		case len(rec.Data) == 0:
			// An empty value would read back like an absent record.
			return fmt.Errorf("put %s/%s: empty record", kind, rec.ID)
		}
	}
	return nil
}

// checkDeletes refuses empty IDs and IDs the change both puts and
// deletes: whichever way that was meant, applying it could lose a record.
func checkDeletes(kind roster.Kind, puts []roster.Record, deletes []string) error {
	if len(deletes) == 0 {
		return nil
	}
	deleted := make(map[string]struct{}, len(deletes))
	for i, id := range deletes {
		if id == "" {
			return fmt.Errorf("delete %s[%d]: empty id", kind, i)
		}
		deleted[id] = struct{}{}
	}
	for _, rec := range puts {
		if _, ok := deleted[rec.ID]; ok {
			return fmt.Errorf("change both puts and deletes %s/%s", kind, rec.ID)
		}
	}
	return nil
}

// applyPlans writes plans under the connection bucket conn. Deleting an ID
// that is not there does nothing, and a kind that was never written is
// not created just to delete from it.
func applyPlans(conn *bolt.Bucket, plans []kindPlan) error {
	rosterBucket, err := conn.CreateBucketIfNotExists(bucketRoster)
	if err != nil {
		return fmt.Errorf("create roster bucket: %w", err)
	}
	for _, p := range plans {
		b := rosterBucket.Bucket([]byte(p.kind))
		if b == nil {
			if len(p.puts) == 0 {
				continue
			}
			if b, err = rosterBucket.CreateBucket([]byte(p.kind)); err != nil {
				return fmt.Errorf("create %s bucket: %w", p.kind, err)
			}
		}
		b.FillPercent = rosterFillPercent
		for _, id := range p.deletes {
			if err := b.Delete(keyBytes(id)); err != nil {
				return fmt.Errorf("delete %s/%s: %w", p.kind, id, err)
			}
		}
		for _, rec := range p.puts {
			if err := b.Put(keyBytes(rec.ID), rec.Data); err != nil {
				return fmt.Errorf("put %s/%s: %w", p.kind, rec.ID, err)
			}
		}
	}
	return nil
}

// keyBytes views s as bytes without copying. bbolt only reads the keys
// passed to Get, Seek and Delete and copies the keys passed to Put, so the
// view is never written to; this keeps Snapshot.Get free of allocations
// and spares a first sync a million throwaway copies.
func keyBytes(s string) []byte {
	return unsafe.Slice(unsafe.StringData(s), len(s))
}
