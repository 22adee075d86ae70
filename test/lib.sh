# test/lib.sh: set-up shared by test/check, test/demo and test/bench.
#
# Installs what is missing (Debian packages), builds and installs the
# extension, and runs a throwaway PostgreSQL 15 cluster in a temporary
# directory that listens only on a Unix socket in that directory, so it
# never collides with another server.  Works as root (the server runs as
# the "postgres" user) and as an ordinary user.  The cluster is stopped and
# removed when the calling script exits.
#
# JOURNEY_STAGE=/some/dir installs into a private copy of the server under
# that directory instead of the system one (for running several checkouts
# side by side); unset, the extension is installed for real.

set -euo pipefail

JOURNEY_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
PG_MAJOR=15
PGBIN=/usr/lib/postgresql/$PG_MAJOR/bin

say() { printf '== %s\n' "$*" >&2; }

as_root() {
	if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi
}

# Debian packages the build, the tests and the demo need; a suite that needs
# more names them (journey_packages chromium python3-pil), so that only what
# it uses is installed.
journey_packages() {
	local need=() pkg
	for pkg in postgresql-$PG_MAJOR postgresql-server-dev-$PG_MAJOR \
		postgresql-client-$PG_MAJOR libicu-dev pkg-config make gcc python3 "$@"; do
		dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'ok installed' \
			|| need+=("$pkg")
	done
	((${#need[@]})) || return 0
	say "installing ${need[*]}"
	# a freshly installed server package must not create and start a cluster
	as_root mkdir -p /etc/postgresql-common/createcluster.d
	echo 'create_main_cluster = false' |
		as_root tee /etc/postgresql-common/createcluster.d/journey-no-main.conf >/dev/null
	as_root apt-get update -qq
	as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
		--no-install-recommends "${need[@]}" >/dev/null
}

# journey_build_install [make variables...], e.g. ASSERTS=1
journey_build_install() {
	local flags="$*" stamp=$JOURNEY_ROOT/.build-flags
	say "building${flags:+ with $flags}"
	# objects built with other flags are rebuilt
	if [ "$(cat "$stamp" 2>/dev/null)" != "$flags" ]; then
		make -C "$JOURNEY_ROOT" -s clean PG_CONFIG=/usr/lib/postgresql/$PG_MAJOR/bin/pg_config >/dev/null
		echo "$flags" >"$stamp"
	fi
	make -C "$JOURNEY_ROOT" -s -j2 PG_CONFIG=/usr/lib/postgresql/$PG_MAJOR/bin/pg_config "$@"
	if [ -n "${JOURNEY_STAGE:-}" ]; then
		if [ ! -x "$JOURNEY_STAGE$PGBIN/postgres" ]; then
			mkdir -p "$JOURNEY_STAGE/usr/lib/postgresql" "$JOURNEY_STAGE/usr/share/postgresql"
			cp -a /usr/lib/postgresql/$PG_MAJOR "$JOURNEY_STAGE/usr/lib/postgresql/"
			cp -a /usr/share/postgresql/$PG_MAJOR "$JOURNEY_STAGE/usr/share/postgresql/"
			chmod -R a+rX "$JOURNEY_STAGE"
		fi
		make -C "$JOURNEY_ROOT" -s install DESTDIR="$JOURNEY_STAGE" \
			PG_CONFIG=/usr/lib/postgresql/$PG_MAJOR/bin/pg_config >/dev/null
		PGBIN=$JOURNEY_STAGE$PGBIN
	else
		as_root make -C "$JOURNEY_ROOT" -s install \
			PG_CONFIG=/usr/lib/postgresql/$PG_MAJOR/bin/pg_config >/dev/null
	fi
}

# journey_module_install DIR: build a test-only module (test/bench_floor,
# test/fuzz_driver) and install it beside the extension, where
# journey_build_install puts the extension; it is never part of it.
journey_module_install() {
	local dir=$JOURNEY_ROOT/$1
	make -C "$dir" -s PG_CONFIG=/usr/lib/postgresql/$PG_MAJOR/bin/pg_config
	if [ -n "${JOURNEY_STAGE:-}" ]; then
		make -C "$dir" -s install DESTDIR="$JOURNEY_STAGE" \
			PG_CONFIG=/usr/lib/postgresql/$PG_MAJOR/bin/pg_config >/dev/null
	else
		as_root make -C "$dir" -s install \
			PG_CONFIG=/usr/lib/postgresql/$PG_MAJOR/bin/pg_config >/dev/null
	fi
}

# Run a command as the server's owner.
as_server() {
	if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

cluster_stop() {
	if [ -n "${CLUSTER_DIR:-}" ] && [ -d "$CLUSTER_DIR" ]; then
		as_server "$PGBIN/pg_ctl" -D "$CLUSTER_DIR/data" -m fast -w stop >/dev/null 2>&1 || true
		rm -rf "$CLUSTER_DIR"
	fi
}

# cluster_start [extra postgres options...]
# With CLUSTER_TCP_PORT set, the cluster also listens on localhost at that
# port (the socket uses the same port number), where every role must give
# its password (scram-sha-256); the socket trusts local users as always.
cluster_start() {
	local listen="''" host_auth=trust
	CLUSTER_DIR=$(mktemp -d /tmp/journey-cluster.XXXXXX)
	trap cluster_stop EXIT
	trap 'exit 130' INT TERM
	chmod 755 "$CLUSTER_DIR"
	[ "$(id -u)" = 0 ] && chown postgres: "$CLUSTER_DIR"
	say "starting a throwaway cluster in $CLUSTER_DIR"
	export PGHOST=$CLUSTER_DIR PGPORT=5432 PGUSER=postgres PGDATABASE=postgres
	if [ -n "${CLUSTER_TCP_PORT:-}" ]; then
		listen=localhost host_auth=scram-sha-256 PGPORT=$CLUSTER_TCP_PORT
	fi
	as_server "$PGBIN/initdb" -D "$CLUSTER_DIR/data" -U postgres --auth-local=trust \
		--auth-host=$host_auth -E UTF8 --locale=C.UTF-8 --no-sync >"$CLUSTER_DIR/initdb.log" 2>&1 \
		|| { cat "$CLUSTER_DIR/initdb.log" >&2; return 1; }
	as_server "$PGBIN/pg_ctl" -D "$CLUSTER_DIR/data" -l "$CLUSTER_DIR/server.log" -w \
		-o "-c listen_addresses=$listen -k $CLUSTER_DIR -p $PGPORT -c fsync=off" \
		-o "-c synchronous_commit=off -c full_page_writes=off $*" start >/dev/null \
		|| { cat "$CLUSTER_DIR/server.log" >&2; return 1; }
}

# cluster_keep: leave the cluster running when the script ends; prints the
# command that stops it and removes its files
cluster_keep() {
	trap - EXIT INT TERM
	local stop="$PGBIN/pg_ctl -D $CLUSTER_DIR/data -m fast stop && rm -rf $CLUSTER_DIR"
	[ "$(id -u)" = 0 ] && stop="runuser -u postgres -- $PGBIN/pg_ctl -D $CLUSTER_DIR/data -m fast stop && rm -rf $CLUSTER_DIR"
	echo "stop it and remove its files with:"
	echo "  $stop"
}

# journey_demo_load DATABASE CUSTOMERS REPORT: the demo in DATABASE: the
# extension, CUSTOMERS sample customers in table events, then every piece of
# test/demo.d in name order (their output on stdout), the last writing the
# HTML page with the pictures to REPORT
journey_demo_load() {
	local db=$1 customers=$2 report=$3 piece
	say "loading $customers sample customers"
	psql_q -d "$db" <<SQL
CREATE EXTENSION journey;
CREATE TABLE events AS SELECT * FROM journey.sample_events($customers, 42);
CREATE INDEX ON events (customer_id, ts);
ANALYZE events;
SQL
	for piece in "$JOURNEY_ROOT"/test/demo.d/*.sql; do
		[ -e "$piece" ] || continue
		psql_q -d "$db" -P pager=off -v report="$report" -f "$piece"
	done
}

# journey_doc_sql DOC PHRASE: the first ```sql block after the first line of
# doc/DOC holding PHRASE, so that a suite or the demo runs the very recipe
# the documentation shows
journey_doc_sql() {
	awk -v phrase="$2" 'index($0, phrase) { found = 1 }
		found && !inblock && /^```sql/ { inblock = 1; next }
		inblock && /^```/ { exit }
		inblock { print }' "$JOURNEY_ROOT/doc/$1"
}

# journey_bi_recipe ROLE SCHEMA RELATION: doc/security.md's read-only BI
# role recipe for ROLE and the event relation SCHEMA.RELATION (and no
# owner role to add to it)
journey_bi_recipe() {
	journey_doc_sql security.md 'A **read-only BI role**' |
		grep -v '^GRANT bi TO etl;' |
		sed -e "s/ TO bi;/ TO $1;/" -e "s/SCHEMA analytics /SCHEMA $2 /" \
			-e "s/ON analytics.events /ON $2.$3 /"
}

# journey_bi_snapshot_recipe ROLE: doc/security.md's grants on the snapshot
# tables for a BI role that reads every view (journey.snapshot_status among
# them), for ROLE
journey_bi_snapshot_recipe() {
	journey_doc_sql security.md 'grant `SELECT` on them only to roles' |
		sed -e "s/ TO bi;/ TO $1;/"
}

psql_q() { "$PGBIN/psql" -X -q -v ON_ERROR_STOP=1 "$@"; }

# Checks for test/suites/*.sh (which source this file): each prints
# "ok: what" or "MISMATCH: ..." and sets SUITE_FAILED=1 on a mismatch; a
# suite ends with `exit $SUITE_FAILED`.
SUITE_FAILED=0

# suite_q: psql as suites use it (quiet, unaligned, tuples only, stop on error)
suite_q() { "$PGBIN/psql" -X -q -At -v ON_ERROR_STOP=1 "$@"; }

# suite_database NAME: a fresh database NAME, dropped when the suite exits
# (through an EXIT trap: a suite that sets its own must drop it itself)
suite_database() {
	suite_q -d postgres -c "DROP DATABASE IF EXISTS $1" -c "CREATE DATABASE $1" >/dev/null
	trap "suite_q -d postgres -c 'DROP DATABASE IF EXISTS $1' >/dev/null 2>&1 || true" EXIT
}

# suite_random_database NAME: for a suite that checks against an oracle on
# random data: a fresh database NAME (as suite_database), a scratch
# directory SUITE_WORK the server can read, both removed when the suite
# exits, and the seed SUITE_SEED: JOURNEY_FUZZ_SEED, or a fresh one
suite_random_database() {
	suite_database "$1"
	SUITE_WORK=$(mktemp -d "/tmp/$1.XXXXXX")
	chmod 755 "$SUITE_WORK"
	trap "suite_q -d postgres -c 'DROP DATABASE IF EXISTS $1' >/dev/null 2>&1 || true; rm -rf '$SUITE_WORK'" EXIT
	SUITE_SEED=${JOURNEY_FUZZ_SEED:-$(od -An -N4 -tu4 /dev/urandom | tr -d ' ')}
}

# suite_expect what actual expected
suite_expect() {
	if [ "$2" = "$3" ]; then
		echo "ok: $1"
	else
		echo "MISMATCH: $1: got '$2', expected '$3'"
		SUITE_FAILED=1
	fi
}

# suite_expect_error what message-fragment command...: the command must fail
# and its output contain the fragment
suite_expect_error() {
	local what=$1 fragment=$2 out
	shift 2
	if out=$("$@" 2>&1); then
		echo "MISMATCH: $what: no error, got '$out'"
		SUITE_FAILED=1
	elif [[ "$out" == *"$fragment"* ]]; then
		echo "ok: $what ($out)"
	else
		echo "MISMATCH: $what: got '$out', expected an error containing '$fragment'"
		SUITE_FAILED=1
	fi
}

# Fuzzing (test/suites/01_state_fuzz.sh, 05_parser_fuzz.sh; test/fuzz runs
# them long).  Inputs come from the test-only driver (test/fuzz_driver):
# input i of a seed depends on (seed, i) alone, and each statement tests a
# batch of them, each in a subtransaction, with no SQL round trip per input.
#   JOURNEY_FUZZ_SEED   the seed; by default a fresh one, printed so that a
#                       failure can be replayed
#   JOURNEY_FUZZ_COUNT  inputs per parser; by default the suite's own
#   JOURNEY_FUZZ_BATCH  inputs per statement (default 20000)

# fuzz_init DATABASE DEFAULT_COUNT: the database, the driver, the seed
fuzz_init() {
	FUZZ_DB=$1
	FUZZ_SEED=${JOURNEY_FUZZ_SEED:-$(od -An -N6 -tu8 /dev/urandom | tr -d ' ')}
	FUZZ_COUNT=${JOURNEY_FUZZ_COUNT:-$2}
	FUZZ_BATCH=${JOURNEY_FUZZ_BATCH:-20000}
	journey_module_install test/fuzz_driver
	suite_database "$FUZZ_DB"
	suite_q -d "$FUZZ_DB" -f "$JOURNEY_ROOT/test/fuzz_driver/fuzz.sql" >/dev/null
	suite_q -d "$FUZZ_DB" >/dev/null <<'SQL'
CREATE EXTENSION journey;
-- what each parser's inputs are made of: valid texts and pieces, or seed states
CREATE TABLE fuzz_gen (parser text PRIMARY KEY, query text NOT NULL,
                       valid text[], pieces text[], seeds bytea[]);
CREATE TABLE fuzz_outcome (parser text, first int8, outcome text, inputs int8,
                           example text, message text);
SQL
	echo "fuzz seed $FUZZ_SEED, $FUZZ_COUNT inputs per parser; replay with" \
		"JOURNEY_FUZZ_SEED=$FUZZ_SEED JOURNEY_FUZZ_COUNT=$FUZZ_COUNT bash $0"
}

# fuzz_parser NAME: run the inputs of parser NAME (a row of fuzz_gen) in
# batches; prints the rate.  A failed batch (a crash) is reported with the
# seed, the batch's inputs and, from the server log, the input that was
# running; the function then returns 1.
fuzz_parser() {
	local name=$1 first=0 n out t0 t1 log line
	t0=$(date +%s%N)
	while [ "$first" -lt "$FUZZ_COUNT" ]; do
		n=$((FUZZ_COUNT - first))
		[ "$n" -gt "$FUZZ_BATCH" ] && n=$FUZZ_BATCH
		if ! out=$(suite_q -d "$FUZZ_DB" -v name="$name" 2>&1 <<SQL
INSERT INTO fuzz_outcome
SELECT g.parser, $first, r.*
  FROM fuzz_gen g,
       LATERAL (SELECT * FROM fuzz_run(g.query, $FUZZ_SEED, $first, $n, g.valid, g.pieces)
                UNION ALL
                SELECT * FROM fuzz_run(g.query, $FUZZ_SEED, $first, $n, g.seeds)) r
 WHERE g.parser = :'name';
SQL
		); then
			echo "MISMATCH: $name: the batch of inputs $first to $((first + n - 1)) of seed $FUZZ_SEED failed (server crash?): $out"
			# test/check's server log, where the server reports what a
			# crashed process was running (it may take a moment)
			log=${PGHOST:-}/server.log
			for _ in 1 2 3 4 5; do
				if [ -f "$log" ] &&
					line=$(grep -a 'Failed process was running: journey fuzz seed' "$log" | tail -1); then
					echo "  the server log names the input: ${line#*running: }"
					break
				fi
				sleep 1
			done
			echo "  replay: JOURNEY_FUZZ_SEED=$FUZZ_SEED; the input is fuzz_text(seed, i, valid, pieces)" \
				"or fuzz_bytes(seed, i, seeds) of test/fuzz_driver/fuzz.sql with this parser's arrays"
			SUITE_FAILED=1
			return 1
		fi
		first=$((first + n))
		# a long run says how far it got, every 25 batches
		[ "$FUZZ_COUNT" -gt $((10 * FUZZ_BATCH)) ] && [ $((first / FUZZ_BATCH % 25)) = 0 ] &&
			echo "  $(fuzz_rate "$name" "$first" "$t0")"
	done
	fuzz_rate "$name" "$FUZZ_COUNT" "$t0"
}

# fuzz_rate WHAT DONE T0: "WHAT: DONE inputs in N ms, R per second" since T0
# (date +%s%N)
fuzz_rate() {
	local t1
	t1=$(date +%s%N)
	echo "$1: $2 inputs in $((($t1 - $3) / 1000000)) ms, $(($2 * 1000000000 / ($t1 - $3 + 1))) per second"
}

# fuzz_outcomes NAME: "outcome=count ..." of parser NAME
fuzz_outcomes() {
	suite_q -d "$FUZZ_DB" -v name="$1" <<'SQL'
SELECT string_agg(outcome || '=' || n, ' ' ORDER BY outcome)
  FROM (SELECT outcome, sum(inputs) AS n FROM fuzz_outcome
         WHERE parser = :'name' GROUP BY outcome) o;
SQL
}

# fuzz_expect NAME "ok 22023 ...": no outcome of parser NAME but those;
# an unexpected one is shown with its first input and message
fuzz_expect() {
	local name=$1 allowed=$2 bad
	bad=$(suite_q -d "$FUZZ_DB" -v name="$name" -v allowed="$allowed" <<'SQL'
SELECT outcome || ' (' || sum(inputs) || ' inputs), first: ' ||
       quote_literal((array_agg(example ORDER BY first))[1]) || ': ' ||
       coalesce((array_agg(message ORDER BY first))[1], '')
  FROM fuzz_outcome
 WHERE parser = :'name' AND outcome <> ALL (string_to_array(:'allowed', ' '))
 GROUP BY outcome;
SQL
	)
	suite_expect "$name: no outcome but $allowed" "$bad" ""
}

# fuzz_seen NAME OUTCOME WHAT: some input of parser NAME ended in OUTCOME
fuzz_seen() {
	suite_expect "$1: $3" "$(suite_q -d "$FUZZ_DB" -v name="$1" -v outcome="$2" <<'SQL'
SELECT count(*) > 0 FROM fuzz_outcome WHERE parser = :'name' AND outcome = :'outcome';
SQL
	)" t
}
