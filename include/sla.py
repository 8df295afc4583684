"""The freshness SLA: data must never be older than 15 minutes.

Airflow 3's deadline alerts enforce it. Each DAG of the chain carries a DeadlineAlert with its
share of the 15 minutes; when the scheduler finds a run still unfinished past its deadline, the
executor calls `on_deadline_missed`, which hands an `SlaMiss` to the notifier named by
ELT_SLA_NOTIFIER ("module:attr", a class with `notify(miss)`). The default logs one line and
writes a row into `elt_meta.sla_misses`, which the platform's UI reads."""
from __future__ import annotations

import importlib
import logging
import os
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Protocol

from include.errors import EltError

log = logging.getLogger(__name__)

FRESHNESS_SLA = timedelta(minutes=15)
# The chain shares the 15 minutes: an el run lands raw within 5 minutes of its scheduled time; the
# transform its Assets queue builds within 7 minutes of being queued, the quality run validates
# within 3. A stage over its share means the marts are older than 15 minutes when next due.
BUDGETS = {"el": timedelta(minutes=5), "transform": timedelta(minutes=7), "quality": timedelta(minutes=3)}

NOTIFIER_SETTING = "ELT_SLA_NOTIFIER"
# "off" parses the DAGs without deadlines. Only a scheduler evaluates deadlines, and Airflow 3.3's
# `airflow dags test` exits non-zero after a successful run of a DAG that has one, leaving the run
# "running" (apache/airflow#73428, open): include/airflow_runtime.py sets it for `dags test` runs.
DEADLINES_SETTING = "ELT_SLA_DEADLINES"
DEFAULT_NOTIFIER = "include.sla:LogAndTableNotifier"

DDL = """
CREATE SCHEMA IF NOT EXISTS elt_meta;
CREATE TABLE IF NOT EXISTS elt_meta.sla_misses (
    dag_id      text        NOT NULL,
    run_id      text        NOT NULL,
    deadline    timestamptz NOT NULL,
    detected_at timestamptz NOT NULL,
    detail      text        NOT NULL,
    PRIMARY KEY (dag_id, run_id, deadline)
);
"""


@dataclass(frozen=True)
class SlaMiss:
    dag_id: str
    run_id: str
    deadline: datetime
    detected_at: datetime
    detail: str

    def __str__(self) -> str:
        return (f"SLA miss: {self.dag_id} run {self.run_id} was not done by its deadline "
                f"{self.deadline:%Y-%m-%d %H:%M:%S}Z (detected {self.detected_at:%H:%M:%S}Z): {self.detail}")


class SlaNotifier(Protocol):
    def notify(self, miss: SlaMiss) -> None: ...


def freshness_deadline(stage: str):
    """The DeadlineAlert for a DAG of the chain. An el run is due by its logical date (its
    scheduled time); Asset-triggered runs have none and are due from when they were queued."""
    from airflow.sdk import DeadlineAlert, DeadlineReference, SyncCallback

    if os.environ.get(DEADLINES_SETTING, "on") == "off":
        return None
    reference = DeadlineReference.DAGRUN_LOGICAL_DATE if stage == "el" else DeadlineReference.DAGRUN_QUEUED_AT
    return DeadlineAlert(reference=reference, interval=BUDGETS[stage], name=f"freshness_sla_{stage}",
                         callback=SyncCallback(on_deadline_missed, kwargs={"stage": stage}))


def on_deadline_missed(stage: str, context: dict) -> None:
    """Deadline callback (runs on the executor): the context carries the DAG run and the deadline."""
    run, deadline = context["dag_run"], context["deadline"]
    since = "its scheduled time" if stage == "el" else "when it was queued"
    detail = (f"the {stage} stage has {BUDGETS[stage].seconds // 60} of the chain's {FRESHNESS_SLA.seconds // 60} "
              f"minutes, counted from {since}; the run was still {run.get('state')}")
    miss = SlaMiss(run["dag_id"], run["dag_run_id"], _as_datetime(deadline["deadline_time"]),
                   datetime.now(timezone.utc), detail)
    notifier().notify(miss)


def notifier() -> SlaNotifier:
    """The notifier ELT_SLA_NOTIFIER names, instantiated without arguments."""
    spec = os.environ.get(NOTIFIER_SETTING, DEFAULT_NOTIFIER)
    module_name, sep, attr = spec.partition(":")
    if not sep or not module_name or not attr:
        raise EltError(f"{NOTIFIER_SETTING}={spec!r} is not module:attr (e.g. {DEFAULT_NOTIFIER})")
    try:
        factory = getattr(importlib.import_module(module_name), attr)
    except (ImportError, AttributeError) as exc:
        raise EltError(f"{NOTIFIER_SETTING}={spec!r} cannot be loaded: {exc}") from None
    try:
        instance = factory()
    except TypeError as exc:
        raise EltError(f"{NOTIFIER_SETTING}={spec!r} cannot be created without arguments: {exc}") from None
    if not callable(getattr(instance, "notify", None)):
        raise EltError(f"{NOTIFIER_SETTING}={spec!r} has no notify(miss) method")
    return instance


class LogAndTableNotifier:
    """The default: a warning in the callback's log and a row in the warehouse's elt_meta.sla_misses."""

    def notify(self, miss: SlaMiss) -> None:
        from include.airflow_runtime import WAREHOUSE_CONN_ID
        from include.airflow_tasks import connection_url
        from include.warehouse.connect import connect

        log.warning("%s", miss)
        with connect(connection_url(WAREHOUSE_CONN_ID)) as conn:
            record(conn, miss)


def record(conn, miss: SlaMiss) -> None:
    """One row per missed deadline; a re-delivered callback adds nothing."""
    conn.execute(DDL)
    conn.execute("""INSERT INTO elt_meta.sla_misses (dag_id, run_id, deadline, detected_at, detail)
                    VALUES (%s, %s, %s, %s, %s) ON CONFLICT DO NOTHING""",
                 (miss.dag_id, miss.run_id, miss.deadline, miss.detected_at, miss.detail))


def _as_datetime(value) -> datetime:
    return value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
