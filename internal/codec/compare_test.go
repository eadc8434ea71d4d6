package codec

import (
	"bytes"
	"fmt"
	"strings"

	"github.com/go-json-experiment/json"
	"github.com/rosterd/rosterd/roster"
)

// compareWithLibrary encodes rec with the fast path, with Marshal and
// MarshalWrite, and with the library as the store's data was written
// before the fast path, and describes any difference: bytes the library
// would not write, or an error other than the library's. fast reports
// whether the fast path wrote rec itself rather than leave it to the
// library, for tests that must know it was exercised.
func compareWithLibrary(rec any) (fast bool, problem string) {
	want, libErr := json.Marshal(rec, json.Deterministic(true), extOptions)
	wantErr := ""
	if libErr != nil {
		wantErr = fmt.Sprintf("encode %T: %v", rec, libErr)
	}
	got, fast := appendFast([]byte("prefix"), rec)
	switch {
	case fast && libErr != nil:
		return fast, fmt.Sprintf("the library fails (%v) where the fast path wrote\n%s", libErr, clip(got[len("prefix"):]))
	case fast && !bytes.HasPrefix(got, []byte("prefix")):
		return fast, "the fast path lost what the buffer held before"
	case fast && !bytes.Equal(got[len("prefix"):], want):
		return fast, "fast path: " + byteDiff(want, got[len("prefix"):])
	}

	data, err := Marshal(rec)
	if p := sameResult("Marshal", want, wantErr, data, err); p != "" {
		return fast, p
	}
	var buf bytes.Buffer
	buf.WriteString("prefix")
	err = MarshalWrite(&buf, rec)
	if err == nil {
		if !bytes.HasPrefix(buf.Bytes(), []byte("prefix")) {
			return fast, "MarshalWrite into a bytes.Buffer lost what it held before"
		}
		data = buf.Bytes()[len("prefix"):]
	}
	if p := sameResult("MarshalWrite into a bytes.Buffer", want, wantErr, data, err); p != "" {
		return fast, p
	}
	var sb strings.Builder
	err = MarshalWrite(&sb, rec)
	if p := sameResult("MarshalWrite into a strings.Builder", want, wantErr, []byte(sb.String()), err); p != "" {
		return fast, p
	}
	return fast, ""
}

// sameResult compares one encoding call's result with the library's.
func sameResult(call string, want []byte, wantErr string, got []byte, err error) string {
	switch {
	case wantErr != "" && err == nil:
		return fmt.Sprintf("%s succeeded, want the library's error %q", call, wantErr)
	case wantErr != "" && err.Error() != wantErr:
		return fmt.Sprintf("%s failed with\n%q\nwant the library's\n%q", call, err, wantErr)
	case wantErr == "" && err != nil:
		return fmt.Sprintf("%s failed (%v) where the library did not", call, err)
	case wantErr == "" && !bytes.Equal(got, want):
		return call + ": " + byteDiff(want, got)
	}
	return ""
}

// byteDiff shows where got first differs from want, with some context.
func byteDiff(want, got []byte) string {
	i := 0
	for i < len(want) && i < len(got) && want[i] == got[i] {
		i++
	}
	from := max(i-40, 0)
	clip := func(b []byte) string { return fmt.Sprintf("%q", b[from:min(i+40, len(b))]) }
	return fmt.Sprintf("bytes differ at offset %d (of %d, library %d):\n  library: …%s…\n  got:     …%s…",
		i, len(got), len(want), clip(want), clip(got))
}

// clip shortens a long encoding for a message.
func clip(b []byte) string {
	if len(b) > 300 {
		return fmt.Sprintf("%s… (%d bytes)", b[:300], len(b))
	}
	return string(b)
}

// recordID names a record in a failure message.
func recordID(rec any) string {
	switch r := rec.(type) {
	case *roster.User:
		if r != nil {
			return "user " + fmt.Sprintf("%q", r.ID)
		}
	case roster.User:
		return "user value " + fmt.Sprintf("%q", r.ID)
	case *roster.Section:
		if r != nil {
			return "section " + fmt.Sprintf("%q", r.ID)
		}
	case roster.Section:
		return "section value " + fmt.Sprintf("%q", r.ID)
	}
	return fmt.Sprintf("%T", rec)
}
