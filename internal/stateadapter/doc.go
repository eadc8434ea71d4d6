// Package stateadapter lets the engine (package connector) use the bbolt
// store (package state) through the Store interface the engine declares,
// converting between the two packages' run records. It is the one place
// that knows both, so the daemon's wiring and the tests that build a real
// engine over a real store share it.
//
// It imports only connector, state and roster.
package stateadapter
