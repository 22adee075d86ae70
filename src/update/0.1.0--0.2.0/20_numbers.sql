-- Numbers and inputs (0.2.0): every statistical parameter checked
-- against its range where it enters (check_parameter, created just before
-- by 16_stats_tests.sql, the install piece src/sql/40_stats_tests.sql
-- itself; values are summed exactly with exact_sum, 15_exact_sum.sql).
-- The hypothesis registry checks its parameters with the statistics
-- functions' own ranges and messages (hypothesis_check, replaced in
-- 74c_experiments.sql; hypothesis_result in 80_bi.sql); here, the
-- hypotheses stored before are checked once.

-- prob_to_beat: exact up to 1e7 in the smallest shape, an expansion beyond
COMMENT ON FUNCTION @extschema@.prob_to_beat(bigint, bigint, bigint, bigint) IS
  'P(rate B > rate A) under independent uniform Beta(1,1) priors: the exact sum up to 1e7 in the smallest posterior shape, an Edgeworth expansion beyond; absolute error below 1e-12';

-- Hypotheses stored before 0.2.0 keep their values; one outside the ranges
-- the registry now checks cannot be computed (its statistics refuse the
-- value: journey.hypothesis_results says "parameters out of range"): say
-- which, so that it can be fixed.
DO $$
DECLARE
	h record;
	param text;
BEGIN
	FOR h IN SELECT id, alpha, power, minimum_effect FROM @extschema@.hypothesis ORDER BY id LOOP
		FOREACH param IN ARRAY ARRAY['alpha', 'power', 'minimum_effect'] LOOP
			BEGIN
				PERFORM journey_internal.check_parameter(param,
					CASE param WHEN 'alpha' THEN h.alpha WHEN 'power' THEN h.power
							   ELSE h.minimum_effect END);
			EXCEPTION WHEN invalid_parameter_value OR null_value_not_allowed THEN
				RAISE WARNING 'hypothesis %: %', h.id, SQLERRM
					USING HINT = 'journey.hypothesis_results shows its verdict as "parameters out of range": correct it with UPDATE journey.hypothesis (a proposed one), or abandon it and propose it again.';
			END;
		END LOOP;
	END LOOP;
END
$$;
