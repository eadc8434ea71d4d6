// Package preflight checks a roster before it is committed. It validates
// the roster the sharing rules left (duplicate IDs, required fields, values
// the source could not represent, references to records that are not in
// the roster, too many homerooms per student), diffs it against the
// committed roster, and produces the issues, the per-entity counts and the
// roster.Change a commit would write.
//
// Any issue of severity error refuses the run: the caller commits nothing.
// Which codes are errors, warnings or ignored is set per deployment through
// Options; Codes lists every code with its default severity.
//
// Issues are read by assessment teams and district IT, and reports are
// stored and sent on, so an issue names its record by entity, ID, SIS ID and
// field only. Messages never repeat a personal value (a name, a birth date,
// an email): when a value is wrong, the message says what is wrong with it.
//
// # The diff
//
// Every kept record is encoded with internal/codec, whose output is
// deterministic, and compared byte for byte with the committed record of the
// same ID: absent is an add, different bytes an update, equal bytes no
// change. Committed records whose IDs the roster no longer has are deletes.
// Encoding is the cost at district scale (1.2M users, 240k sections), so it
// runs on every core in bounded chunks, while the store is read from one
// goroutine in ID order (a bbolt transaction is single-goroutine, and
// writes in key order are what bbolt commits fastest).
//
// # The report
//
// Report is a run's record for people and machines. WriteJSON writes it as
// indented JSON with the fields in this order, all always present except
// those marked optional. Later versions of v1 only add fields; readers
// ignore the ones they do not know.
//
//	schema      "rosterd.report/v1"; readers refuse any other value
//	run_id      the run's number in the state store
//	connection  the configured connection name
//	source      the source kind ("clever", "oneroster", ...)
//	mode        "sync", "preflight" or "rules-test"
//	verdict     "committed", "refused", "failed", "passed", "held",
//	            "paused" or "rejected"
//	error       optional: why a failed run failed
//	started     RFC 3339 timestamp
//	finished    RFC 3339 timestamp
//	counts      [{entity, fetched, kept, added, updated, deleted}], one per
//	            entity in roster.Entities order
//	rules       [{rule, description, entity, kept, dropped}]: what each
//	            sharing rule, then each consequence of the rules
//	            ("sections.empty", ...), kept and dropped; [] without rules
//	placement   {one_section, no_section, several_sections}: students by
//	            the number of sections the rules left them in (left out
//	            when the run failed before the rules)
//	issues      [{severity, code, entity, id, sis_id, field, message, hint,
//	            sections}], errors first, then by code, entity, id and
//	            field; sis_id, field, hint and sections are left out when
//	            empty; sections lists, for a student's placement issues,
//	            [{id, sis_id, name, subject, period, teacher, kept_by}]
//	summary     {errors, warnings, by_code: [{code, severity, count}]}
//	timings     [{phase, seconds}] for "fetch", "snapshot" (keeping the
//	            fetched roster for the rules workbench), "rules",
//	            "preflight", "commit", those the run went through
//	changes     optional: {fields: [{entity, field, count}], updates:
//	            [{entity, id, sis_id, fields: [{field, old, new, list,
//	            redacted}]}], added, deleted: [{entity, id, sis_id}],
//	            updates_omitted, added_omitted, deleted_omitted}; each list
//	            holds at most MaxChangeDetail records and fields counts the
//	            listed updates; a list field's old and new are the IDs
//	            removed and added; a redacted field shows no value
//	guards      [{entity, action, count, committed, percent, limit}]: the
//	            mass-change guards the change tripped; [] when none
//	pause       optional: the pause window a paused run fell in
//	decision    optional: {action ("approved" or "rejected"), by, at} for
//	            a held run an operator decided on
//	rollback_to optional: the run whose committed roster a rollback
//	            restored
//	reused_from absent unless set: the committed run whose rules and
//	            preflight result this run reused, having fetched the same
//	            roster under the same configuration and rosterd build on
//	            the same day, with that run's roster still committed; no
//	            "rules" or "preflight" timing then, and no change
//
// WriteText renders the same report for a terminal, WriteCSV writes one
// row per issue for spreadsheets (UTF-8 with a byte order mark, CRLF line
// ends, formulas defused) and WriteHTML writes one self-contained page for
// people, which pages and filters the issues in the browser.
//
// preflight imports only the standard library, roster, internal/codec, go-cmp and
// the JSON library; it reads the committed roster through the Committed
// interface it declares, so it knows nothing of the store.
package preflight
