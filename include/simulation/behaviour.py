"""How the business behaves: per-entity rates, durations and daily rhythms, the same at every scale.

Rates are per entity per day. Lifecycle rates and durations are multiplied / divided by
`Scale.lifecycle_speed`; telemetry and app usage volumes are not.
"""
from __future__ import annotations

SECOND = 1_000_000                      # all simulator times are integer microseconds since the epoch
MINUTE = 60 * SECOND
HOUR = 60 * MINUTE
DAY = 24 * HOUR

# --- event volumes -------------------------------------------------------------------------------
POURS_PER_DEVICE_DAY = 14.0             # a tap's pours; busy taps weigh more (see traits)
HEARTBEAT_INTERVAL = HOUR               # every installed device, at its own minute of the hour
ERRORS_PER_DEVICE_DAY = 0.05
SESSIONS_PER_USER_DAY = 0.8
PAGE_VIEWS_PER_SESSION = 5.0            # mean
FEATURE_USES_PER_SESSION = 2.0          # mean, scaled by the account's engagement
ACCOUNT_ACTIVITY_THROTTLE = HOUR        # the app bumps accounts.last_active_at at most this often

# --- arrival delays: what the change cursor (updated_at) has to cope with ------------------------
INGEST_DELAY = (SECOND // 5, 20 * SECOND)   # device or app clock -> row written
LATE_EVENT_SHARE = 0.004                # events buffered on a device or phone and written hours later
LATE_EVENT_DELAY = (HOUR, 12 * HOUR)
LATE_COMMIT_SHARE = 0.005               # rows whose transaction committed after the next tick began:
LATE_COMMIT_MAX = 2 * MINUTE            # their updated_at is up to this much before the tick start

# --- accounts ----------------------------------------------------------------------------------
TRIAL_DAYS = 14
TRIAL_SHARE = 0.7                       # new sign-ups that start on a trial (the rest are sales-led)
UPGRADE_RATE = 0.002                    # weighted by expansion propensity
DOWNGRADE_RATE = 0.001                  # weighted by churn propensity
INTERVAL_CHANGE_RATE = 0.0005
PROFILE_EDIT_RATE = 0.0005
PAST_DUE_RATE = 0.002                   # a failed payment; weighted by payment unreliability
RECOVER_RATE = 0.25                     # past_due -> active; times payment reliability
DUNNING_DAYS = 21                       # past_due longer than this -> canceled
CANCEL_RATE = 0.0012                    # weighted by churn propensity (mean 1/3 -> ~1.2% a month)
REACTIVATE_RATE = 0.003                 # canceled within REACTIVATE_WINDOW_DAYS -> active
REACTIVATE_WINDOW_DAYS = 180
CLOSE_AFTER_DAYS = 90                   # canceled this long: the account may be closed (soft delete)
CLOSE_RATE = 0.01

# --- locations, devices, users ---------------------------------------------------------------------
LOCATION_CLOSE_RATE = 0.0002            # a location closes; its taps are retired
DEVICE_OFFLINE_RATE = 0.03
DEVICE_OUTAGE_HOURS = 6.0               # mean
FIRMWARE_UPDATE_RATE = 0.01
DEVICE_REPLACE_RATE = 0.0004            # retired (soft delete) and a new device provisioned
INSTALL_DELAY = (2 * HOUR, 72 * HOUR)   # provisioned -> installed and online
DEVICE_PURGE_SHARE = 0.1                # provisioned devices never installed: hard-deleted instead
INVITES_PER_ACCOUNT_DAY = 0.006         # about balances deactivations and revoked invites
INVITE_DELAY = (HOUR, 72 * HOUR)        # invited -> accepted (or revoked)
INVITE_REVOKE_SHARE = 0.2               # revoked invites are hard-deleted (they have no activity)
USER_DEACTIVATE_RATE = 0.0008           # soft delete
ROLE_CHANGE_RATE = 0.0005
FEATURE_LAUNCHES_PER_DAY = 1 / 21       # not scaled: the product team ships at its own pace
BETA_DAYS = 14

# --- history builds ----------------------------------------------------------------------------------
# Sign-ups and openings during a history build are capped so that they add at most this share of
# the scale's accounts; the rest exist before the history starts (long histories: slower growth).
MAX_HISTORY_GROWTH = 0.3

# --- daily rhythms: relative activity by local hour (0-23), mean 1 --------------------------------------
def _normalised(values: tuple[float, ...]) -> tuple[float, ...]:
    mean = sum(values) / len(values)
    return tuple(v / mean for v in values)


POURS_BY_HOUR = _normalised((1.2, 0.8, 0.4, 0.1, 0.05, 0.05, 0.05, 0.05, 0.1, 0.2, 0.3, 0.6,
                             1.2, 1.4, 1.0, 0.9, 1.2, 2.0, 2.8, 3.2, 3.3, 3.0, 2.5, 1.8))
APP_BY_HOUR = _normalised((0.3, 0.2, 0.1, 0.05, 0.05, 0.1, 0.3, 0.6, 1.0, 1.4, 1.6, 1.6,
                           1.4, 1.5, 1.6, 1.6, 1.5, 1.4, 1.3, 1.2, 1.1, 1.0, 0.8, 0.5))
SIGNUPS_BY_HOUR = _normalised((0.2, 0.1, 0.1, 0.1, 0.1, 0.2, 0.4, 0.8, 1.3, 1.7, 1.8, 1.8,
                               1.6, 1.7, 1.8, 1.8, 1.6, 1.3, 1.0, 0.8, 0.6, 0.5, 0.4, 0.3))
POURS_BY_WEEKDAY = _normalised((0.7, 0.75, 0.85, 1.0, 1.45, 1.6, 1.1))    # Monday first
APP_BY_WEEKDAY = _normalised((1.15, 1.1, 1.1, 1.05, 1.0, 0.8, 0.8))
SIGNUPS_BY_WEEKDAY = _normalised((1.2, 1.2, 1.15, 1.1, 1.0, 0.6, 0.55))
