#!/usr/bin/env bash
# test/suites/90_upgrade.sh: the upgrade chain, as hll and pgvector test theirs.
#
# 1. A database installs every released version's script in turn, starting
#    from the oldest (journey--0.1.0.sql, committed exactly as released), with
#    a registry filled under 0.1.0 (test/upgrade/fill.sql) and the answers of
#    the public functions and views recorded (test/upgrade/answers.sql); then
#    ALTER EXTENSION journey UPDATE walks to the default version.  Every
#    registry row (every column 0.1.0 had) and every answer must be the same
#    afterwards.
# 2. The upgraded extension must define exactly what a fresh CREATE EXTENSION
#    of the default version defines: pg_dump --binary-upgrade (which writes out
#    every member object of an extension) of both databases, OIDs left out,
#    must be identical.  So an object added to src/sql/ without its upgrade
#    piece in src/update/ (or the other way round) fails here.
# Needs PGHOST/PGPORT/PGUSER of a running cluster (exported by test/check).
source "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"

BIN=/usr/lib/postgresql/15/bin
UP=journey_upgrade_old_$$
FRESH=journey_upgrade_new_$$
work=$(mktemp -d /tmp/journey-upgrade.XXXXXX)
here=$(cd "$(dirname "${BASH_SOURCE[0]}")/../upgrade" && pwd)
chmod 755 "$work"
cleanup() {
	suite_q -d postgres -c "DROP DATABASE IF EXISTS $UP" -c "DROP DATABASE IF EXISTS $FRESH" \
		>/dev/null 2>&1 || true
	rm -rf "$work"
}
trap cleanup EXIT

oldest=0.1.0
default=$(sed -n "s/^default_version = '\(.*\)'/\1/p" "$JOURNEY_ROOT/journey.control")

# the committed 0.1.0 script is what the release commit's pieces made
release_0_1_0=f1843dc1b638e42857b0e7f839c597e523d9323d
if git -C "$JOURNEY_ROOT" cat-file -e "$release_0_1_0^{commit}" 2>/dev/null; then
	for piece in $(git -C "$JOURNEY_ROOT" ls-tree --name-only "$release_0_1_0" src/sql/ | sort); do
		git -C "$JOURNEY_ROOT" show "$release_0_1_0:$piece"
	done >"$work/released.sql"
	if cmp -s "$work/released.sql" "$JOURNEY_ROOT/journey--$oldest.sql"; then
		echo "ok: journey--$oldest.sql is the release commit's script"
	else
		echo "MISMATCH: journey--$oldest.sql differs from the script of release commit $release_0_1_0"
		SUITE_FAILED=1
	fi
else
	echo "ok: journey--$oldest.sql not compared with its release commit (history not in this clone)"
fi

suite_q -d postgres -c "CREATE DATABASE $UP" -c "CREATE DATABASE $FRESH" >/dev/null
suite_q -d "$UP" -c "CREATE EXTENSION journey VERSION '$oldest'" >/dev/null
suite_q -d "$UP" -f "$here/fill.sql" >/dev/null
suite_expect "installed $oldest" \
	"$(suite_q -d "$UP" -c "SELECT extversion FROM pg_extension WHERE extname = 'journey'")" "$oldest"

# every registry table's rows, reading only the columns it has now, so that
# the same query can be run after the upgrade (which may add columns)
registry_rows() {
	suite_q -d "$UP" <<SQL
SELECT format('SELECT %L, r.* FROM (SELECT %s FROM journey.%I ORDER BY 1, 2) r;',
              c.relname, string_agg(quote_ident(a.attname), ', ' ORDER BY a.attnum), c.relname)
  FROM pg_class c JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
 WHERE c.relnamespace = 'journey'::regnamespace AND c.relkind = 'r'
 GROUP BY c.relname ORDER BY c.relname
SQL
}
registry_rows >"$work/registry.sql"
suite_q -d "$UP" -f "$work/registry.sql" >"$work/registry.before"
suite_q -d "$UP" -f "$here/answers.sql" >"$work/answers.before" 2>&1

suite_q -d "$UP" -c "ALTER EXTENSION journey UPDATE" >/dev/null
suite_expect "ALTER EXTENSION journey UPDATE reaches $default" \
	"$(suite_q -d "$UP" -c "SELECT extversion FROM pg_extension WHERE extname = 'journey'")" "$default"

suite_q -d "$UP" -f "$work/registry.sql" >"$work/registry.after"
suite_q -d "$UP" -f "$here/answers.sql" >"$work/answers.after" 2>&1
if diff -u "$work/registry.before" "$work/registry.after"; then
	echo "ok: every registry row kept ($(wc -l <"$work/registry.before") rows)"
else
	echo "MISMATCH: registry rows changed by the upgrade"; SUITE_FAILED=1
fi
if grep -q ERROR "$work/answers.before"; then
	echo "MISMATCH: answers.sql failed under $oldest:"; grep ERROR "$work/answers.before"; SUITE_FAILED=1
fi
if diff -u "$work/answers.before" "$work/answers.after"; then
	echo "ok: every answer the same after the upgrade ($(wc -l <"$work/answers.before") lines)"
else
	echo "MISMATCH: answers changed by the upgrade"; SUITE_FAILED=1
fi

# the upgraded extension defines what a fresh install defines
suite_q -d "$FRESH" -c "CREATE EXTENSION journey" >/dev/null
suite_q -d "$UP" -c "DROP TABLE up_events" >/dev/null
extension_objects() {
	# binary-upgrade mode dumps extension members; drop what differs between
	# any two databases (OIDs, transaction horizons, sequence positions,
	# psql's restrict keys) and the registry's data (the fresh one has none)
	"$BIN/pg_dump" --binary-upgrade --schema-only --no-owner -d "$1" | python3 -c '
import re, sys
text = sys.stdin.read()
text = re.sub(r"UPDATE pg_catalog\.pg_class\nSET relfrozenxid[^;]*;\n", "", text)
text = re.sub(r"-- For binary upgrade, set (heap|toast)\x27s relfrozenxid and relminmxid\n", "", text)
out = []
for line in text.splitlines():
    if re.match(r"(SELECT pg_catalog\.(binary_upgrade_|setval|pg_extension_config_dump|set_config)"
                r"|\\(un)?restrict |-- (Dependencies|Name|TOC))", line):
        continue
    out.append(re.sub(r" OID [0-9]+", "", line))
sys.stdout.write(re.sub(r"\n{3,}", "\n\n", "\n".join(out)))
'
}
extension_objects "$UP" >"$work/schema.upgraded"
extension_objects "$FRESH" >"$work/schema.fresh"
if diff -u "$work/schema.fresh" "$work/schema.upgraded" >"$work/schema.diff"; then
	echo "ok: the upgraded extension defines what a fresh $default does ($(grep -c 'ALTER EXTENSION journey ADD' "$work/schema.fresh") members)"
else
	echo "MISMATCH: upgraded $oldest differs from a fresh $default (- fresh, + upgraded):"
	head -200 "$work/schema.diff"; SUITE_FAILED=1
fi
exit $SUITE_FAILED
