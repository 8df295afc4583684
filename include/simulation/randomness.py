"""Deterministic randomness. Every draw comes from a stream named by (seed, tick, stream) or from an
entity's own hash (seed, id), never from global state, so the same commands give the same bytes.
"""
from __future__ import annotations

import hashlib
import math
import random

GENESIS_TICK = -1                       # the stream index of the population that exists before history


def rng_for(seed: int, tick: int, stream: str) -> random.Random:
    """An independent generator per (seed, tick, stream): one generator's draws never shift another's."""
    digest = hashlib.blake2b(f"{seed}:{tick}:{stream}".encode(), digest_size=16).digest()
    return random.Random(int.from_bytes(digest, "big"))


_VERSION_MASK = ~((0xF000 << 64) | (0xC000 << 48))
_VERSION_BITS = (0x4000 << 64) | (0x8000 << 48)


def new_id(rng: random.Random) -> str:
    """The text of uuid.UUID(int=rng.getrandbits(128), version=4), without building the object."""
    h = f"{rng.getrandbits(128) & _VERSION_MASK | _VERSION_BITS:032x}"
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


def traits(seed: int, entity_id: str, count: int) -> list[float]:
    """`count` (at most 8) stable uniforms in [0, 1) that belong to one entity for its whole life."""
    digest = hashlib.blake2b(f"{seed}:{entity_id}".encode(), digest_size=8 * count).digest()
    return [int.from_bytes(digest[i:i + 8], "big") / 2.0 ** 64 for i in range(0, 8 * count, 8)]


def activity_weight(u: float) -> float:
    """A long-tailed weight with mean about 1: most entities are average, a few are very busy."""
    return max(0.05, -math.log(1.0 - u))


def poisson(rng: random.Random, lam: float) -> int:
    if lam <= 0.0:
        return 0
    if lam > 50.0:                      # normal approximation; exact enough for event counts
        return max(0, round(rng.gauss(lam, math.sqrt(lam))))
    limit, k, p = math.exp(-lam), 0, rng.random()
    while p > limit:
        k += 1
        p *= rng.random()
    return k

