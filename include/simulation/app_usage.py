"""What the staff do in the web and mobile apps in one tick: sessions with their page views and
feature usage. Apps upload a session's analytics when it ends, so all of its rows share the
session's write time; logging in bumps users.last_login_at and (throttled) accounts.last_active_at.
"""
from __future__ import annotations

import math

from include.simulation import behaviour as b
from include.simulation import catalog as c
from include.simulation.arrivals import rhythm
from include.simulation.clock import Tick
from include.simulation.copytext import ts
from include.simulation.randomness import new_id, poisson
from include.simulation.world import World

_OFFSETS = tuple(c.TIMEZONE_OFFSETS[tz] for tz in c.TIMEZONES)
_PLATFORMS = {role: tuple(p for p, w in zip(c.PLATFORMS, weights, strict=True) for _ in range(w))
              for role, weights in c.PLATFORM_WEIGHTS_BY_ROLE.items()}
_PATHS = tuple(p for p, w in zip(c.APP_PATHS, c.APP_PATH_WEIGHTS, strict=True) for _ in range(w))
_ACTIONS = tuple(a for a, w in zip(c.FEATURE_ACTIONS, c.FEATURE_ACTION_WEIGHTS, strict=True) for _ in range(w))
_MEDIAN_SESSION = math.log(240 * b.SECOND)


def run(world: World, tick: Tick, out: dict[str, list[str]]) -> None:
    rng = tick.rng("sessions")
    rand = rng.random
    sessions, page_views, usage = out["sessions"], out["page_views"], out["feature_usage"]
    features = [f for f in world.features.values() if f.deleted_at is None and f.released_at < tick.start]
    feature_cum = []
    for f in features:
        feature_cum.append((feature_cum[-1] if feature_cum else 0.0) + f.popularity)
    delay_lo, delay_hi = b.INGEST_DELAY
    for tz, pool in enumerate(world.session_pools):
        lam = pool.total * b.SESSIONS_PER_USER_DAY * tick.days * rhythm(b.APP_BY_HOUR, b.APP_BY_WEEKDAY,
                                                                         _OFFSETS[tz], tick)
        n = poisson(rng, lam)
        if not n:
            continue
        for user in rng.choices(pool.items, cum_weights=pool.cum, k=n):
            account = user.account
            if user.status != "active" or user.deleted_at is not None or not account.in_service:
                continue
            written = tick.write_time(rng)
            if written <= user.created_at:
                continue
            platforms = _PLATFORMS[user.role]
            platform = platforms[int(rand() * len(platforms))]
            versions = c.APP_VERSIONS[platform]
            ended = written - delay_lo - int(rand() * (delay_hi - delay_lo))
            if platform != "web" and rand() < b.LATE_EVENT_SHARE * 5:   # phones upload after being offline
                ended -= b.LATE_EVENT_DELAY[0] + int(rand() * (b.LATE_EVENT_DELAY[1] - b.LATE_EVENT_DELAY[0]))
            length = min(3 * b.HOUR, max(5 * b.SECOND, int(rng.lognormvariate(_MEDIAN_SESSION, 0.9))))
            started = max(user.created_at, ended - length)
            ended = max(ended, started)
            session_id = new_id(rng)
            crashed = "t" if rand() < (0.005 if platform == "web" else 0.03) else "f"
            w = ts(written)
            sessions.append(f"{session_id}\t{user.id}\t{ts(started)}\t{ts(ended)}\t{platform}\t"
                            f"{versions[int(rand() * len(versions))]}\t{crashed}\t{w}\t{w}\n")
            span = ended - started
            for at in sorted(started + int(rand() * span) for _ in range(1 + int(rng.expovariate(
                    1.0 / (b.PAGE_VIEWS_PER_SESSION - 1))))):
                page_views.append(f"{new_id(rng)}\t{session_id}\t{user.id}\t{ts(at)}\t"
                                  f"{_PATHS[int(rand() * len(_PATHS))]}\t{w}\t{w}\n")
            uses = poisson(rng, b.FEATURE_USES_PER_SESSION * (0.5 + account.truth.engagement)) if features else 0
            for feature in rng.choices(features, cum_weights=feature_cum, k=uses):
                at = started + int(rand() * span)
                if feature.released_at <= at:
                    usage.append(f"{new_id(rng)}\t{user.id}\t{feature.id}\t{ts(at)}\t"
                                 f"{_ACTIONS[int(rand() * len(_ACTIONS))]}\t{w}\t{w}\n")
            if user.last_login_at is None or started > user.last_login_at:
                user.last_login_at = started
                world.touch(user, written)
            if account.last_active_at is None or started - account.last_active_at >= b.ACCOUNT_ACTIVITY_THROTTLE:
                account.last_active_at = started
                world.touch(account, written)
