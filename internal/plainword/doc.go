// Package plainword finds, eight bytes at a time, where a JSON string
// stops being plain: the word test the Clever and OneRoster scanners use
// to skip the runs of bytes a string holds as they are.
package plainword
