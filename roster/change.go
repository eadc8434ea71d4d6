package roster

import "slices"

// Change is what a commit writes to the committed roster: records to put,
// already encoded in the store's record format, and IDs to delete. A record
// that did not change is in neither list, so a run that changes nothing
// writes nothing.
type Change struct {
	Put    map[Kind][]Record `json:"-"`
	Delete map[Kind][]string `json:"-"`
	// Written, when set, is told of puts the store has written durably
	// and will not read again, so that whoever holds their bytes (a spill
	// file) can free them while the rest is written: freed page cache is
	// what the store's own writes reuse. A store calls it as it goes, from
	// the goroutine that commits, or not at all; puts that reach it must
	// not be read again, even if the commit then fails.
	Written func(kind Kind, puts []Record) `json:"-"`
}

// Record is one encoded record keyed by its ID.
type Record struct {
	ID   string
	Data []byte
}

// AddPut queues rec to be written under kind.
func (c *Change) AddPut(kind Kind, rec Record) {
	if c.Put == nil {
		c.Put = make(map[Kind][]Record)
	}
	c.Put[kind] = append(c.Put[kind], rec)
}

// GrowPut makes room for n more puts of kind, so that adding them does not
// copy the list as it grows: a first sync puts every record, 1.2M users
// at XL.
func (c *Change) GrowPut(kind Kind, n int) {
	if c.Put == nil {
		c.Put = make(map[Kind][]Record)
	}
	c.Put[kind] = slices.Grow(c.Put[kind], n)
}

// AddDelete queues the record id of kind to be deleted.
func (c *Change) AddDelete(kind Kind, id string) {
	if c.Delete == nil {
		c.Delete = make(map[Kind][]string)
	}
	c.Delete[kind] = append(c.Delete[kind], id)
}

// Len returns the number of writes the change holds.
func (c *Change) Len() int {
	n := 0
	for _, p := range c.Put {
		n += len(p)
	}
	for _, d := range c.Delete {
		n += len(d)
	}
	return n
}

// Empty reports whether the change writes nothing.
func (c *Change) Empty() bool { return c.Len() == 0 }
