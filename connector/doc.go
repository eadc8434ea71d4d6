// Package connector is rosterd's engine: one run of one connection, from
// the source's fetch through the sharing rules and preflight to the commit.
//
// A run is all or nothing. A fetch that does not complete, a preflight
// error or a commit that finds the committed roster moved all leave the
// committed roster exactly as it was; every run, whatever its verdict, is
// recorded in the history with its report.
//
// The package declares the small interfaces it needs (Source, Store,
// Committed) and never imports an adapter: cmd/rosterd wires the Clever
// client and the bbolt store in.
package connector
