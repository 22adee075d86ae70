-- Labels that agree across tools: ICU normalisation of labels and the
-- default channel grouping driven by the editable rule table channel_rule.

CREATE FUNCTION @extschema@.normalize_label(label text) RETURNS text
	AS 'MODULE_PATHNAME', 'journey_normalize_label'
	LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.normalize_label(text) IS
  'NFKC, full Unicode case folding, white space trimmed and inner runs collapsed to one space (depends on the server''s ICU version)';

CREATE TABLE @extschema@.channel_rule (
	priority int PRIMARY KEY,
	channel text NOT NULL CHECK (channel <> ''),
	source_pattern text,
	medium_pattern text,
	shipped boolean NOT NULL DEFAULT false
);
COMMENT ON TABLE @extschema@.channel_rule IS
  'default_channel rules: regular expressions (case-insensitive, NULL matches anything) on the normalized source and medium, tried in ascending priority, first match wins';

-- Reject a rule whose pattern does not compile, with the reason.  The test
-- compiles the pattern as default_channel does (advanced syntax, case
-- insensitive, the database's default collation).
CREATE FUNCTION journey_internal.channel_rule_check() RETURNS trigger
	LANGUAGE plpgsql VOLATILE PARALLEL SAFE
	SET search_path = pg_catalog, pg_temp
	AS $$
DECLARE
	col text;
	pat text;
	msg text;
BEGIN
	FOREACH col IN ARRAY ARRAY['source_pattern', 'medium_pattern'] LOOP
		pat := CASE col WHEN 'source_pattern' THEN NEW.source_pattern
						ELSE NEW.medium_pattern END;
		CONTINUE WHEN pat IS NULL;
		BEGIN
			PERFORM '' OPERATOR(pg_catalog.~*) pat;
		EXCEPTION WHEN invalid_regular_expression THEN
			GET STACKED DIAGNOSTICS msg = MESSAGE_TEXT;
			RAISE EXCEPTION 'invalid % in channel rule %: %', col, NEW.priority, msg
				USING ERRCODE = 'invalid_regular_expression',
					  DETAIL = pg_catalog.format('The pattern is %L.', pat),
					  HINT = 'Patterns are PostgreSQL regular expressions, as for the ~* operator.';
		END;
	END LOOP;
	RETURN NEW;
END
$$;

CREATE TRIGGER channel_rule_check BEFORE INSERT OR UPDATE
	ON @extschema@.channel_rule
	FOR EACH ROW EXECUTE FUNCTION journey_internal.channel_rule_check();

-- The shipped rules reproduce Google Analytics 4's default channel group on
-- source and medium alone (no campaign name, no ad network).  Shipped rules
-- use priorities that are multiples of 10; future releases replace exactly
-- the rows marked shipped.
WITH site(kind, names) AS (
	VALUES
	('search', 'google|bing|yahoo|baidu|duckduckgo|yandex|ecosia|naver|ask|aol|seznam|qwant|startpage|sogou|so|daum|brave|msn|onet|rambler|coccoc|lycos|dogpile|perplexity'),
	('social', 'facebook|fb|instagram|ig|linkedin|lnkd|t|twitter|x|reddit|pinterest|tiktok|snapchat|vk|weibo|quora|tumblr|whatsapp|messenger|threads|discord|telegram|mastodon|bsky|bluesky|xing|line|wechat|ok|flickr|meetup|nextdoor'),
	('video', 'youtube|youtu|vimeo|twitch|dailymotion|wistia|youku|bilibili|iqiyi|rutube|vidyard|loom'),
	('shopping', 'amazon|ebay|etsy|shopify|walmart|alibaba|aliexpress|mercadolibre|mercadolivre|rakuten|target|bestbuy|zalando|allegro|flipkart|shopee|lazada|temu|google shopping|igshopping')
),
re(kind, pattern) AS (
	SELECT kind, E'^((www|m|l|lm|mobile|search|[a-z]{2}\\.search)\\.)?(' || names || E')(\\.[a-z]{2,3}){0,2}$'
	  FROM site
	UNION ALL
	SELECT 'paid', E'^(.*cp.*|ppc|retargeting|paid.*)$'
)
INSERT INTO @extschema@.channel_rule (priority, channel, source_pattern, medium_pattern, shipped)
SELECT r.priority, r.channel, r.source_pattern, r.medium_pattern, true
  FROM (VALUES
	(100, 'Direct', E'^(\\(direct\\))?$', E'^(\\(none\\)|\\(not set\\))?$'),
	(200, 'Cross-network', 'cross-network', NULL),
	(210, 'Cross-network', NULL, 'cross-network'),
	(300, 'Paid Shopping', (SELECT pattern FROM re WHERE kind = 'shopping'), (SELECT pattern FROM re WHERE kind = 'paid')),
	(400, 'Paid Search', (SELECT pattern FROM re WHERE kind = 'search'), (SELECT pattern FROM re WHERE kind = 'paid')),
	(500, 'Paid Social', (SELECT pattern FROM re WHERE kind = 'social'), (SELECT pattern FROM re WHERE kind = 'paid')),
	(600, 'Paid Video', (SELECT pattern FROM re WHERE kind = 'video'), (SELECT pattern FROM re WHERE kind = 'paid')),
	(700, 'Display', NULL, '^(display|banner|expandable|interstitial|cpm)$'),
	(800, 'Paid Other', NULL, (SELECT pattern FROM re WHERE kind = 'paid')),
	(900, 'Organic Shopping', (SELECT pattern FROM re WHERE kind = 'shopping'), NULL),
	(1000, 'Organic Social', (SELECT pattern FROM re WHERE kind = 'social'), NULL),
	(1010, 'Organic Social', NULL, '^(social|social-network|social-media|sm|social network|social media)$'),
	(1100, 'Organic Video', (SELECT pattern FROM re WHERE kind = 'video'), NULL),
	(1110, 'Organic Video', NULL, 'video'),
	(1200, 'Organic Search', (SELECT pattern FROM re WHERE kind = 'search'), NULL),
	(1210, 'Organic Search', NULL, '^organic$'),
	(1300, 'Referral', NULL, '^(referral|app|link)$'),
	(1400, 'Email', '^(email|e-mail|e_mail|e mail)$', NULL),
	(1410, 'Email', NULL, '^(email|e-mail|e_mail|e mail)$'),
	(1500, 'Affiliates', NULL, '^affiliate$'),
	(1600, 'Audio', NULL, '^audio$'),
	(1700, 'SMS', '^sms$', NULL),
	(1710, 'SMS', NULL, '^sms$'),
	(1800, 'Mobile Push Notifications', NULL, 'push$'),
	(1810, 'Mobile Push Notifications', NULL, 'mobile|notification'),
	(1820, 'Mobile Push Notifications', '^firebase$', NULL)
  ) AS r(priority, channel, source_pattern, medium_pattern);

-- pg_dump keeps the rules users added, not the shipped ones (CREATE
-- EXTENSION puts those back).
SELECT pg_catalog.pg_extension_config_dump('@extschema@.channel_rule', 'WHERE NOT shipped');

CREATE FUNCTION @extschema@.default_channel(source text, medium text) RETURNS text
	AS 'MODULE_PATHNAME', 'journey_default_channel'
	LANGUAGE C STABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.default_channel(text, text) IS
  'channel of a (source, medium) pair: the first journey.channel_rule matching normalize_label(source) and normalize_label(medium), else Unassigned; NULL counts as empty';
