"""Product and executive rules used by the marts (and the metrics layer), defined once.

Thresholds live in the constants below and nowhere else; the README repeats them for readers.
  * power user: active (any session, page view or feature use) on at least
    POWER_USER_MIN_ACTIVE_DAYS of the trailing 7 UTC days, the day itself included;
  * feature funnel: a user "tried" a feature with one use in the trailing 30 days, "used it
    repeatedly" on at least FEATURE_REPEAT_MIN_DAYS distinct days, "adopted" it on at least
    FEATURE_ADOPTED_MIN_DAYS distinct days (about once a week);
  * churn-risk bands on churn_risk_score (0-100): high >= CHURN_RISK_HIGH_MIN, medium >=
    CHURN_RISK_MEDIUM_MIN, low below (health bands stay as DESIGN §8 fixes them: healthy >= 80,
    stable 60-79, at risk < 60);
  * retention: a user of signup day S is retained at day N (7 or 30) when active on any of the
    7 days S + N - 6 ... S + N (counted in the WAU of day S + N).
"""
from __future__ import annotations

from sqlmesh import macro

POWER_USER_MIN_ACTIVE_DAYS = 4
FEATURE_REPEAT_MIN_DAYS = 2
FEATURE_ADOPTED_MIN_DAYS = 4
CHURN_RISK_HIGH_MIN = 60
CHURN_RISK_MEDIUM_MIN = 30
HEALTHY_MIN = 80
STABLE_MIN = 60
RETENTION_WINDOW_DAYS = 7

assert CHURN_RISK_MEDIUM_MIN < CHURN_RISK_HIGH_MIN and STABLE_MIN < HEALTHY_MIN
assert FEATURE_REPEAT_MIN_DAYS < FEATURE_ADOPTED_MIN_DAYS


@macro()
def is_power_user(evaluator, active_days_7d):
    """TRUE when the user was active on at least POWER_USER_MIN_ACTIVE_DAYS of the trailing 7 days."""
    return f"(({active_days_7d}) >= {POWER_USER_MIN_ACTIVE_DAYS})"


@macro()
def feature_funnel_stage(evaluator, use_days_30d):
    """The deepest feature-funnel stage a user reached with a feature, from the distinct days in
    the trailing 30 on which they used it: 'adopted', 'repeat', 'tried' or 'none'."""
    return (f"(CASE WHEN ({use_days_30d}) >= {FEATURE_ADOPTED_MIN_DAYS} THEN 'adopted' "
            f"WHEN ({use_days_30d}) >= {FEATURE_REPEAT_MIN_DAYS} THEN 'repeat' "
            f"WHEN ({use_days_30d}) >= 1 THEN 'tried' ELSE 'none' END)")


@macro()
def churn_risk_band(evaluator, churn_risk_score):
    """'high', 'medium' or 'low' for a 0-100 churn risk score (NULL stays NULL)."""
    return (f"(CASE WHEN ({churn_risk_score}) >= {CHURN_RISK_HIGH_MIN} THEN 'high' "
            f"WHEN ({churn_risk_score}) >= {CHURN_RISK_MEDIUM_MIN} THEN 'medium' "
            f"WHEN ({churn_risk_score}) IS NOT NULL THEN 'low' END)")


@macro()
def retained_at_day(evaluator, signup_date, activity_date, day_n):
    """TRUE when activity_date falls in the retention window of day N after signup_date: the
    RETENTION_WINDOW_DAYS days ending on signup_date + N."""
    return (f"(({activity_date}) BETWEEN ({signup_date}) + ({day_n}) - {RETENTION_WINDOW_DAYS - 1} "
            f"AND ({signup_date}) + ({day_n}))")


@macro()
def pct_of(evaluator, numerator, denominator):
    """numerator ÷ denominator × 100 rounded to 2 places; NULL when the denominator is 0 or NULL."""
    return f"ROUND(100.0 * ({numerator}) / NULLIF(({denominator}), 0), 2)"


@macro()
def ratio_of(evaluator, numerator, denominator):
    """numerator ÷ denominator rounded to 4 places; NULL when the denominator is 0 or NULL."""
    return f"ROUND(({numerator})::NUMERIC / NULLIF(({denominator}), 0), 4)"
