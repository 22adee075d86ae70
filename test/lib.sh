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

# Debian packages the build, the tests and the demo need.
journey_packages() {
	local need=() pkg
	for pkg in postgresql-$PG_MAJOR postgresql-server-dev-$PG_MAJOR \
		postgresql-client-$PG_MAJOR libicu-dev pkg-config make gcc python3; do
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
cluster_start() {
	CLUSTER_DIR=$(mktemp -d /tmp/journey-cluster.XXXXXX)
	trap cluster_stop EXIT
	trap 'exit 130' INT TERM
	chmod 755 "$CLUSTER_DIR"
	[ "$(id -u)" = 0 ] && chown postgres: "$CLUSTER_DIR"
	say "starting a throwaway cluster in $CLUSTER_DIR"
	as_server "$PGBIN/initdb" -D "$CLUSTER_DIR/data" -U postgres -A trust \
		-E UTF8 --locale=C.UTF-8 --no-sync >"$CLUSTER_DIR/initdb.log" 2>&1 \
		|| { cat "$CLUSTER_DIR/initdb.log" >&2; return 1; }
	export PGHOST=$CLUSTER_DIR PGPORT=5432 PGUSER=postgres PGDATABASE=postgres
	as_server "$PGBIN/pg_ctl" -D "$CLUSTER_DIR/data" -l "$CLUSTER_DIR/server.log" -w \
		-o "-c listen_addresses='' -k $CLUSTER_DIR -p $PGPORT -c fsync=off" \
		-o "-c synchronous_commit=off -c full_page_writes=off $*" start >/dev/null \
		|| { cat "$CLUSTER_DIR/server.log" >&2; return 1; }
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
