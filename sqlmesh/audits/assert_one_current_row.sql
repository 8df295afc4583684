/* SCD type 2 history: every key has exactly one current row. Returns the keys with none or with
   more than one (a hard-deleted key keeps a current "deleted" row, so it still has one).
   Usage: assert_one_current_row(key := device_id) */
AUDIT (
  name assert_one_current_row,
  defaults (
    is_current = is_current
  )
);

SELECT
  @key,
  COUNT(*) FILTER (WHERE @is_current) AS current_rows
FROM @this_model
GROUP BY @key
HAVING COUNT(*) FILTER (WHERE @is_current) <> 1
