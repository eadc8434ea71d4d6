// Package codec is the store's record format: one record of the roster
// model encoded as compact JSON with a fixed field and map-key order.
//
// The format is deterministic so that preflight can tell an unchanged
// record from a changed one by comparing bytes with what the store holds,
// without decoding the committed roster, and so that a run that changes
// nothing writes nothing. It is also what a vendor's app reads from the
// store, so it changes only with the store's schema version.
//
// It is shared by preflight (which encodes and compares) and state (which
// decodes what it reads back, and encodes raw rosters).
package codec
