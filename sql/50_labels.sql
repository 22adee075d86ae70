-- Labels: normalize_label (ICU), channel_rule, default_channel.
-- Non-ASCII results are shown with their UTF-8 bytes so that every code
-- point is visible.

-- normalize_label: NFKC, full case folding, white space trimmed/collapsed
SELECT input, journey.normalize_label(input) AS normalized,
       encode(convert_to(journey.normalize_label(input), 'UTF8'), 'hex') AS utf8
  FROM (VALUES
    ('full-width', 'ＥＭＡＩＬ'),
    ('ligature fi', 'ﬁnance'),
    ('German sharp s', 'Straße'),
    ('capital sharp s', 'STRAẞE'),
    ('Greek final sigma', 'ΟΔΥΣΣΕΥΣ ς'),
    ('Turkish dotted I', 'İstanbul'),
    ('Turkish dotless i', 'ıi'),
    ('no-break spaces', E'\u00a0Paid\u00a0\u00a0Search\u202f'),
    ('ideographic space', E'\u3000google\u3000cpc\u3000'),
    ('line separators', E'\u2028a\u0085b\u2029'),
    ('ASCII white space', E' \tEmail \r\n  News\u000bletter\f '),
    ('composed/decomposed', E'Cafe\u0301 café'),
    ('circled, superscript', '①Ⓐ²'),
    ('Kelvin, Angstrom', 'K Å'),
    ('only spaces', E' \u3000\u00a0 '),
    ('empty', '')
  ) AS v(what, input);

-- the inputs of one channel from different tools agree
SELECT input, journey.normalize_label(input) AS normalized,
       journey.default_channel('newsletter', input) AS channel
  FROM (VALUES ('Email'), ('email '), ('ＥＭＡＩＬ'), ('e-mail'), (E'E\u00a0Mail'),
               (E'\u3000EMAIL')) AS v(input);

-- NULL in, NULL out
SELECT journey.normalize_label(NULL) IS NULL AS null_is_null;

-- the result is stable: normalizing twice changes nothing, for every code
-- point alone and for a few sequences that interact under folding
SELECT count(*) AS unstable_code_points
  FROM generate_series(1, 1114111) AS cp
 WHERE (cp < 55296 OR cp > 57343)
   AND journey.normalize_label(journey.normalize_label(chr(cp)))
       <> journey.normalize_label(chr(cp));
SELECT s, journey.normalize_label(journey.normalize_label(s)) = journey.normalize_label(s) AS stable
  FROM (VALUES (E'\u1f80\u0345'), (E'\u03b9\u0345\u0301'), (E'A\u030a\u0327'),
               (E'\u1e9b\u0323'), ('ǅ ﬀ ㎒ ㍱')) AS v(s);

-- Labels are normalized piece by piece, and each step over a long piece in
-- chunks, so that a long label answers cancel at once; the result must be
-- exactly that of one pass over the whole label.  A test hook cuts pieces
-- and chunks of a given size (0: no cut, one ICU call per step).  Strings of
-- characters that interact (combining marks, Hangul jamo, capitals whose
-- folding expands or recomposes, compatibility characters, white space) are
-- cut at every size from 1 to 12 bytes, so that cuts fall inside every kind
-- of sequence.
CREATE FUNCTION public.journey_label_pieces(text, int) RETURNS text
  AS 'journey', 'journey_normalize_label_pieces' LANGUAGE C STRICT;
SELECT setseed(0.5);
CREATE TABLE label_parts AS
  SELECT unnest(ARRAY['a', 'A', 'É', E'e\u0301', E'\u0301', E'\u0327', E'\u0308', 'ß',
                      'ẞ', 'İ', 'ı', 'ΐ', 'Σ', 'ς', E'\u0345', E'\u1100', E'\u1161',
                      E'\u11a8', '가', ' ', E'\u00a0', E'\u3000', 'Ⅻ', 'ﬁ', '①', 'ｆ',
                      'Ａ', '1', '.', 'q', '中', E'\u0f73', E'\u0f71', E'\u0f72', 'ǰ', 'ŉ',
                      E'\u212b', E'\u2126', '🙂', E'\u0300', 'x', 'Ç', E'\u030c', E'\u3099',
                      'か', E'\ufdfa', E'\u0390', E'\u1fd3', E'\t', 'ǅ', 'Ǆ']) AS part;
CREATE TABLE label_cuts AS
  SELECT i, (SELECT string_agg(part, '')
               FROM (SELECT part FROM label_parts, generate_series(1, 1 + (random() * 60)::int)
                      ORDER BY random() LIMIT 1 + i % 40) AS p) AS s
    FROM generate_series(1, 2000) AS i;
