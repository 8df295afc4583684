/* Fails on every row where one of the given measures (counts, volumes, amounts) is below zero.
   NULL passes: a measure that does not apply is not negative.
   Usage: assert_non_negative(columns := (tap_events_30d, volume_ml_30d)) */
AUDIT (
  name assert_non_negative
);

SELECT *
FROM @this_model
WHERE @REDUCE(@EACH(@columns, c -> c < 0), (l, r) -> l OR r)
