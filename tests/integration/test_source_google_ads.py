"""Google Ads end to end: the simulator's objects through the real mock server (real HTTP) into
raw_google_ads.*, exactly, with and without faults; bad values flagged; an advance re-pulls only the
trailing days; and the app's paid sign-ups are conversions and clicks of their campaigns."""
from __future__ import annotations

import pytest

from include.simulation import simulate
from tests.integration import _ads_source_checks as check

SOURCE = "google_ads"
CONVERSIONS = """SELECT c.name, (p.payload->'segments'->>'date')::date, sum((p.payload->'metrics'->>'conversions')::numeric)
                 FROM (SELECT DISTINCT ON (id) * FROM raw_google_ads.ad_performance ORDER BY id, _extracted_at DESC) p
                 JOIN (SELECT DISTINCT id, payload->'campaign'->>'name' AS name FROM raw_google_ads.campaigns) c
                   ON c.id = p.payload->'campaign'->>'id'
                 GROUP BY 1, 2"""
LANDINGS = """SELECT payload->'landing'->>'appAccountId', payload->'landing'->>'utmCampaign'
              FROM raw_google_ads.click_views"""


@pytest.fixture
def source(fresh_db, mock_sources):
    app = fresh_db("app")
    simulate(app.url, days=2)
    return app, mock_sources(app.url)


def test_raw_equals_simulator_then_an_advance_pulls_only_recent_days(source, fresh_db):
    (app, url), warehouse = source, fresh_db("wh")
    batches = check.extract_all(SOURCE, url, warehouse)
    assert sum(b.rows_flagged for b in batches.values()) == 0
    check.assert_raw_matches_simulator(SOURCE, app.url, warehouse)
    check.assert_signups_are_conversions(app.url, warehouse, ("google",), CONVERSIONS, LANDINGS)
    check.assert_incremental(SOURCE, app.url, warehouse, url, "ad_performance")


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
    stream = "/v20/customers/1/googleAds:searchStream"
    check.assert_needs_auth(url, [
        ("GET", "/v20/customers:listAccessibleCustomers", {}),
        ("POST", stream, {"developer-token": "t"}),
        ("POST", stream, {"Authorization": "Bearer ya29.token"}),          # no developer token
        ("POST", stream, {"Authorization": "Bearer sk_test_x", "developer-token": "t"}),
    ])
