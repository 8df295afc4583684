"""How the API extractor reads one record: its id, cursor and flags from the manifest's paths, and
the canonical JSON its version hashes (which must never change, or every stored record would
look changed on the next read)."""
from __future__ import annotations

import datetime as dt

from include.sources.api_extract import Entity, _canonical_json, inspector

ENTITY = Entity("charges", "charges", "id", "meta.created", "unix", dt.timedelta(minutes=10),
                numeric=("amount", "meta.fee"), required=("customer", "meta.status"))
T = 1_764_500_000


def record(**changes) -> dict:
    base = {"id": "ch_1", "amount": 500, "customer": "cus_1", "meta": {"created": T, "fee": "1.5", "status": "paid"}}
    return {**base, **changes}


def test_a_clean_record_gives_its_id_and_cursor_and_no_flags():
    assert inspector(ENTITY)(record()) == ("ch_1", dt.datetime.fromtimestamp(T, dt.timezone.utc), [])
    assert inspector(ENTITY)(record(id=42))[0] == "42", "ids are text"


def test_each_fault_is_flagged_once_in_order():
    inspect = inspector(ENTITY)
    key, cursor, flags = inspect(record(id="", amount="N/A", meta={"created": "soon", "fee": True}))
    assert (key, cursor) == (None, None)
    assert flags == ["bad_cursor:meta.created", "missing:id", "missing:meta.status", "not_a_number:amount",
                     "not_a_number:meta.fee"]
    assert inspect(record(meta="not an object"))[2] == ["bad_cursor:meta.created", "missing:meta.status"]
    assert inspect(record(customer=None, amount=None))[2] == ["missing:customer"], "an absent number is not wrong"


def test_the_canonical_json_is_sorted_compact_and_ascii():
    text = _canonical_json({"b": 1, "a": {"d": [1.5, None, True], "c": "café"}})
    assert text == '{"a":{"c":"caf\\u00e9","d":[1.5,null,true]},"b":1}'
