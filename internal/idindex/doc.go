// Package idindex finds records by ID in a table of their positions.
//
// A roster is held as slices of records, and every phase of a run looks
// records up by ID: the crawl to merge a user's roles and to give each
// section member its user's ID string, the sharing rules to filter
// members, preflight to check references and to diff. A Go map from ID
// to position holds a copy of every ID's string header beside the
// position, about 48 bytes an entry once its table has room to grow; an
// XL district's 1.2M users took 50 to 60 MB in each phase's map. An Index
// holds only a position and a 32-bit piece of the ID's hash, 8 bytes a
// slot, and reads the ID itself from the records when the hash matches:
// 17 MB for the same users, and no slower, since a lookup that finds its
// record reads that record anyway.
package idindex
