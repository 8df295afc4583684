"""The HTTP client every API extractor uses: auth headers, timeouts, and retries with backoff
that honour `Retry-After`. Transient failures (429, 5xx, timeouts, a body cut short) are retried;
anything else surfaces as an EltError naming the request."""
from __future__ import annotations

import json
import logging
import os
import threading
import time
from dataclasses import dataclass, field

import requests

from include.errors import EltError

log = logging.getLogger(__name__)
RETRY_STATUSES = {429, 500, 502, 503, 504}

# HTTP sessions a process keeps for its next clients, with their kept-alive connections: a new
# connection costs the API a handshake (TLS, against a real API) before the first page. Keyed by
# process id, so a forked child never shares its parent's sockets.
_IDLE_SESSIONS: dict[int, list[requests.Session]] = {}
_SESSIONS_LOCK = threading.Lock()
MAX_IDLE_SESSIONS = 8


def _session() -> requests.Session:
    with _SESSIONS_LOCK:
        idle = _IDLE_SESSIONS.get(os.getpid())
        if idle:
            return idle.pop()
    return requests.Session()


@dataclass
class ApiClient:
    base_url: str
    headers: dict[str, str]
    # (connect, read): a bulk export (Iterable's) can take a while before its first byte.
    timeout: tuple[float, float] = (10.0, 60.0)
    max_attempts: int = 8
    backoff_seconds: float = 0.2
    max_backoff_seconds: float = 10.0
    retries: int = 0                                   # transient failures survived, for the summary
    session: requests.Session = field(default_factory=_session, repr=False)

    def release(self) -> None:
        """Give the session back for the process's next client; the client is not used after this."""
        with _SESSIONS_LOCK:
            idle = _IDLE_SESSIONS.setdefault(os.getpid(), [])
            if len(idle) < MAX_IDLE_SESSIONS:
                idle.append(self.session)
                return
        self.session.close()

    def request(self, method: str, path: str, *, params=None, json_body=None, parse: str = "json"):
        """One call with retries. parse: "json" (a document), "ndjson" (list of lines' objects) or "text"."""
        url = self.base_url.rstrip("/") + path
        text = ""
        for attempt in range(1, self.max_attempts + 1):
            try:
                resp = self.session.request(method, url, params=params, json=json_body, headers=self.headers,
                                            timeout=self.timeout)
                if resp.status_code in RETRY_STATUSES:
                    raise _Transient(f"HTTP {resp.status_code}", _retry_after(resp))
                if resp.status_code >= 400:
                    raise EltError(f"{method} {url} answered HTTP {resp.status_code}: {resp.text[:200]}")
                # JSON is UTF-8 (RFC 8259): without a charset, requests would guess one from the body.
                text = resp.content.decode(resp.encoding or "utf-8")
                return _parse(text, parse)
            except (_Transient, requests.Timeout, requests.ConnectionError, ValueError) as exc:
                wait = getattr(exc, "retry_after", None)
                if attempt == self.max_attempts:
                    if isinstance(exc, ValueError):
                        raise MalformedPage(f"{method} {path} {params or json_body or ''}", text) from None
                    raise EltError(f"{method} {url} still failing after {attempt} attempts: {exc}") from None
                wait = wait if wait is not None else min(self.backoff_seconds * 2 ** (attempt - 1),
                                                          self.max_backoff_seconds)
                self.retries += 1
                log.info("%s %s: %s; retry %d in %.1fs", method, path, exc, attempt, wait)
                time.sleep(wait)

    def get(self, path: str, params=None, parse: str = "json"):
        return self.request("GET", path, params=params, parse=parse)

    def post(self, path: str, body=None, params=None):
        return self.request("POST", path, params=params, json_body=body)


class MalformedPage(Exception):
    """A body that never parsed, after every retry: the extractor keeps it, flagged."""

    def __init__(self, request: str, text: str):
        super().__init__(f"{request}: the body is not valid JSON ({len(text)} bytes)")
        self.request, self.text = request, text


class _Transient(Exception):
    def __init__(self, message: str, retry_after: float | None):
        super().__init__(message)
        self.retry_after = retry_after


def _retry_after(resp: requests.Response) -> float | None:
    value = resp.headers.get("Retry-After")
    try:
        return min(float(value), 60.0) if value else None
    except ValueError:
        return None


def _parse(text: str, parse: str):
    if parse == "text":
        return text
    if parse == "ndjson":
        # A cut-short export ends mid-line: the last line then fails to parse and the call is retried.
        return [json.loads(line) for line in text.splitlines() if line.strip()]
    return json.loads(text)  # ValueError on a truncated body: retried
