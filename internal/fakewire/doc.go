// Package fakewire holds what the fake Clever and OneRoster providers
// (internal/fakeclever, internal/fakeoneroster) both put on the wire: a
// reply built whole before it is written, so it goes out with an exact
// Content-Length and a fault can cut it at a known point, and the JSON
// appenders that let them write a district's pages by hand, fast enough
// for an XL district.
package fakewire