SELECT count(*) AS strings,
       count(*) FILTER (WHERE journey.normalize_label(s)
                              <> public.journey_label_pieces(s, 0)) AS differ_uncut,
       count(*) FILTER (WHERE EXISTS (SELECT FROM generate_series(1, 12) AS k
                                       WHERE public.journey_label_pieces(s, k)
                                             <> public.journey_label_pieces(s, 0))) AS differ_cut
  FROM label_cuts;
-- labels of several 64 KiB pieces: the nominal cuts fall inside combining
-- sequences (in the first, byte 65,536 is inside U+0301), in text that can
-- be cut near them and in text that offers no safe cut at all, which each
-- step goes over in chunks of 65,536 UTF-16 code units (in the second, the
-- first chunk's nominal end falls between U+0301 and U+0327)
SELECT what, octet_length(s) AS bytes,
       journey.normalize_label(s) = public.journey_label_pieces(s, 0) AS same_as_uncut,
       length(journey.normalize_label(s)) AS normalized_length
  FROM (VALUES ('cuts at spaces and ASCII', repeat(E'Ée\u0301\u0327 x\u0308q', 30000)),
               ('no safe cut', repeat(E'e\u0301\u0327Σ\u1100\u1161\u11a8', 30000)),
               ('ASCII then marks', repeat('ab', 70000) || repeat(E'\u0301', 5) || repeat('Cd', 70000))
       ) AS v(what, s);
DROP TABLE label_cuts, label_parts;
DROP FUNCTION public.journey_label_pieces(text, int);

-- The limits: a result longer than a text value holds (1,073,741,818 bytes)
-- and one step over a piece producing more UTF-16 code units than one
-- allocation holds (536,870,910) are errors, raised as soon as they are
-- passed.  The test hook lowers both, so that small labels reach them,
-- exactly at the limit and one past it, cut into pieces or not.
CREATE FUNCTION public.journey_label_limits(text, int, int8, int8) RETURNS text
  AS 'journey', 'journey_normalize_label_pieces' LANGUAGE C STRICT;
-- 'ünïcödé label' is 17 bytes; 'abc abc abc abc' 15 (the ASCII path)
SELECT public.journey_label_limits(' Ünïcödé  Label ', 4, 17, 1000) AS at_limit,
       public.journey_label_limits(' Ünïcödé  Label ', 0, 17, 1000) AS uncut,
       public.journey_label_limits(repeat('ABC ', 4), 3, 15, 1000) AS ascii_at_limit;
SELECT public.journey_label_limits(' Ünïcödé  Label ', 4, 16, 1000);
SELECT public.journey_label_limits(' Ünïcödé  Label ', 0, 16, 1000);
SELECT public.journey_label_limits(repeat('ABC ', 4), 3, 14, 1000);
-- NFKC turns each U+FDFA into 18 code units: 54 for three
SELECT length(public.journey_label_limits(repeat(E'\ufdfa', 3), 0, 1000, 54)) AS at_limit,
       length(public.journey_label_limits(repeat(E'\ufdfa', 3), 2, 1000, 54)) AS in_chunks;
SELECT public.journey_label_limits(repeat(E'\ufdfa', 3), 0, 1000, 53);
SELECT public.journey_label_limits(repeat(E'\ufdfa', 3), 2, 1000, 53);
-- 20 code units already in UTF-16, before any step
SELECT length(public.journey_label_limits(repeat('é', 20), 3, 1000, 20)) AS at_limit;
SELECT public.journey_label_limits(repeat('é', 20), 3, 1000, 19);
DROP FUNCTION public.journey_label_limits(text, int, int8, int8);

-- the shipped rules
SELECT priority, channel, shipped,
       source_pattern IS NOT NULL AS on_source, medium_pattern IS NOT NULL AS on_medium
  FROM journey.channel_rule ORDER BY priority;

-- every channel of the grouping, one (source, medium) pair each
SELECT expected, source, medium, journey.default_channel(source, medium) AS channel,
       journey.default_channel(source, medium) = expected AS ok
  FROM (VALUES
    ('Direct', '(direct)', '(none)'),
    ('Cross-network', 'google', 'cross-network'),
    ('Paid Shopping', 'amazon.com', 'cpc'),
    ('Paid Search', 'Google', 'CPC'),
    ('Paid Social', 'facebook', 'paid_social'),
    ('Paid Video', 'youtube.com', 'cpv'),
    ('Display', 'criteo', 'banner'),
    ('Paid Other', 'newsletter-partner', 'ppc'),
    ('Organic Shopping', 'www.etsy.com', 'referral'),
    ('Organic Social', 't.co', 'referral'),
    ('Organic Video', 'vimeo.com', 'referral'),
    ('Organic Search', 'duckduckgo', 'organic'),
    ('Referral', 'partnerblog.example', 'referral'),
    ('Email', 'newsletter', 'ＥＭＡＩＬ'),
    ('Affiliates', 'awin', 'Affiliate'),
    ('Audio', 'spotify', 'audio'),
    ('SMS', 'sms', 'text'),
    ('Mobile Push Notifications', 'app', 'web-push'),
    ('Unassigned', 'partner', 'offline')
  ) AS v(expected, source, medium);

-- the sample data's spellings land on the channel they were generated for
-- (src/sample.c draws a channel, then one of that channel's UTM spellings;
-- the rules never see the channel): the events where the two disagree
-- (none), then how many events, distinct spellings and channels were
-- compared (every spelling of every channel appears in these 300 journeys)
CREATE TEMP TABLE sample_labels AS SELECT channel, source, medium FROM journey.sample_events(300, 7);
SELECT channel, source, medium, journey.default_channel(source, medium) AS grouped_as, count(*) AS events
  FROM sample_labels
 WHERE channel IS DISTINCT FROM journey.default_channel(source, medium)
 GROUP BY 1, 2, 3 ORDER BY 1, 2, 3;
SELECT count(*) AS events_compared, count(DISTINCT (channel, source, medium)) AS spellings_compared,
       count(DISTINCT channel) AS channels_compared
  FROM sample_labels;
DROP TABLE sample_labels;

-- edge cases of the shipped rules: NULL and empty count as "(none)";
-- a source on a list wins over its medium; host names with subdomains
SELECT source, medium, journey.default_channel(source, medium) AS channel
  FROM (VALUES
    (NULL, NULL), ('', ''), (' ', E'\u3000'), ('(direct)', NULL), (NULL, '(not set)'),
    ('(direct)', 'organic'), (NULL, 'cpc'), ('google', NULL), ('bing.com', 'organic'),
    ('www.google.co.uk', 'organic'), ('uk.search.yahoo.com', 'organic'),
    ('l.facebook.com', 'referral'), ('google', 'display'), ('dv360', 'cpm'),
    ('google shopping', 'cpc'), ('lnkd.in', 'social'), ('mail', 'E-Mail'),
    ('firebase', 'notification'), ('docs.example.com', 'link'), ('googlemail.com', 'referral')
  ) AS v(source, medium);

-- user rules: a rule with a smaller priority than the shipped ones wins
SELECT journey.default_channel('newsletter', 'email') AS before;
INSERT INTO journey.channel_rule (priority, channel, source_pattern, medium_pattern)
  VALUES (1405, 'Newsletter', '^newsletter$', '^e-?mail$');
SELECT journey.default_channel('newsletter', 'email') AS after,
       journey.default_channel('NEWSLETTER', 'E-mail') AS other_spelling,
       journey.default_channel('crm', 'email') AS other_source;
INSERT INTO journey.channel_rule (priority, channel, source_pattern, medium_pattern)
  VALUES (50, 'Partners', '^partner', NULL);
SELECT journey.default_channel('partner', 'offline') AS partner,
       journey.default_channel('partner.example', 'cpc') AS partner_paid;
-- patterns are case-insensitive, so an upper-case pattern matches too
UPDATE journey.channel_rule SET source_pattern = '^PARTNER$' WHERE priority = 50;
SELECT journey.default_channel('Partner', 'offline') AS partner,
       journey.default_channel('partner.example', 'cpc') AS partner_paid;

-- a rule added inside one transaction (and one PL/pgSQL block, whose
-- expressions live across statements) is seen by the next statement
DO $$
DECLARE
	c text;
BEGIN
	FOR i IN 1..2 LOOP
		c := journey.default_channel('podcast-network', 'sponsorship');
		RAISE NOTICE 'round %: %', i, c;
		IF i = 1 THEN
			INSERT INTO journey.channel_rule (priority, channel, medium_pattern)
			VALUES (1605, 'Sponsorship', '^sponsor');
		END IF;
	END LOOP;
END
$$;

-- the rule table is read per statement: many rows, one snapshot
CREATE TABLE labels_touch AS
  SELECT g AS id,
         (ARRAY['google', 'Google ', 'facebook', 'newsletter', '(direct)', 'partner', 'bing'])[1 + g % 7] AS source,
         (ARRAY['cpc', 'organic', 'email', '(none)', 'referral'])[1 + g % 5] AS medium
    FROM generate_series(1, 5000) AS g;
ANALYZE labels_touch;
SELECT journey.default_channel(source, medium) AS channel, count(*)
  FROM labels_touch GROUP BY 1 ORDER BY 1;

-- default_channel agrees with the rules applied in plain SQL to the
-- normalized values, row by row, over many distinct values (more than the
-- function's memo holds, so entries are replaced) including non-ASCII ones
CREATE TABLE labels_many AS
  SELECT g AS id,
         CASE g % 4
           WHEN 0 THEN 'site' || (g % 997) || '.example'
           WHEN 1 THEN (ARRAY['google', 'ＧＯＯＧＬＥ', 'Bing.com', 'facebook', 't.co', 'youtube',
                              'amazon', '(direct)', 'Newsletter', 'sms', 'firebase', ''])[1 + g % 12]
           WHEN 2 THEN NULL
           ELSE 'partner-' || (g % 311)
         END AS source,
         (ARRAY['cpc', 'CPC', 'organic', 'Ｅｍａｉｌ', E'e\u00a0mail', 'referral', '(none)', NULL,
                'display', 'social', 'paid_video', 'web-push', 'sms', 'audio', 'affiliate',
                'cross-network', 'link', 'video', 'offline'])[1 + (g * 7) % 19] AS medium
    FROM generate_series(1, 6000) AS g;
SELECT 'CASE ' || string_agg(format('WHEN %s THEN %L',
         coalesce(nullif(concat_ws(' AND ',
           CASE WHEN source_pattern IS NOT NULL THEN format('s ~* %L', source_pattern) END,
           CASE WHEN medium_pattern IS NOT NULL THEN format('m ~* %L', medium_pattern) END), ''), 'true'),
         channel), ' ' ORDER BY priority) || ' ELSE ''Unassigned'' END' AS labels_case
  FROM journey.channel_rule \gset
SELECT count(*) AS rows, count(DISTINCT (source, medium)) AS distinct_pairs,
       count(DISTINCT channel) AS channels,
       count(*) FILTER (WHERE channel IS DISTINCT FROM reference) AS disagreements
  FROM (SELECT source, medium, journey.default_channel(source, medium) AS channel,
               :labels_case AS reference
          FROM (SELECT source, medium,
                       coalesce(journey.normalize_label(source), '') AS s,
                       coalesce(journey.normalize_label(medium), '') AS m
                  FROM labels_many) AS n) AS x;
DROP TABLE labels_many;

-- parallel workers read the rules too and agree with the serial plan
SET parallel_setup_cost = 0;
SET parallel_tuple_cost = 0;
SET min_parallel_table_scan_size = 0;
SET max_parallel_workers_per_gather = 2;
SET force_parallel_mode = on;
EXPLAIN (COSTS OFF)
SELECT count(*) FILTER (WHERE journey.default_channel(source, medium) = 'Paid Search')
  FROM labels_touch;
SELECT count(*) FILTER (WHERE journey.default_channel(source, medium) = 'Paid Search') AS parallel_paid_search
  FROM labels_touch;
RESET force_parallel_mode;
RESET max_parallel_workers_per_gather;
RESET min_parallel_table_scan_size;
RESET parallel_tuple_cost;
RESET parallel_setup_cost;
SELECT count(*) FILTER (WHERE journey.default_channel(source, medium) = 'Paid Search') AS serial_paid_search
  FROM labels_touch;

-- errors: invalid regular expressions are rejected when the rule is written
INSERT INTO journey.channel_rule (priority, channel, source_pattern)
  VALUES (60, 'Broken', '^(google');
INSERT INTO journey.channel_rule (priority, channel, medium_pattern)
  VALUES (60, 'Broken', '[z-a]');
UPDATE journey.channel_rule SET medium_pattern = '*cpc' WHERE priority = 50;
-- priorities are unique; a channel name is required
INSERT INTO journey.channel_rule (priority, channel) VALUES (100, 'Again');
INSERT INTO journey.channel_rule (priority, channel) VALUES (61, NULL);
INSERT INTO journey.channel_rule (priority, channel) VALUES (61, '');
-- a rule whose pattern takes long to match a long value (backreferences):
-- a statement timeout or cancel during the match is reported as such
-- (57014), not as a failed regular expression
INSERT INTO journey.channel_rule (priority, channel, source_pattern)
  VALUES (62, 'Slow', '^(.*)(.*)(.*)\3\2\1$');
SET statement_timeout = '200ms';
SELECT journey.default_channel(repeat('ab', 200) || 'c', 'x');
RESET statement_timeout;
DELETE FROM journey.channel_rule WHERE priority = 62;
-- a broken rule that got past the check (trigger disabled) is reported by
-- default_channel with its priority
ALTER TABLE journey.channel_rule DISABLE TRIGGER channel_rule_check;
INSERT INTO journey.channel_rule (priority, channel, source_pattern)
  VALUES (60, 'Broken', '(unclosed');
ALTER TABLE journey.channel_rule ENABLE TRIGGER channel_rule_check;
SELECT journey.default_channel('google', 'cpc');
DELETE FROM journey.channel_rule WHERE priority = 60;

-- removing the user rules restores the shipped behaviour
DELETE FROM journey.channel_rule WHERE NOT shipped;
SELECT journey.default_channel('newsletter', 'email') AS email,
       journey.default_channel('partner', 'offline') AS partner;

DROP TABLE labels_touch;
