-- A range type over text, so that review_cycle's exclusion constraint
-- (src/sql/45_experiments.sql, which follows) can require "same source" in
-- a GiST index without the btree_gist extension: ranges [a, a] and [b, b]
-- overlap exactly when a = b (byte by byte, as the "C" collation compares,
-- which is what equality of text is).
CREATE TYPE @extschema@.text_range AS RANGE (
	SUBTYPE = text,
	COLLATION = "C",
	MULTIRANGE_TYPE_NAME = @extschema@.text_multirange
);
COMMENT ON TYPE @extschema@.text_range IS
  'internal: lets review_cycle''s exclusion constraint compare sources (a range [s, s] overlaps [t, t] exactly when s = t)';
