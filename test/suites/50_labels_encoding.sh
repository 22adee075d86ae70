#!/usr/bin/env bash
# test/suites/50_labels_encoding.sh: normalize_label and default_channel in
# databases whose encoding is not UTF-8.  Labels are converted to UTF-8 for
# ICU and back; a result the database encoding cannot hold, and bytes that
# are not UTF-8 in an SQL_ASCII database, are errors.
# Needs PGHOST/PGPORT/PGUSER of a running cluster (exported by test/check).
set -euo pipefail

BIN=/usr/lib/postgresql/15/bin
latin1=journey_latin1_$$
ascii=journey_sqlascii_$$

q() { PGCLIENTENCODING=UTF8 "$BIN/psql" -X -q -At -v ON_ERROR_STOP=1 "$@"; }
cleanup() {
	q -d postgres -c "DROP DATABASE IF EXISTS $latin1" -c "DROP DATABASE IF EXISTS $ascii" || true
}
trap cleanup EXIT

fail=0
expect() {					# expect what actual wanted
	if [ "$2" = "$3" ]; then
		echo "ok: $1"
	else
		echo "MISMATCH: $1: got '$2', expected '$3'"
		fail=1
	fi
}
# expect_error what sql message-fragment
expect_error() {
	local out
	if out=$(q -d "$4" -c "$2" 2>&1); then
		echo "MISMATCH: $1: no error, got '$out'"
		fail=1
	elif [[ "$out" == *"$3"* ]]; then
		echo "ok: $1 ($out)"
	else
		echo "MISMATCH: $1: got '$out', expected an error containing '$3'"
		fail=1
	fi
}

q -d postgres \
	-c "CREATE DATABASE $latin1 TEMPLATE template0 ENCODING 'LATIN1' LC_COLLATE 'C' LC_CTYPE 'C'" \
	-c "CREATE DATABASE $ascii TEMPLATE template0 ENCODING 'SQL_ASCII' LC_COLLATE 'C' LC_CTYPE 'C'"
q -d "$latin1" -c "CREATE EXTENSION journey"
q -d "$ascii" -c "CREATE EXTENSION journey"

expect "LATIN1: sharp s folds to ss" \
	"$(q -d "$latin1" -c "SELECT journey.normalize_label('  Straße ')")" "strasse"
expect "LATIN1: accented capitals fold, no-break space collapses" \
	"$(q -d "$latin1" -c "SELECT journey.normalize_label(E'ÄRGER\u00a0\u00a0ÖL')")" "ärger öl"
expect "LATIN1: result is LATIN1 text" \
	"$(q -d "$latin1" -c "SELECT encode(convert_to(journey.normalize_label('ÉMAIL'), 'LATIN1'), 'hex')")" "e96d61696c"
expect "LATIN1: default_channel" \
	"$(q -d "$latin1" -c "SELECT journey.default_channel('Newsletter', ' E-MAIL ')")" "Email"
expect_error "LATIN1: NFKC result outside LATIN1" \
	"SELECT journey.normalize_label('½')" 'has no equivalent in encoding "LATIN1"' "$latin1"

expect "SQL_ASCII: UTF-8 bytes are normalized" \
	"$(q -d "$ascii" -c "SELECT journey.normalize_label('ＥＭＡＩＬ')")" "email"
expect_error "SQL_ASCII: bytes that are not UTF-8" \
	"SELECT journey.normalize_label(E'caf\\xe9')" 'invalid byte sequence for encoding "UTF8"' "$ascii"

exit $fail
