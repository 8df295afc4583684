"""Values as Postgres COPY text. Generators build lines directly (no per-row INSERT, no tuples to
adapt), which is what makes seed-scale history fast.
"""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

NULL = r"\N"
_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)
_seconds: dict[int, str] = {}
_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def ts(us: int) -> str:
    """Microseconds since the epoch as a UTC timestamptz literal; the whole-second prefix is cached
    (this is the hottest function of a seed-scale build)."""
    second = us // 1_000_000
    prefix = _seconds.get(second)
    if prefix is None:
        if len(_seconds) > 100_000:
            _seconds.clear()
        prefix = _seconds[second] = (_EPOCH + timedelta(seconds=second)).strftime("%Y-%m-%d %H:%M:%S.")
    return f"{prefix}{us - second * 1_000_000:06d}+00"


def ts_or_null(us: int | None) -> str:
    return NULL if us is None else ts(us)


def text(value: str | None) -> str:
    return NULL if value is None else value.translate(_ESCAPES)


def to_us(moment: datetime) -> int:
    delta = moment - _EPOCH
    return (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds


def to_datetime(us: int) -> datetime:
    return _EPOCH + timedelta(microseconds=us)
