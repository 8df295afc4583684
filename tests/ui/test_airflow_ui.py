"""The Airflow UI and the platform plugin's pages, looked at in a real browser: a headless Chromium
logs in to a running `airflow standalone` (the one `elt airflow` starts) whose warehouse connection
names the built warehouse, finds every DAG in the DAG list, opens each plugin page from the UI's
Plugins menu and checks what it shows. Screenshots go to artifacts/screenshots/."""
from __future__ import annotations

import contextlib
import re
import urllib.error
import urllib.request
from datetime import datetime, timedelta, timezone

import pytest

from include.paths import DAGS_DIR, DATA_DOCS_DIR
from include.sources import registry
from include.warehouse.connect import connect

TIMESTAMP = "%Y-%m-%d %H:%M:%SZ"
# entity_customers is the customer core: the app account, its Stripe customer and HubSpot company.
CUSTOMER_SOURCES = {"raw_app.accounts", "raw_stripe.customers", "raw_hubspot.companies"}

pytestmark = pytest.mark.slow


def wait(driver, seconds: float = 60):
    from selenium.webdriver.support.ui import WebDriverWait

    return WebDriverWait(driver, seconds)


@pytest.fixture(scope="module")
def signed_in(airflow_ui, browser):
    """The browser, signed in through the UI's login form."""
    from selenium.webdriver.common.by import By

    browser.get(f"{airflow_ui.url}/auth/login?next=/dags")
    wait(browser).until(lambda d: d.find_elements(By.NAME, "username"))[0].send_keys(airflow_ui.user)
    browser.find_element(By.NAME, "password").send_keys(airflow_ui.password)
    browser.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
    wait(browser).until(lambda d: d.find_elements(By.CSS_SELECTOR, "[aria-label=Plugins]"))
    return browser


def open_view(driver, name: str, path: str) -> None:
    """Plugins menu -> `name`; then work inside the view's frame once it has loaded `path`."""
    from selenium.webdriver.common.by import By

    driver.switch_to.default_content()
    driver.find_element(By.CSS_SELECTOR, "[aria-label=Plugins]").click()
    item = f"//a[@role='menuitem'][normalize-space()='{name}']"
    wait(driver).until(lambda d: [e for e in d.find_elements(By.XPATH, item) if e.is_displayed()])[0].click()
    frame = wait(driver).until(lambda d: d.find_elements(By.CSS_SELECTOR, f"iframe[title='{name}']"))[0]
    driver.switch_to.frame(frame)
    # The lineage loads the SQLMesh project on its first request (a minute or more on a busy machine).
    wait(driver, 300).until(lambda d: d.execute_script("return location.pathname") == path
                            and d.execute_script("return document.readyState") == "complete")


def section(driver, heading: str):
    """The element right after the h2 that starts with `heading`: its table or its empty state."""
    from selenium.webdriver.common.by import By

    return driver.find_element(By.XPATH, f"//h2[starts-with(normalize-space(), '{heading}')]/following-sibling::*[1]")


def rows(element) -> list[list[str]]:
    from selenium.webdriver.common.by import By

    return [[td.text for td in tr.find_elements(By.TAG_NAME, "td")]
            for tr in element.find_elements(By.CSS_SELECTOR, "tbody tr")]


def test_dag_list_shows_every_dag(signed_in, airflow_ui, screenshot):
    from selenium.common.exceptions import TimeoutException
    from selenium.webdriver.common.by import By

    expected = ({path.stem for path in DAGS_DIR.glob("*.py")}  # file name == dag_id
                | {f"el__{source}" for source in registry.available()} | {"transform", "quality"})
    signed_in.get(f"{airflow_ui.url}/dags")
    wait(signed_in).until(lambda d: d.find_elements(By.CSS_SELECTOR, "[aria-label='Show table view']"))[0].click()
    # The DAG processor may still be parsing: wait for every DAG (a file that fails to import never shows).
    def shown() -> set[str]:
        return {a.text for a in signed_in.find_elements(By.TAG_NAME, "a")}

    with contextlib.suppress(TimeoutException):
        wait(signed_in, 120).until(lambda d: expected <= shown())
    assert expected <= shown(), f"missing from the DAG list: {sorted(expected - shown())}"
    screenshot(signed_in, "01_dags")


