#!/usr/bin/env bash
# test/suites/95_bi_clients.sh: the views as a real BI client sees them.
# SQLAlchemy's inspector over psycopg2 (Debian packages, installed here)
# reflects every view of the extension, as the read-only BI role of
# doc/security.md: every column must come with a comment and a type a chart
# can use (no array, json, jsonb, composite or unknown type, no interval
# without its float8 twin in seconds).  pandas then reads each view: count
# columns (bigint but ids) must arrive as integers, the float8 columns as
# floats, and every view must have rows over the demo's data.
# Needs PGHOST/PGPORT/PGUSER of a running cluster (exported by test/check).
source "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"

journey_packages python3-sqlalchemy python3-psycopg2 python3-pandas
DB=journey_bi_clients
ROLE=journey_suite_client
suite_database $DB
trap "suite_q -d postgres -c 'DROP DATABASE IF EXISTS $DB' -c 'DROP ROLE IF EXISTS $ROLE' >/dev/null 2>&1 || true" EXIT
suite_q -d postgres -c "DROP ROLE IF EXISTS $ROLE" -c "CREATE ROLE $ROLE LOGIN" >/dev/null
journey_demo_load $DB 2000 /dev/null >/dev/null
journey_bi_recipe $ROLE public events | suite_q -d $DB >/dev/null
journey_bi_snapshot_recipe $ROLE | suite_q -d $DB >/dev/null
# a snapshot of every source, so that journey.snapshot_status has rows
suite_q -d $DB -c "SELECT count(*) FROM journey.source s CROSS JOIN LATERAL journey.refresh(s.name) r" >/dev/null

/usr/bin/python3 - "$PGHOST" "$PGPORT" "$DB" "$ROLE" <<'PY' || SUITE_FAILED=1
import sys, warnings
import pandas as pd
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql as pg

host, port, db, role = sys.argv[1:]
engine = sa.create_engine(f'postgresql+psycopg2://{role}@/{db}', connect_args={'host': host, 'port': port})
failed = False
def check(what, ok, detail=''):
    global failed
    print(('ok: ' if ok else 'MISMATCH: ') + what + ('' if ok else ': ' + detail))
    failed |= not ok

with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter('always')
    inspector = sa.inspect(engine)
    views = sorted(inspector.get_view_names(schema='journey'))
    columns = {v: inspector.get_columns(v, schema='journey') for v in views}
check('the inspector reflects the views of schema journey: ' + ', '.join(views), len(views) >= 9)
check('no column reflected with a type SQLAlchemy does not know',
      not [w for w in caught if 'Did not recognize type' in str(w.message)],
      '; '.join(str(w.message) for w in caught))

bad_types = (pg.ARRAY, pg.JSON, pg.JSONB, sa.types.NullType)
for view in views:
    cols = columns[view]
    names = {c['name']: c for c in cols}
    uncommented = [c['name'] for c in cols if not (c.get('comment') or '').strip()]
    check(f'{view}: a comment on each of its {len(cols)} columns', not uncommented, ', '.join(uncommented))
    unfit = [f"{c['name']} {c['type']}" for c in cols if isinstance(c['type'], bad_types)]
    unfit += [f"{c['name']} {c['type']} without {c['name']}_seconds"
              for c in cols if isinstance(c['type'], pg.INTERVAL)
              and not isinstance(names.get(c['name'] + '_seconds', {}).get('type'), sa.Float)]
    check(f'{view}: plain column types ('
          + ', '.join(f"{c['name']} {c['type']}" for c in cols) + ')', not unfit, ', '.join(unfit))

with engine.connect() as conn:
    for view in views:
        frame = pd.read_sql(sa.text(f'SELECT * FROM journey.{view}'), conn)
        counts = [c['name'] for c in columns[view]
                  if isinstance(c['type'], sa.BigInteger) and not c['name'].endswith('_id')]
        floats = [c['name'] for c in columns[view] if isinstance(c['type'], sa.Float)]
        wrong = [f'{n} {frame[n].dtype}' for n in counts if str(frame[n].dtype) != 'int64']
        # (a float8 column with no value at all has nothing to type: pandas
        # gives it dtype object, as it would any empty column)
        wrong += [f'{n} {frame[n].dtype}' for n in floats
                  if str(frame[n].dtype) != 'float64' and not frame[n].isna().all()]
        check(f'{view}: pandas reads {len(frame)} rows, counts as int64 ({", ".join(counts) or "none"}), '
              f'{len(floats)} float8 columns as float64', len(frame) > 0 and not wrong, ', '.join(wrong))
sys.exit(1 if failed else 0)
PY

exit $SUITE_FAILED
