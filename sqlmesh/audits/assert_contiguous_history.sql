/* SCD type 2 history: each key's validity windows tile time without overlap or gap. Ordered by
   valid_from, every row's valid_to equals the next row's valid_from (so only the last row can be
   open, valid_to NULL), no window ends before it starts, and no two rows of a key start together.
   Returns the offending rows.
   Usage: assert_contiguous_history(key := device_id) */
AUDIT (
  name assert_contiguous_history,
  defaults (
    valid_from = valid_from,
    valid_to = valid_to
  )
);

WITH windows AS (
  SELECT
    @key AS audit_key,
    @valid_from AS window_from,
    @valid_to AS window_to,
    LEAD(@valid_from) OVER (PARTITION BY @key ORDER BY @valid_from) AS next_from,
    COUNT(*) OVER (PARTITION BY @key, @valid_from) AS rows_starting_together
  FROM @this_model
)
SELECT *
FROM windows
WHERE
  window_from IS NULL
  OR rows_starting_together > 1
  OR window_to < window_from
  OR (next_from IS NOT NULL AND window_to IS NULL)
  OR (next_from IS NOT NULL AND window_to <> next_from)
