"""The API extractor reads records on a thread ahead of the batch that writes them: the batch must
see exactly the records in their order, the read's error after the records read before it, and a
batch that stops early must stop the thread."""
from __future__ import annotations

import threading
import time

import pytest

from include.sources.api_extract import read_ahead


def test_every_record_in_order_across_chunks():
    assert list(read_ahead(iter(range(1000)), chunk_size=7, chunks=2)) == list(range(1000))
    assert list(read_ahead(iter([]))) == []


def test_the_reads_error_comes_after_the_records_before_it():
    def pages():
        yield from range(10)
        raise ValueError("page 2 never parsed")

    seen = []
    with pytest.raises(ValueError, match="page 2"):
        for record in read_ahead(pages(), chunk_size=4):
            seen.append(record)
    assert seen == list(range(10))


def test_a_caller_that_stops_early_stops_the_thread():
    produced = []

    def endless():
        while True:
            produced.append(len(produced))
            yield produced[-1]

    records = read_ahead(endless(), chunk_size=5, chunks=2)
    assert next(records) == 0
    records.close()
    deadline = time.monotonic() + 5
    while any(t.name == "api-read-ahead" for t in threading.enumerate()) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not any(t.name == "api-read-ahead" for t in threading.enumerate())
    assert len(produced) <= 5 * 4, "reading stays a bounded distance ahead"


def test_an_entity_of_one_short_page_is_read_on_the_callers_thread():
    readers = []

    def page():
        readers.append(threading.current_thread())
        yield from range(3)

    assert list(read_ahead(page(), chunk_size=5)) == [0, 1, 2]
    assert readers == [threading.current_thread()]
