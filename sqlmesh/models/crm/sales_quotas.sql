/* One row per HubSpot sales owner (rep) per calendar month: the rep's new-bookings quota, kept as
   a seed (sqlmesh/seeds/sales_quotas.csv). quota_amount is in USD of first-year deal value, the
   unit of a deal's amount (crm.fact_deals.amount), so attainment = won amount closed in the month
   ÷ quota_amount.
   The owner ids are the simulator's own (include/simulation/sources/hubspot.py): sales rep n is
   hs_id('owners', 'sales', n), deterministic and the same for every simulation seed; the CSV holds
   reps 0-39 (seed scale's 40 reps; small scale uses reps 0-2) for every month of 2023-2027.
   Quota per rep per month: 90,000 (2023), 100,000 (2024), 115,000 (2025), 130,000 (2026),
   150,000 (2027), × 1.2 in quarter-end months (March, June, September, December).
   To extend it (past 2027, or for more reps), regenerate the CSV with that rule:
     from include.simulation.sources.hubspot import hs_id
     owner_id = hs_id('owners', 'sales', n)   -- n = 0, 1, 2 ... */
MODEL (
  name crm.sales_quotas,
  kind SEED (
    path '../../seeds/sales_quotas.csv'
  ),
  owner sales_analytics,
  grain (owner_id, quota_month),
  columns (
    owner_id TEXT,
    quota_month DATE,
    quota_amount NUMERIC(18, 2)
  ),
  audits (
    unique_combination_of_columns(columns := (owner_id, quota_month)),
    not_null(columns := (owner_id, quota_month, quota_amount)),
    assert_non_negative(columns := (quota_amount))
  ),
  column_descriptions (
    owner_id = 'HubSpot owner id of the sales rep (staging.stg_hubspot__owners, team Sales)',
    quota_month = 'First day of the calendar month (UTC) the quota is for',
    quota_amount = 'New-bookings quota for the month, USD of first-year deal value (the unit of fact_deals.amount)'
  )
);
