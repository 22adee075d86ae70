#!/usr/bin/env bash
# test/suites/96_packaging.sh: the extension as it is published.
# 1. LICENSE is the PostgreSQL License of "The journey authors".
# 2. META.json is valid PGXN metadata (Meta Spec 1.0: its required keys, a
#    SemVer version, a known license, provides with existing files, prereqs
#    by phase and relationship, no unknown key) and agrees with the Makefile
#    and journey.control on the version.
# 3. "make installcheck" passes from a bare checkout, without the reference
#    data beside it: the one test that reads it is left out, and says so.
# Needs PGHOST/PGPORT/PGUSER of a running cluster with the extension
# installed (exported by test/check).
source "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"

WORK=$(mktemp -d /tmp/journey-packaging.XXXXXX)
trap "rm -rf '$WORK'" EXIT

suite_expect "LICENSE is the PostgreSQL License of The journey authors" \
	"$(head -1 "$JOURNEY_ROOT/LICENSE")|$(grep -c 'Copyright (c) [0-9-]*, The journey authors' "$JOURNEY_ROOT/LICENSE")|$(grep -c 'Permission to use, copy, modify, and distribute this software and its' "$JOURNEY_ROOT/LICENSE")" \
	"PostgreSQL License|1|1"

python3 - "$JOURNEY_ROOT" <<'PY' || SUITE_FAILED=1
import json, os, re, sys
root = sys.argv[1]
failed = False
def check(what, ok, detail=''):
    global failed
    print(('ok: ' if ok else 'MISMATCH: ') + what + ('' if ok else ': ' + str(detail)))
    failed |= not ok

# PGXN Meta Spec 1.0.0 (https://pgxn.org/spec/)
SEMVER = re.compile(r'^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(-[0-9A-Za-z-]+(\.[0-9A-Za-z-]+)*)?(\+[0-9A-Za-z-]+(\.[0-9A-Za-z-]+)*)?$')
TERM = re.compile(r'^[^/\\\s\x00-\x1f\x7f]{2,}$')
CUSTOM = re.compile(r'^[xX]_.')
LICENSES = {'agpl_3', 'apache_1_1', 'apache_2_0', 'artistic_1', 'artistic_2', 'bsd', 'freebsd',
            'gfdl_1_2', 'gfdl_1_3', 'gpl_1', 'gpl_2', 'gpl_3', 'lgpl_2_1', 'lgpl_3_0', 'mit',
            'mozilla_1_0', 'mozilla_1_1', 'openssl', 'perl_5', 'postgresql', 'qpl_1_0', 'ssleay',
            'sun', 'zlib', 'open_source', 'restricted', 'unrestricted', 'unknown'}
RANGE = re.compile(r'^\s*(==|!=|>=|<=|>|<)?\s*(\d+\.\d+\.\d+\S*)\s*$')
errors = []
def err(msg): errors.append(msg)
def nonempty_string(v): return isinstance(v, str) and len(v) > 0
def path_ok(p): return nonempty_string(p) and not p.startswith('/') and '\\' not in p

try:
    meta = json.load(open(os.path.join(root, 'META.json'), encoding='utf-8'))
except ValueError as e:
    check('META.json is JSON', False, e)
    sys.exit(1)
known = {'name', 'version', 'abstract', 'maintainer', 'license', 'provides', 'meta-spec',
         'description', 'generated_by', 'tags', 'no_index', 'prereqs', 'release_status', 'resources'}
for key in ('name', 'version', 'abstract', 'maintainer', 'license', 'provides', 'meta-spec'):
    if key not in meta: err(f'missing required key {key}')
for key in meta:
    if key not in known and not CUSTOM.match(key): err(f'unknown key {key}')
if not (isinstance(meta.get('name'), str) and TERM.match(meta['name'])): err('name is not a term')
if not (isinstance(meta.get('version'), str) and SEMVER.match(meta['version'])): err('version is not SemVer')
for key in ('abstract', 'description', 'generated_by'):
    if key in meta and not nonempty_string(meta[key]): err(f'{key} is not a non-empty string')
m = meta.get('maintainer')
if not (nonempty_string(m) or (isinstance(m, list) and m and all(nonempty_string(x) for x in m))):
    err('maintainer is not a string or a list of strings')
lic = meta.get('license')
if not ((isinstance(lic, str) and lic in LICENSES)
        or (isinstance(lic, list) and lic and all(x in LICENSES for x in lic))
        or (isinstance(lic, dict) and lic and all(nonempty_string(v) and re.match(r'^[a-z]+:', v) for v in lic.values()))):
    err(f'license {lic!r} is not a known license, a list of them or an object of URIs')
spec = meta.get('meta-spec', {})
if not (isinstance(spec, dict) and re.match(r'^1\.0\.\d+$', str(spec.get('version', '')))
        and set(spec) <= {'version', 'url'} | {k for k in spec if CUSTOM.match(k)}
        and spec.get('url', 'https://pgxn.org/meta/spec.txt') in ('https://pgxn.org/meta/spec.txt', 'http://pgxn.org/meta/spec.txt')):
    err('meta-spec is not {"version": "1.0.x", "url": the spec}')
