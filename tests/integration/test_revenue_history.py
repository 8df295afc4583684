"""The revenue mart sees the past from the billing record, not from what the warehouse happened to
observe. The simulator builds enough history to cover the last completed month end, every source is
extracted into a fresh warehouse in one go (a warehouse built after the fact) and SQLMesh builds it.
Then:
  - the current month ends at MRR now: SUM(ending_mrr) = SUM(entity_customers MRR) = the Python
    recomputation of test_entity_mrr from sim.api_objects, to the cent;
  - at the last completed month end, the customers with MRR and their plans are the simulator's
    truth (sim.account_events: the latest event at the month end is active or past_due, on that
    plan) for every account the simulator bills in Stripe;
  - months chain: a month's starting MRR is the previous month's ending MRR.
The month-end MRR amount itself is not compared with an independent recomputation: the simulator's
truth (account_events) records plan, seats and status but not the location add-on, which its Stripe
side trues up only at period boundaries, nor which coupon applied; the only record of what was billed
at a past instant is the invoice lines the model reads. Its rule is exact for "now" (the same
timeline read at the build time gives int_subscriptions__mrr to the cent, checked by hand on the
90-day dev warehouse) and the unit tests pin each case."""
from __future__ import annotations

import datetime as dt
import secrets

import pytest

from include.simulation import simulate
from include.sources import registry
from include.sources.api_extract import extract_entity, load_manifest
from include.sources.app.extract import extract_table
from include.sources.credentials import auth_spec, client_for
from tests.integration.test_entity_mrr import expected_mrr, q

pytestmark = pytest.mark.slow


def test_revenue_history_from_billing(fresh_db, mock_sources):
    from include.transform.runner import context

    today = dt.datetime.now(dt.timezone.utc)
    app, wh = fresh_db("app"), fresh_db("wh")
    # History from before the 1st of this month: the last month end falls inside the simulation.
    simulate(app.url, days=today.day + 1)
    for table in registry.raw_tables("app"):
        extract_table(app, wh, table)
    base_url = mock_sources(app.url)
    for source in (s for s in registry.available() if registry.is_api(s)):
        manifest = load_manifest(source)
        for entity in manifest.entities:
            client = client_for(source, base_url, auth_spec(source).get("key_prefix", "") + secrets.token_hex(16))
            client.backoff_seconds = 0.01
            extract_entity(manifest, entity.name, client, wh)
    # The platform's transform (plan to prod, then run every model up to now), less the plan's unit
    # tests: tests/sqlmesh/test_unit_tests.py runs those.
    ctx = context(wh)
    ctx.plan("prod", no_prompts=True, auto_apply=True, skip_backfill=True, skip_tests=True)
    assert ctx.run("prod", ignore_cron=True).is_success, "every model ran and passed its audits"
    now = int(dt.datetime.now(dt.timezone.utc).timestamp())

    # The current month is MRR now.
    expected, _ = expected_mrr(app, now)
    (current,), = q(wh, "SELECT SUM(ending_mrr) FROM marts.revenue_mrr_movements WHERE is_current_month")
    (customers_mrr,), = q(wh, "SELECT SUM(monthly_recurring_revenue) FROM entity.entity_customers")
    assert current == customers_mrr == expected

    # The last completed month: who had MRR, on which plan, is the simulator's truth.
    month = (today.replace(day=1) - dt.timedelta(days=1)).replace(day=1).date()
    month_end = dt.datetime.combine(today.replace(day=1).date(), dt.time(), dt.timezone.utc) - dt.timedelta(microseconds=1)
    billed = {a for (a,) in q(app, "SELECT DISTINCT payload -> 'metadata' ->> 'account_id' FROM sim.api_objects "
                                   "WHERE source = 'stripe' AND object_type = 'subscriptions'") if a}
    # The event log has no trial conversion for accounts signed up before the history starts:
    # Stripe's trial_end says when their trial ended.
    trial_over = {a for (a,) in q(app, "SELECT payload -> 'metadata' ->> 'account_id' FROM sim.api_objects "
                                       "WHERE source = 'stripe' AND object_type = 'subscriptions' "
                                       "AND COALESCE((payload ->> 'trial_end')::BIGINT, 0) <= %s",
                                  (int(month_end.timestamp()),))}
    truth = {}
    for account, status, plan in q(app, "SELECT DISTINCT ON (account_id) account_id::TEXT, status, plan "
                                        "FROM sim.account_events WHERE occurred_at <= %s "
                                        "ORDER BY account_id, occurred_at DESC", (month_end,)):
        if account in billed and (status in ("active", "past_due") or (status == "trialing" and account in trial_over)):
            truth[account] = plan
    mart = dict(q(wh, "SELECT customer_key, plan FROM marts.revenue_mrr_movements "
                      "WHERE month_start = %s AND ending_mrr > 0", (month,)))
    assert truth, "the simulator bills someone at the last month end"
    assert mart == truth

    # Months chain.
    rows = q(wh, "SELECT month_start, starting_mrr, ending_mrr FROM marts.revenue_monthly ORDER BY month_start")
    for (_, _, previous_end), (_, start, _) in zip(rows, rows[1:]):
        assert start == previous_end
