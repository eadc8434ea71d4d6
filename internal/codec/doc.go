// Package codec is the store's record format: one record of the roster
// model encoded as compact JSON with a fixed field and map-key order.
//
// The format is deterministic so that preflight can tell an unchanged
// record from a changed one by comparing bytes with what the store holds,
// without decoding the committed roster, and so that a run that changes
// nothing writes nothing. It is also what a vendor's app reads from the
// store, so it changes only with the store's schema version.
//
// Users and sections, nearly every record of a district, are written by a
// hand-written encoder (fast.go) rather than the JSON library's
// reflection. It guarantees the library's exact bytes, so records the
// store committed before compare equal. Anything it is not sure to write
// identically (invalid UTF-8, a time or date out of range, an ext value
// the library rejects or might) goes to the library: an unusual ext alone,
// spliced in, and otherwise the whole record, which also gives the
// library's exact error. Tests compare the two on hand-picked,
// fuzzed and generated records and check that the encoder knows every
// field of the roster types.
//
// It is shared by preflight (which encodes and compares) and state (which
// decodes what it reads back, and encodes raw rosters).
package codec
