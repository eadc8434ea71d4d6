package preflight

import (
	"errors"
	"strings"

	"github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"
	"github.com/rosterd/rosterd/roster"
)

// describeEncodeError turns the error of encoding one record into the
// entity, SIS ID, field and message of an invalid_field issue. The JSON
// error names the value by a JSON pointer ("/roles/teacher/ext/x") and may
// quote part of the value, which can be personal data, so the message is
// rosterd's own and only the pointer is used. locate maps the pointer's tokens to the entity and SIS ID and
// returns the tokens that name the field.
func describeEncodeError(err error, locate func(tokens []string) (roster.Entity, string, []string)) (e roster.Entity, sisID, field, msg string) {
	var (
		semantic  *json.SemanticError
		syntactic *jsontext.SyntacticError
		pointer   jsontext.Pointer
	)
	// A semantic error (a value the encoder refused) can wrap a syntactic
	// one; a bare syntactic error while encoding Go values is invalid UTF-8.
	switch {
	case errors.As(err, &semantic):
		pointer = semantic.JSONPointer
		msg = "the value cannot be stored"
		if strings.Contains(string(pointer), "/ext/") {
			msg = "the district-defined value is not valid JSON"
		}
	case errors.As(err, &syntactic):
		pointer = syntactic.JSONPointer
		msg = "the text is not valid UTF-8; check the character encoding the source uses"
	default:
		msg = "the record cannot be stored"
	}
	var tokens []string
	for tok := range pointer.Tokens() {
		tokens = append(tokens, tok)
	}
	e, sisID, fieldTokens := locate(tokens)
	return e, sisID, fieldPath(fieldTokens), msg
}

// fieldPath joins pointer tokens into a report field path, dropping array
// indexes: "schools/2" names the field "schools", "name/first" is
// "name.first".
func fieldPath(tokens []string) string {
	var parts []string
	for _, t := range tokens {
		if t != "" && strings.Trim(t, "0123456789") == "" {
			continue
		}
		parts = append(parts, t)
	}
	return strings.Join(parts, ".")
}
