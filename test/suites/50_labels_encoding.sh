#!/usr/bin/env bash
# test/suites/50_labels_encoding.sh: normalize_label and default_channel in
# databases whose encoding is not UTF-8.  Labels are converted to UTF-8 for
# ICU and back; a result the database encoding cannot hold, and bytes that
# are not UTF-8 in an SQL_ASCII database, are errors.
# Needs PGHOST/PGPORT/PGUSER of a running cluster (exported by test/check).
source "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"

BIN=/usr/lib/postgresql/15/bin
latin1=journey_latin1_$$
ascii=journey_sqlascii_$$

q() { PGCLIENTENCODING=UTF8 "$BIN/psql" -X -q -At -v ON_ERROR_STOP=1 "$@"; }
cleanup() {
	q -d postgres -c "DROP DATABASE IF EXISTS $latin1" -c "DROP DATABASE IF EXISTS $ascii" || true
}
trap cleanup EXIT

q -d postgres \
	-c "CREATE DATABASE $latin1 TEMPLATE template0 ENCODING 'LATIN1' LC_COLLATE 'C' LC_CTYPE 'C'" \
	-c "CREATE DATABASE $ascii TEMPLATE template0 ENCODING 'SQL_ASCII' LC_COLLATE 'C' LC_CTYPE 'C'"
q -d "$latin1" -c "CREATE EXTENSION journey"
q -d "$ascii" -c "CREATE EXTENSION journey"

suite_expect "LATIN1: sharp s folds to ss" \
	"$(q -d "$latin1" -c "SELECT journey.normalize_label('  Straße ')")" "strasse"
suite_expect "LATIN1: accented capitals fold, no-break space collapses" \
	"$(q -d "$latin1" -c "SELECT journey.normalize_label(E'ÄRGER\u00a0\u00a0ÖL')")" "ärger öl"
suite_expect "LATIN1: result is LATIN1 text" \
	"$(q -d "$latin1" -c "SELECT encode(convert_to(journey.normalize_label('ÉMAIL'), 'LATIN1'), 'hex')")" "e96d61696c"
suite_expect "LATIN1: default_channel" \
	"$(q -d "$latin1" -c "SELECT journey.default_channel('Newsletter', ' E-MAIL ')")" "Email"
suite_expect "LATIN1: a label of many pieces (each converted back as it is done)" \
	"$(q -d "$latin1" -c "SELECT journey.normalize_label(repeat(' ÄRGER  Öl', 30000)) = ltrim(repeat(' ärger öl', 30000))")" "t"
# the longest result counts the database's bytes: 'ärger öl' is 8 bytes in
# LATIN1 (10 in UTF-8); a test hook lowers the limit
q -d "$latin1" -c "CREATE FUNCTION label_limits(text, int, int8, int8) RETURNS text
	AS 'journey', 'journey_normalize_label_pieces' LANGUAGE C STRICT"
suite_expect "LATIN1: a result at the limit, counted in LATIN1 bytes" \
	"$(q -d "$latin1" -c "SELECT label_limits(' ÄRGER  Öl ', 4, 8, 1000)")" "ärger öl"
suite_expect_error "LATIN1: a result past the limit" \
	"The normalized label would be longer than 7 bytes" \
	q -d "$latin1" -c "SELECT label_limits(' ÄRGER  Öl ', 4, 7, 1000)"
suite_expect_error "LATIN1: NFKC result outside LATIN1" 'has no equivalent in encoding "LATIN1"' \
	q -d "$latin1" -c "SELECT journey.normalize_label('½')"

suite_expect "SQL_ASCII: UTF-8 bytes are normalized" \
	"$(q -d "$ascii" -c "SELECT journey.normalize_label('ＥＭＡＩＬ')")" "email"
suite_expect_error "SQL_ASCII: bytes that are not UTF-8" 'invalid byte sequence for encoding "UTF8"' \
	q -d "$ascii" -c "SELECT journey.normalize_label(E'caf\\xe9')"

exit $SUITE_FAILED
