/* Fails on every row where one of the given columns lies outside [min_v, max_v], inclusive.
   NULL passes (a ratio with no denominator). Defaults fit percentages (0-100); pass
   max_v := 1 for ratios.
   Usage: assert_in_range(columns := (uptime_pct_30d)) or
          assert_in_range(columns := (adoption_rate_30d), max_v := 1) */
AUDIT (
  name assert_in_range,
  defaults (
    min_v = 0,
    max_v = 100
  )
);

SELECT *
FROM @this_model
WHERE @REDUCE(@EACH(@columns, c -> c < @min_v OR c > @max_v), (l, r) -> l OR r)
