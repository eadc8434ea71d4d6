// Package plainword holds byte-level steps of the JSON scanners: finding,
// eight bytes at a time, where a string stops being plain, which the
// Clever and OneRoster scanners share to skip the runs of bytes a string
// holds as they are; and skipping JSON's whitespace, which the OneRoster
// one uses (the Clever scanner keeps its own loop, which the compiler
// inlines into its hot paths: its user pages decoded in 8.9-9.0 ms a
// page through SkipSpace against 7.4-7.7 ms with it).
package plainword
