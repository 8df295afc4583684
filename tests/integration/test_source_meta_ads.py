"""Meta Ads end to end: the simulator's objects through the real mock server (real HTTP) into
raw_meta_ads.*, exactly, with and without faults; bad values flagged; an advance re-pulls only the
trailing days and changed entities; and the app's paid sign-ups are conversions and landings of
their campaigns."""
from __future__ import annotations

import pytest

from include.simulation import simulate
from tests.integration import _ads_source_checks as check

SOURCE = "meta_ads"
CONVERSIONS = """SELECT payload->>'campaign_name', (payload->>'date_start')::date,
                        coalesce(sum((a->>'value')::numeric) FILTER (WHERE a->>'action_type' = 'offsite_conversion.fb_pixel_lead'), 0)
                 FROM (SELECT DISTINCT ON (id) * FROM raw_meta_ads.ad_insights ORDER BY id, _extracted_at DESC) i
                 CROSS JOIN LATERAL jsonb_array_elements(payload->'actions') a GROUP BY 1, 2"""
LANDINGS = "SELECT payload->>'app_account_id', payload->>'utm_campaign' FROM raw_meta_ads.landings"


@pytest.fixture
def source(fresh_db, mock_sources):
    app = fresh_db("app")
    simulate(app.url, days=2)
    return app, mock_sources(app.url)


def test_raw_equals_simulator_then_an_advance_pulls_only_what_changed(source, fresh_db):
    (app, url), warehouse = source, fresh_db("wh")
    batches = check.extract_all(SOURCE, url, warehouse)
    assert sum(b.rows_flagged for b in batches.values()) == 0
    check.assert_raw_matches_simulator(SOURCE, app.url, warehouse)
    check.assert_signups_are_conversions(app.url, warehouse, ("facebook", "instagram"), CONVERSIONS, LANDINGS)
    check.assert_incremental(SOURCE, app.url, warehouse, url, "ad_insights")


def test_faults_change_nothing(source, fresh_db):
    (app, url), warehouse = source, fresh_db("wh")
    check.set_faults(url, check.FAULTS)
    batches = check.extract_all(SOURCE, url, warehouse)
    assert sum(b.retries for b in batches.values()) > 0, "the faults fired and were retried"
    check.assert_raw_matches_simulator(SOURCE, app.url, warehouse)


def test_bad_values_are_flagged_and_counted(source, fresh_db):
    (_app, url), warehouse = source, fresh_db("wh")
    check.set_faults(url, {"bad_values": 0.05})
    check.assert_flags_explained(SOURCE, warehouse, check.extract_all(SOURCE, url, warehouse))


def test_401_without_credentials(source):
    _app, url = source
    check.assert_needs_auth(url, [
        ("GET", "/v21.0/me/adaccounts", {}),
        ("GET", "/v21.0/act_1/insights?level=ad&access_token=ya29.wrong", {}),
        ("GET", "/v21.0/act_1/campaigns", {"Authorization": "Bearer sk_test_x"}),
    ])
