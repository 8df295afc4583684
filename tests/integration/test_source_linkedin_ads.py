"""LinkedIn Ads end to end: the simulator's objects through the real mock server (real HTTP) into
raw_linkedin_ads.*, exactly, with and without faults; bad values flagged; an advance re-pulls only
the trailing days; and the app's paid sign-ups are conversions and landings of their campaigns."""
from __future__ import annotations

import urllib.error
import urllib.request

import pytest

from include.simulation import simulate
from tests.integration import _ads_source_checks as check

SOURCE = "linkedin_ads"
SEED = 5                  # a small history with LinkedIn sign-ups inside the ads history (seed 42 has none)
CONVERSIONS = """SELECT c.name, (a.payload->>'_date')::date, sum((a.payload->>'externalWebsiteConversions')::numeric)
                 FROM (SELECT DISTINCT ON (id) * FROM raw_linkedin_ads.creative_analytics ORDER BY id, _extracted_at DESC) a
                 JOIN (SELECT DISTINCT id, payload->>'campaign' AS campaign FROM raw_linkedin_ads.creatives) cr
                   ON cr.id = a.payload->'pivotValues'->>0
                 JOIN (SELECT DISTINCT id, payload->>'name' AS name FROM raw_linkedin_ads.campaigns) c
                   ON 'urn:li:sponsoredCampaign:' || c.id = cr.campaign
                 GROUP BY 1, 2"""
LANDINGS = "SELECT payload->>'appAccountId', payload->>'utmCampaign' FROM raw_linkedin_ads.landings"


@pytest.fixture
def source(fresh_db, mock_sources):
    app = fresh_db("app")
    simulate(app.url, days=2, seed=SEED)
    return app, mock_sources(app.url)


def test_raw_equals_simulator_then_an_advance_pulls_only_recent_days(source, fresh_db):
    (app, url), warehouse = source, fresh_db("wh")
    batches = check.extract_all(SOURCE, url, warehouse)
    assert sum(b.rows_flagged for b in batches.values()) == 0
    check.assert_raw_matches_simulator(SOURCE, app.url, warehouse)
    check.assert_signups_are_conversions(app.url, warehouse, ("linkedin",), CONVERSIONS, LANDINGS)
    check.assert_incremental(SOURCE, app.url, warehouse, url, "creative_analytics")


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


def test_401_and_version_header(source):
    _app, url = source
    check.assert_needs_auth(url, [
        ("GET", "/rest/adAccounts?q=search", {}),
        ("GET", "/rest/adAnalytics?q=analytics", {"Authorization": "Bearer ya29.wrong"}),
    ])
    req = urllib.request.Request(f"{url}/rest/adAccounts?q=search", headers={"Authorization": "Bearer AQVtoken"})
    with pytest.raises(urllib.error.HTTPError) as err:
        urllib.request.urlopen(req, timeout=5)
    assert err.value.code == 400 and b"VERSION_MISSING" in err.value.read()