provides = meta.get('provides')
if not (isinstance(provides, dict) and provides): err('provides is not a non-empty object')
for ext, p in (provides or {}).items():
    if not TERM.match(ext): err(f'provides: {ext} is not a term')
    if not isinstance(p, dict): err(f'provides: {ext} is not an object'); continue
    for key in p:
        if key not in ('file', 'version', 'abstract', 'docfile', 'docpath') and not CUSTOM.match(key):
            err(f'provides.{ext}: unknown key {key}')
    if not (path_ok(p.get('file')) and os.path.isfile(os.path.join(root, p['file']))):
        err(f'provides.{ext}.file is not a file of the distribution')
    if 'docfile' in p and not (path_ok(p['docfile']) and os.path.isfile(os.path.join(root, p['docfile']))):
        err(f'provides.{ext}.docfile is not a file of the distribution')
    if not (isinstance(p.get('version'), str) and SEMVER.match(p['version'])):
        err(f'provides.{ext}.version is not SemVer')
    if 'abstract' in p and not nonempty_string(p['abstract']): err(f'provides.{ext}.abstract is empty')
prereqs = meta.get('prereqs', {'runtime': {}})
if not (isinstance(prereqs, dict) and prereqs): err('prereqs is not a non-empty object')
for phase, rels in (prereqs or {}).items():
    if phase not in ('configure', 'build', 'test', 'runtime', 'develop') and not CUSTOM.match(phase):
        err(f'prereqs: unknown phase {phase}'); continue
    for rel, exts in (rels or {}).items():
        if rel not in ('requires', 'recommends', 'suggests', 'conflicts') and not CUSTOM.match(rel):
            err(f'prereqs.{phase}: unknown relationship {rel}'); continue
        for ext, rng in exts.items():
            ok = rng == 0 or (isinstance(rng, str) and all(RANGE.match(part) for part in rng.split(',')))
            if not ok: err(f'prereqs.{phase}.{rel}.{ext}: {rng!r} is not a version range')
tags = meta.get('tags', ['x'])
if not (isinstance(tags, list) and tags and all(isinstance(t, str) and 0 < len(t) <= 255 and not re.search(r'[\x00-\x1f]', t) for t in tags)):
    err('tags is not a list of short strings')
if meta.get('release_status', 'stable') not in ('stable', 'testing', 'unstable'): err('release_status is unknown')
check('META.json follows the PGXN Meta Spec 1.0', not errors, '; '.join(errors))

makefile = open(os.path.join(root, 'Makefile')).read()
control = open(os.path.join(root, 'journey.control')).read()
versions = {'META.json': meta.get('version'),
            'META.json provides': (provides or {}).get('journey', {}).get('version'),
            'Makefile': re.search(r'^EXTVERSION = (\S+)', makefile, re.M).group(1),
            'journey.control': re.search(r"^default_version = '([^']+)'", control, re.M).group(1)}
check('one version everywhere: ' + ', '.join(f'{k} {v}' for k, v in versions.items()),
      len(set(versions.values())) == 1)
sys.exit(1 if failed else 0)
PY

# A bare checkout: the files the project tracks (all of them when this is
# not a git checkout), in a folder with no reference data beside it.
bare=$WORK/checkout/journey
mkdir -p "$bare"
if git -C "$JOURNEY_ROOT" rev-parse --is-inside-work-tree >/dev/null 2>&1; then
	(cd "$JOURNEY_ROOT" && git ls-files -z | xargs -0 cp --parents -t "$bare" 2>/dev/null || true)
else
	cp -a "$JOURNEY_ROOT"/. "$bare"/
	rm -rf "$bare/results" "$bare/regression.diffs" "$bare/regression.out"
fi
chmod -R a+rX "$WORK"
set +e
out=$(cd "$bare" && env -u JOURNEY_SHARED make -s installcheck \
	PG_CONFIG=/usr/lib/postgresql/$PG_MAJOR/bin/pg_config \
	EXTRA_REGRESS_OPTS="--host=$PGHOST --port=$PGPORT --user=$PGUSER" 2>&1)
status=$?
set -e
tests=$(grep -cE '^(test|ok) .* \.\.\. +ok' <<<"$out" || true)
if [ $status -eq 0 ] && grep -q 'skipping 31_attribution_conformance' <<<"$out" &&
	! grep -qE '^(test|ok) +31_attribution_conformance' <<<"$out"; then
	echo "ok: make installcheck from a bare checkout: $tests tests passed; $(grep 'skipping 31_' <<<"$out")"
else
	echo "MISMATCH: make installcheck from a bare checkout (status $status):"
	tail -20 <<<"$out"
	[ -f "$bare/regression.diffs" ] && head -50 "$bare/regression.diffs"
	SUITE_FAILED=1
fi

exit $SUITE_FAILED
