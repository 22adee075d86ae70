#!/usr/bin/env bash
# test/suites/93_pictures.sh: the pictures as people see them.  The demo's
# HTML report (test/demo.d on 2,000 sample customers) must hold the four
# pictures (funnel, Sankey, attribution, review cycles), each a valid SVG
# document for an XML parser other than the server's; the same functions
# over labels holding <, &, quotes and control characters must give valid
# SVG that shows the labels as written; and headless Chromium must render
# the report to a screenshot that is not blank.
# Needs PGHOST/PGPORT/PGUSER of a running cluster (exported by test/check).
source "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"

journey_packages chromium python3-pil fonts-dejavu-core
DB=journey_pictures
suite_database $DB
WORK=$(mktemp -d /tmp/journey-pictures.XXXXXX)
chmod 755 "$WORK"
trap "suite_q -d postgres -c 'DROP DATABASE IF EXISTS $DB' >/dev/null 2>&1 || true; rm -rf '$WORK'" EXIT

journey_demo_load $DB 2000 "$WORK/report.html" >"$WORK/demo.out"
suite_expect "the demo wrote its report" "$(test -s "$WORK/report.html" && echo yes)" yes

# A source whose channels, moments, cycle and name need escaping.
suite_q -d $DB >/dev/null <<'SQL'
CREATE TABLE evil_events AS
SELECT customer_id, ts, event,
       CASE channel WHEN 'Email' THEN E'<b>E&mail</b> "quoted" \'single\' \x01'
                    WHEN 'Paid Search' THEN ']]> & <!-- -->' ELSE channel END AS channel,
       revenue
  FROM events WHERE customer_id % 4 = 0;
INSERT INTO journey.source (name, relation, customer_column, time_column, event_column,
                            channel_column, value_column, conversion_event)
VALUES ('<evil> & "co"', 'evil_events', 'customer_id', 'ts', 'event', 'channel', 'revenue', 'purchase');
INSERT INTO journey.moment VALUES ('<evil> & "co"', 1, 'Visit <1>', 'site_visit'),
  ('<evil> & "co"', 2, 'Sign "up" & go', 'signup'), ('<evil> & "co"', 3, E'Buy \'it\'', 'purchase');
INSERT INTO journey.review_cycle (source, name, starts_on, ends_on)
VALUES ('<evil> & "co"', 'Q1 <&>', '2026-01-01', '2026-03-31'),
       ('<evil> & "co"', 'Q2 "x"', '2026-04-01', '2026-06-30');
SQL
for picture in funnel_svg sankey_svg attribution_svg review_svg; do
	suite_q -d $DB -c "SELECT journey.$picture('<evil> & \"co\"')" >"$WORK/evil_$picture.svg"
done

/usr/bin/python3 - "$WORK" <<'PY' || SUITE_FAILED=1
import re, sys, xml.etree.ElementTree as ET
work = sys.argv[1]
SVG = '{http://www.w3.org/2000/svg}'
failed = False
def check(what, ok, detail=''):
    global failed
    print(('ok: ' if ok else 'MISMATCH: ') + what + ('' if ok else ': ' + detail))
    failed |= not ok

html = open(work + '/report.html', encoding='utf-8').read()
figures = dict(re.findall(r'<figure id="(\w+)">(.*?)</figure>', html, re.S))
check('the report has the four pictures', sorted(figures) == ['attribution', 'funnel', 'review', 'sankey'],
      str(sorted(figures)))
# what each picture must draw at least, counted by an XML parser
need = {'funnel': ('rect', 6 * 2), 'sankey': ('path', 20), 'attribution': ('rect', 9 * 7),
        'review': ('polyline', 5)}
for name, svg in sorted(figures.items()):
    try:
        root = ET.fromstring(svg)
    except ET.ParseError as e:
        check(f'{name}: valid XML', False, str(e))
        continue
    tag, least = need[name]
    n = len(root.findall('.//' + SVG + tag))
    check(f'{name}: an svg document with {n} {tag} elements (at least {least})',
          root.tag == SVG + 'svg' and n >= least, root.tag)
for pre in ('funnel-mermaid', 'sankey-mermaid'):
    m = re.search(r'<pre id="%s">(.*?)</pre>' % pre, html, re.S)
    check(f'the report shows the {pre} text', m is not None and len(m.group(1)) > 50)

expect = {'<b>E&mail</b> "quoted" \'single\'', ']]> & <!-- -->', 'Visit <1>', 'Sign "up" & go',
          "Buy 'it'", 'Q1 <&>', 'Q2 "x"', '<evil> & "co"'}
seen = set()
for name in ('funnel_svg', 'sankey_svg', 'attribution_svg', 'review_svg'):
    text = open(f'{work}/evil_{name}.svg', encoding='utf-8').read()
    try:
        root = ET.fromstring(text)
    except ET.ParseError as e:
        check(f'{name} over labels to escape: valid XML', False, str(e))
        continue
    strings = [t for e in root.iter() for t in (e.text, e.get('title')) if t]
    found = {x for x in expect if any(x in s for s in strings)}
    seen |= found
    check(f'{name} over labels to escape: valid XML showing {len(found)} of the labels as written',
          len(found) > 0)
check('every label to escape appears as written', seen == expect, str(expect - seen))
sys.exit(1 if failed else 0)
PY

# Render the report as a browser does and look at the pixels.
export HOME=$WORK
if timeout 180 chromium --headless --no-sandbox --disable-gpu --hide-scrollbars \
	--user-data-dir="$WORK/chromium" --window-size=1100,3600 \
	--screenshot="$WORK/report.png" "file://$WORK/report.html" >"$WORK/chromium.log" 2>&1 &&
	[ -s "$WORK/report.png" ]; then
	echo "ok: headless Chromium rendered the report ($(stat -c %s "$WORK/report.png") bytes)"
else
	echo "MISMATCH: headless Chromium did not render the report"
	tail -5 "$WORK/chromium.log"
	SUITE_FAILED=1
fi
if [ -s "$WORK/report.png" ]; then
	/usr/bin/python3 - "$WORK/report.png" <<'PY' || SUITE_FAILED=1
import sys
from PIL import Image, ImageStat
img = Image.open(sys.argv[1]).convert('RGB')
grey = img.convert('L')
std = ImageStat.Stat(grey).stddev[0]
w, h = img.size
pixels = list(grey.getdata())
inked = sum(1 for p in pixels if p < 200) / len(pixels)
colours = len(img.getcolors(maxcolors=1 << 20) or [])
# by bands of 600 px: the pictures fill the page, not only its top
bands = [sum(1 for p in pixels[y * w:(y + 600) * w] if p < 200) / (600 * w) for y in range(0, h - 600, 600)]
ok = std > 20 and inked > 0.03 and colours > 50 and sum(1 for b in bands if b > 0.01) >= 4
print(('ok: ' if ok else 'MISMATCH: ') +
      f'the screenshot is not blank: {w}x{h}, grey standard deviation {std:.1f}, '
      f'{100 * inked:.1f}% inked, {colours} colours, inked share by 600 px band '
      + ' '.join(f'{100 * b:.1f}%' for b in bands))
sys.exit(0 if ok else 1)
PY
fi

exit $SUITE_FAILED
