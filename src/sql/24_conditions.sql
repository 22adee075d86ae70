-- Conditions written out, 2 to 8 of them: fixed-arity overloads of every
-- aggregate that takes VARIADIC conditions (window_funnel in both forms,
-- funnel_times, sequence_match, sequence_count, sequence_next_node,
-- retention).
--
-- A call such as window_funnel(ts, '7 days', event = 'a', event = 'b')
-- resolves to one of these rather than to the VARIADIC bool[] form
-- (PostgreSQL prefers a function that matches without VARIADIC
-- expansion), so no array is built and taken apart for every row.  They
-- share the C transition functions of the VARIADIC forms, which tell the
-- two apart by their number of arguments, and they give the same answers;
-- the VARIADIC forms still serve 1 and 9 to 32 conditions and explicit
-- VARIADIC arrays.
DO $conditions$
DECLARE
	f record;
	n int;
	bools text;		-- 'bool, bool, ...'
	named text;		-- 'step1 bool, step2 bool, ...'
BEGIN
	FOR f IN
		SELECT * FROM (VALUES
			-- aggregate, its leading arguments (named, then types only),
			-- the name for the conditions, transition function, C symbol,
			-- final function, state
			('window_funnel', 'ts timestamptz, conversion_window interval', 'timestamptz, interval',
			 'step', 'window_funnel_sfunc', 'journey_window_funnel_steps_sfunc', 'window_funnel_final', 'internal'),
			('window_funnel', 'ts timestamptz, conversion_window interval, modes text', 'timestamptz, interval, text',
			 'step', 'window_funnel_sfunc', 'journey_window_funnel_modes_sfunc', 'window_funnel_final', 'internal'),
			('funnel_times', 'ts timestamptz, conversion_window interval', 'timestamptz, interval',
			 'step', 'funnel_times_sfunc', 'journey_funnel_times_sfunc', 'funnel_times_final', 'internal'),
			('sequence_match', 'pattern text, ts timestamptz', 'text, timestamptz',
			 'cond', 'sequence_sfunc', 'journey_sequence_sfunc', 'sequence_match_final', 'internal'),
			('sequence_count', 'pattern text, ts timestamptz', 'text, timestamptz',
			 'cond', 'sequence_sfunc', 'journey_sequence_sfunc', 'sequence_count_final', 'internal'),
			('sequence_next_node', 'direction text, base text, ts timestamptz, event_value text, base_condition bool',
			 'text, text, timestamptz, text, bool',
			 'cond', 'sequence_next_node_sfunc', 'journey_sequence_next_node_sfunc', 'sequence_next_node_final', 'internal'),
			('retention', NULL, NULL,
			 'cond', 'retention_sfunc', 'journey_retention_sfunc', 'retention_final', 'bigint'))
		  AS v(agg, lead_named, lead_types, cond_name, sfunc, symbol, final, stype)
	LOOP
		FOR n IN 2..8 LOOP
			SELECT string_agg('bool', ', '),
				   string_agg(format('%s%s bool', f.cond_name, i), ', ')
			  INTO bools, named
			  FROM generate_series(1, n) AS i;
			-- sequence_match and sequence_count share their transition function
			IF to_regprocedure(format('journey_internal.%I(%s, %s)', f.sfunc,
									  concat_ws(', ', f.stype, f.lead_types), bools)) IS NULL
			THEN
				EXECUTE format($$CREATE FUNCTION journey_internal.%I(%s, %s)
					RETURNS %s AS 'MODULE_PATHNAME', %L
					LANGUAGE C IMMUTABLE PARALLEL SAFE$$,
					f.sfunc, concat_ws(', ', f.stype, f.lead_types), bools, f.stype, f.symbol);
			END IF;
			IF f.stype = 'internal' THEN
				-- the event state, with the shared combine, serialize and
				-- deserialize functions (src/sql/05_events.sql)
				EXECUTE format($$CREATE AGGREGATE @extschema@.%I(%s) (
					SFUNC = journey_internal.%I, STYPE = internal, SSPACE = 160,
					FINALFUNC = journey_internal.%I,
					COMBINEFUNC = journey_internal.events_combine,
					SERIALFUNC = journey_internal.events_serialize,
					DESERIALFUNC = journey_internal.events_deserialize,
					PARALLEL = SAFE)$$,
					f.agg, concat_ws(', ', f.lead_named, named), f.sfunc, f.final);
			ELSE
				EXECUTE format($$CREATE AGGREGATE @extschema@.%I(%s) (
					SFUNC = journey_internal.%I, STYPE = %s,
					FINALFUNC = journey_internal.%I,
					COMBINEFUNC = journey_internal.retention_combine,
					PARALLEL = SAFE)$$,
					f.agg, concat_ws(', ', f.lead_named, named), f.sfunc, f.stype, f.final);
			END IF;
			EXECUTE format($$COMMENT ON AGGREGATE @extschema@.%I(%s) IS %L$$,
				f.agg, concat_ws(', ', f.lead_types, bools),
				format('%s with %s %ss written out (same answer as the VARIADIC form)',
					   f.agg, n, CASE f.cond_name WHEN 'step' THEN 'step' ELSE 'condition' END));
		END LOOP;
	END LOOP;
END
$conditions$;
