"""
### el__stripe: Stripe (billing) into `raw_stripe.*`

Every 15 minutes, one task per entity in `include/sources/stripe/manifest.yml`: customers,
products, prices, coupons, discounts, subscriptions, invoices, invoice payments, charges, refunds
and events. Each pages Stripe's list endpoint newest first with `created[gte]` from the table's
watermark minus a 10-minute overlap, then reads `/v1/events` of its kind for the objects that
changed since (their newest `data.object`); coupons are read in full. Each task loads its records
into `raw_stripe.<entity>` with COPY, keeps only versions raw lacks, and commits rows, ledger and
watermark in one transaction; it updates the Asset of its raw table.

Connections: `stripe_api` (host, port, secret key `sk_...` as password) and `warehouse`, from AIRFLOW_CONN_*.
Runbook: a failed task is safe to clear and re-run; see include/sources/stripe/README.md.
"""
from include.dag_factory import el_dag

dag = el_dag("stripe", __doc__)
