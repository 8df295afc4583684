"""A real `airflow standalone` on the built warehouse and a real headless Chromium to look at it.

Chromium comes from Debian's packages (a browser download by a test tool cannot work here): when
/usr/bin/chromium or /usr/bin/chromedriver is missing, the `chromium` fixture installs them."""
from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import NamedTuple

import pytest

from include.airflow_runtime import standalone_env
from include.paths import REPO_ROOT
from include.warehouse.settings import Warehouse

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
INSTALL_CHROMIUM = "apt-get update -qq && apt-get install -y -qq chromium chromium-driver"
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync",
                  "--window-size=1400,1400"]
SCREENSHOTS = REPO_ROOT / "artifacts" / "screenshots"
STARTUP_SECONDS = 240


class AirflowUI(NamedTuple):
    url: str             # the running UI, http://127.0.0.1:<port>
    user: str
    password: str
    warehouse: Warehouse  # what its `warehouse` connection names: the built warehouse


@pytest.fixture(scope="session")
def chromium() -> None:
    if CHROMIUM.exists() and CHROMEDRIVER.exists():
        return
    result = subprocess.run(["sh", "-c", INSTALL_CHROMIUM], capture_output=True, text=True,
                            env={**os.environ, "DEBIAN_FRONTEND": "noninteractive"})
    if result.returncode != 0 or not (CHROMIUM.exists() and CHROMEDRIVER.exists()):
        last = (result.stderr or result.stdout).strip().splitlines()[-1:] or ["no output"]
        pytest.fail(f"headless Chromium is missing and `{INSTALL_CHROMIUM}` failed: {last[0]}")


@pytest.fixture(scope="module")
def browser(chromium, tmp_path_factory):
    """A headless Chromium driven by chromedriver, with a new empty profile; quit after the module."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for flag in [*CHROMIUM_FLAGS, f"--user-data-dir={tmp_path_factory.mktemp('chromium-profile')}"]:
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service(str(CHROMEDRIVER)), options=options)
    try:
        yield driver
    finally:
        driver.quit()


@pytest.fixture
def screenshot():
    """save(name): the browser's window as artifacts/screenshots/<name>.png (git-ignored)."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    def save(driver, name: str) -> Path:
        path = SCREENSHOTS / f"{name}.png"
        assert driver.save_screenshot(str(path)), f"could not save {path}"
        return path

    return save


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def airflow_ui(built_warehouse, tmp_path_factory) -> AirflowUI:
    """`airflow standalone` on a free port, its warehouse connection on the built warehouse; stopped
    (its whole process group: API server, scheduler, DAG processor, triggerer) after the module."""
    home = tmp_path_factory.mktemp("airflow")
    wh = Warehouse(built_warehouse.warehouse, built_warehouse.app, embedded=False)
    port = _free_port()
    env, password = standalone_env(wh, port, home)   # what `elt airflow` runs, in its own home
    env.update({
        # Looked at, never run: the built warehouse is shared by the whole session.
        "AIRFLOW__CORE__DAGS_ARE_PAUSED_AT_CREATION": "True",
        "AIRFLOW__CORE__PARALLELISM": "2",
    })
    log = home / "standalone.log"
    proc = subprocess.Popen([str(Path(sys.executable).parent / "airflow"), "standalone"], env=env, cwd=REPO_ROOT,
                            stdout=log.open("wb"), stderr=subprocess.STDOUT, start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_healthy(url, proc, log)
        yield AirflowUI(url, "admin", password, wh)
    finally:
        _stop(proc)


def _wait_healthy(url: str, proc: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        assert proc.poll() is None, f"airflow standalone exited ({proc.returncode}):\n{log.read_text()[-3000:]}"
        try:
            with urllib.request.urlopen(f"{url}/api/v2/monitor/health", timeout=2) as response:
                components = json.load(response)
            if all(c.get("status") == "healthy" for c in components.values()):
                return
        except OSError:
            pass
        time.sleep(1)
    raise AssertionError(f"airflow standalone was not healthy within {STARTUP_SECONDS}s:\n{log.read_text()[-3000:]}")


def _stop(proc: subprocess.Popen) -> None:
    """SIGTERM to standalone's whole process group (on Ctrl-C it waited a minute for its
    components), then SIGKILL to whatever is left after 15 s."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGTERM)
    with contextlib.suppress(subprocess.TimeoutExpired):
        proc.wait(timeout=15)
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGKILL)
    proc.wait(timeout=10)
