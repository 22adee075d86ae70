#!/usr/bin/env bash
# test/suites/50_channel_rule_dump.sh: pg_dump keeps the channel rules users
# added and not the shipped ones.  Creates a database with the extension and
# one user rule, dumps it, restores the dump into a fresh database, and
# checks that the user rule is there exactly once, that the shipped rules
# are neither lost nor duplicated, and that default_channel uses the rule.
# Needs PGHOST/PGPORT/PGUSER of a running cluster (exported by test/check).
source "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"

BIN=/usr/lib/postgresql/15/bin
src=journey_dump_src_$$
dst=journey_dump_dst_$$
work=$(mktemp -d)

q() { "$BIN/psql" -X -q -At -v ON_ERROR_STOP=1 "$@"; }
cleanup() {
	q -d postgres -c "DROP DATABASE IF EXISTS $src" -c "DROP DATABASE IF EXISTS $dst" || true
	rm -rf "$work"
}
trap cleanup EXIT

q -d postgres -c "CREATE DATABASE $src" -c "CREATE DATABASE $dst"
q -d "$src" <<'SQL'
CREATE EXTENSION journey;
INSERT INTO journey.channel_rule (priority, channel, source_pattern, medium_pattern)
VALUES (1405, 'Newsletter', '^newsletter$', '^e-?mail$');
SQL
shipped=$(q -d "$src" -c "SELECT count(*) FROM journey.channel_rule WHERE shipped")

"$BIN/pg_dump" -d "$src" -f "$work/dump.sql"
suite_expect "dump holds only the user rule's data" \
	"$(grep -c $'^1405\tNewsletter' "$work/dump.sql" || true)/$(grep -c $'^100\tDirect' "$work/dump.sql" || true)" "1/0"

q -d "$dst" -f "$work/dump.sql" >/dev/null
suite_expect "user rule restored once" \
	"$(q -d "$dst" -c "SELECT count(*) FROM journey.channel_rule WHERE priority = 1405 AND channel = 'Newsletter' AND NOT shipped")" "1"
suite_expect "shipped rules neither lost nor duplicated" \
	"$(q -d "$dst" -c "SELECT count(*) FROM journey.channel_rule WHERE shipped")" "$shipped"
suite_expect "no other rules" \
	"$(q -d "$dst" -c "SELECT count(*) FROM journey.channel_rule")" "$((shipped + 1))"
suite_expect "default_channel uses the restored rule" \
	"$(q -d "$dst" -c "SELECT journey.default_channel('Newsletter', 'E-Mail')")" "Newsletter"
suite_expect "shipped rules still apply after restore" \
	"$(q -d "$dst" -c "SELECT journey.default_channel('google', 'cpc')")" "Paid Search"

exit $SUITE_FAILED
