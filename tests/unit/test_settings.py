"""Warehouse resolution from the environment, and URL redaction."""
from __future__ import annotations

import pytest

from include.errors import EltError
from include.warehouse.settings import EMBEDDED_DEFAULT_PORT, PgUrl, redact, resolve


def test_unset_means_embedded(monkeypatch):
    for var in ("ELT_WAREHOUSE_URL", "ELT_APP_DB_URL", "ELT_EMBEDDED_PG_PORT"):
        monkeypatch.delenv(var, raising=False)
    wh = resolve()
    assert wh.embedded
    assert (wh.warehouse.host, wh.warehouse.port, wh.warehouse.database) == ("127.0.0.1", EMBEDDED_DEFAULT_PORT, "warehouse")
    assert wh.app.database == "app" and wh.app.port == wh.warehouse.port


def test_explicit_url_and_app_on_same_server(monkeypatch):
    monkeypatch.setenv("ELT_WAREHOUSE_URL", "postgresql://etl:s3cret@db.internal:6543/dw")
    monkeypatch.delenv("ELT_APP_DB_URL", raising=False)
    wh = resolve()
    assert not wh.embedded
    assert wh.warehouse.url == "postgresql://etl:s3cret@db.internal:6543/dw"
    assert wh.app.url == "postgresql://etl:s3cret@db.internal:6543/app"
    monkeypatch.setenv("ELT_APP_DB_URL", "postgresql://ro@other:5432/oltp")
    assert resolve().app.url == "postgresql://ro@other:5432/oltp"


@pytest.mark.parametrize("url, message", [
    ("mysql://u@h/db", "is not a postgresql:// URL"),
    ("postgresql://u:pw@h:notaport/db", "port that is not a number"),
    ("postgresql://u:pw@h:5432", "needs a host and a database"),
])
def test_bad_urls_are_one_line_errors_without_the_password(monkeypatch, url, message):
    monkeypatch.setenv("ELT_WAREHOUSE_URL", url)
    with pytest.raises(EltError, match=message) as info:
        resolve()
    assert "pw" not in str(info.value) and "\n" not in str(info.value)


def test_bad_embedded_port(monkeypatch):
    monkeypatch.delenv("ELT_WAREHOUSE_URL", raising=False)
    monkeypatch.setenv("ELT_EMBEDDED_PG_PORT", "80")
    with pytest.raises(EltError, match="ELT_EMBEDDED_PG_PORT='80'"):
        resolve()


def test_redact_hides_only_the_password():
    assert redact("postgresql://etl:s3cret@h:1/db") == "postgresql://etl:***@h:1/db"
    assert redact("postgresql://etl@h:1/db") == "postgresql://etl@h:1/db"
    assert PgUrl.parse("postgresql://a:b@h/db", name="X").redacted == "postgresql://a:***@h:5432/db"
