#!/usr/bin/env bash
# test/suites/98_message_names.sh: every object that the C sources' strings
# (error messages, hints, details, the names of the functions an error is
# raised in) name with its schema, journey.<name> or
# journey_internal.<name>, is an object of the installed extension in that
# schema (a function, aggregate, table, view, type or constraint trigger)
# or one of its settings (journey.max_...), so that no message sends a user
# to a name that does not exist there.
# Needs PGHOST/PGPORT/PGUSER of a running cluster (exported by test/check).
source "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"

DB=journey_message_names
suite_database $DB
suite_q -d $DB -c "CREATE EXTENSION journey" >/dev/null

# file:line:schema.name for each schema-qualified name in a C string literal
# (#include lines left out; a name followed by "." or "%" is a prefix of
# something else, e.g. a file set's name "journey.rows.%d.%d")
names=$(cd "$JOURNEY_ROOT" && grep -nP '"(?:[^"\\]|\\.)*"' src/*.c src/*.h | grep -vP '^[^:]+:\d+:\s*#\s*include' |
	perl -ne 'my ($where, $text) = /^([^:]+:\d+):(.*)$/ or next;
		while ($text =~ /"((?:[^"\\]|\\.)*)"/g) {
			my $s = $1;
			while ($s =~ /\b(journey(?:_internal)?)\.([a-z_][a-z0-9_]*)(?![.%a-z0-9_])/g) {
				print "$where:$1.$2\n";
			}
		}')
count=$(grep -c . <<<"$names" || true)
suite_expect "the C sources name objects with their schema" "$([ "$count" -gt 20 ] && echo yes)" "yes"

missing=$(suite_q -d $DB -v names="$names" <<'SQL'
-- the settings exist once the library is loaded
LOAD '$libdir/journey';
SELECT string_agg(n.line, ', ' ORDER BY n.line)
  FROM regexp_split_to_table(:'names', E'\n') AS n(line),
       LATERAL (SELECT split_part(split_part(n.line, ':', 3), '.', 1) AS nsp,
                       split_part(split_part(n.line, ':', 3), '.', 2) AS name) o
 WHERE NOT EXISTS (SELECT 1 FROM pg_proc p WHERE p.pronamespace = o.nsp::regnamespace AND p.proname = o.name)
   AND NOT EXISTS (SELECT 1 FROM pg_class c WHERE c.relnamespace = o.nsp::regnamespace AND c.relname = o.name)
   AND NOT EXISTS (SELECT 1 FROM pg_type t WHERE t.typnamespace = o.nsp::regnamespace AND t.typname = o.name)
   AND NOT EXISTS (SELECT 1 FROM pg_settings s WHERE s.name = o.nsp || '.' || o.name);
SQL
)
suite_expect "every schema-qualified name in the C sources' strings exists in that schema" "$missing" ""

exit $SUITE_FAILED