def test_platform_health_shows_freshness_suites_and_sla_misses(signed_in, airflow_ui, screenshot):
    from selenium.webdriver.common.by import By

    open_view(signed_in, "Platform health", "/elt/health")
    screenshot(signed_in, "02_platform_health")
    as_of = datetime.strptime(signed_in.find_element(By.XPATH, "//h1/following-sibling::p[1]").text,
                              f"As of {TIMESTAMP}.").replace(tzinfo=timezone.utc)

    freshness = {row[0]: row for row in rows(section(signed_in, "Freshness per raw table"))}
    loaded = {f"raw_{source}.{table}" for source in registry.available() for table in registry.raw_tables(source)}
    assert set(freshness) == loaded, "one row per raw table the built warehouse loaded"
    summary = signed_in.find_element(By.CSS_SELECTOR, "p.summary").text
    assert summary.startswith(f"{len(loaded)} raw tables loaded, "), summary
    for name, (_, last_load, age, status, _newest) in freshness.items():
        when = datetime.strptime(last_load, TIMESTAMP).replace(tzinfo=timezone.utc)
        assert age.endswith(" min ago"), f"{name}: {age!r}"
        assert status == ("fresh" if as_of - when <= timedelta(minutes=15) else "late"), f"{name}: {status}"

    with connect(airflow_ui.warehouse.warehouse) as conn:
        has_results = conn.execute("SELECT to_regclass('elt_meta.quality_results')").fetchone()[0] is not None
        suites = conn.execute("SELECT count(DISTINCT suite) FROM elt_meta.quality_results WHERE environment = 'prod'").fetchone()[0] \
            if has_results else 0
        has_misses = conn.execute("SELECT to_regclass('elt_meta.sla_misses')").fetchone()[0] is not None
        misses = conn.execute("SELECT count(*) FROM elt_meta.sla_misses").fetchone()[0] if has_misses else 0
    results = section(signed_in, "Last quality suite results (prod)")
    if suites:
        assert len(rows(results)) == suites, "one row per suite, its latest run"
    else:
        assert results.text.startswith("No suite has run yet"), results.text
    sla = section(signed_in, "SLA misses")
    if misses:
        assert len(rows(sla)) == min(misses, 50)
    else:
        assert sla.text.startswith("No SLA misses"), sla.text


def test_lineage_of_entity_customers_reaches_raw(signed_in, screenshot):
    from selenium.webdriver.common.by import By

    open_view(signed_in, "Model lineage", "/elt/lineage")
    layers = [h.text.split(" (")[0] for h in signed_in.find_elements(By.TAG_NAME, "h2")]
    assert layers == ["raw", "staging", "intermediate", "entity", "crm", "marts", "metrics"], layers
    screenshot(signed_in, "03_model_lineage")

    signed_in.find_element(By.LINK_TEXT, "entity.entity_customers").click()
    wait(signed_in, 60).until(lambda d: d.find_element(By.TAG_NAME, "h1").text == "Lineage of entity.entity_customers")
    raw = {a.text for a in signed_in.find_elements(By.CSS_SELECTOR, ".raw-sources a")}
    assert CUSTOMER_SOURCES <= raw, raw
    assert all(name.startswith("raw_") for name in raw), raw
    tree = signed_in.find_element(By.CSS_SELECTOR, "ul.tree").text
    assert "intermediate.int_customers__core" in tree and "staging.stg_app__accounts" in tree
    screenshot(signed_in, "04_lineage_entity_customers")


def test_data_docs_serves_the_gx_site_or_says_none_is_built(signed_in, screenshot):
    from selenium.webdriver.common.by import By

    open_view(signed_in, "Data docs", "/elt/data-docs/index.html")
    screenshot(signed_in, "05_data_docs")
    index = DATA_DOCS_DIR / "index.html"
    if index.is_file():
        title = re.search(r"<title>(.*?)</title>", index.read_text(), re.S).group(1).strip()
        assert signed_in.execute_script("return document.title").strip() == title, "the GX site's own index"
    else:
        assert signed_in.find_element(By.TAG_NAME, "body").text.endswith(
            "No data docs yet: the quality DAG builds them when it validates the warehouse.")


def test_plugin_pages_need_a_login(airflow_ui):
    for path in ("/elt/health", "/elt/lineage", "/elt/data-docs/index.html"):
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(f"{airflow_ui.url}{path}", timeout=30)
        assert refused.value.code == 401, path
