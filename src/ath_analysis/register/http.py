"""The one door to the network, used only by the `fetch` commands (the pipeline itself never calls it).

Every response is logged with its URL, retrieval time and sha256 so that the manifest of the written files can
say exactly what was downloaded. A machine without a network gets a one-line error that names the host and
points to the offline route (`ath-analysis areas import DIR`). Tests replace the transport by recorded responses.
"""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from ath_analysis import __version__
from ath_analysis.register.common import RegisterError, sha256_bytes, utc_now

Transport = Callable[[urllib.request.Request, float], bytes]

USER_AGENT = f"ath-analysis/{__version__} (reference data download)"


class NetworkError(RegisterError):
    """A download failed: no network, a timeout, or an HTTP error status."""


class NotFound(NetworkError):
    """The server answered 404: the requested table, layer or year does not exist (yet)."""


def urllib_transport(request: urllib.request.Request, timeout: float) -> bytes:
    """GET/POST with the standard library, failing after `timeout` seconds of silence."""
    with urllib.request.urlopen(request, timeout=timeout) as response:
        return bytes(response.read())


@dataclass(frozen=True)
class Download:
    """One response as the manifest records it."""

    url: str
    retrieved: str
    sha256: str
    size: int
    method: str = "GET"

    def as_source(self, licence: str) -> dict[str, Any]:
        return {"url": self.url, "method": self.method, "retrieved": self.retrieved, "sha256": self.sha256,
                "bytes": self.size, "licence": licence}


@dataclass
class HttpClient:
    """Downloads with a timeout, a polite pause between requests and a log of what was fetched.

    offline_hint: appended to the error when the host cannot be reached (what to do instead).
    """

    transport: Transport | None = None  # None: urllib_transport (looked up at call time)
    timeout: float = 60.0
    pause: float = 0.0
    offline_hint: str = ""
    log: list[Download] = field(default_factory=list)

    def get(self, url: str, *, what: str, data: bytes | None = None) -> bytes:
        """The body of `url` (POST when `data` is given), or a one-line NetworkError."""
        headers = {"User-Agent": USER_AGENT, "Accept": "application/json"}
        if data is not None:
            headers["Content-Type"] = "application/json"
        request = urllib.request.Request(url, data=data, headers=headers, method="POST" if data else "GET")
        host = urllib.parse.urlsplit(url).netloc or url
        if self.log and self.pause > 0:
            time.sleep(self.pause)
        try:
            body = (self.transport or urllib_transport)(request, self.timeout)
        except urllib.error.HTTPError as exc:
            kind = NotFound if exc.code == 404 else NetworkError
            raise kind(f"{what}: {url} answered HTTP {exc.code} {exc.reason}") from None
        except (urllib.error.URLError, TimeoutError, OSError) as exc:
            reason = getattr(exc, "reason", None) or exc
            hint = f"; {self.offline_hint}" if self.offline_hint else ""
            raise NetworkError(f"{what}: cannot reach {host} ({reason}){hint}") from None
        self.log.append(Download(url=url, retrieved=utc_now(), sha256=sha256_bytes(body), size=len(body),
                                 method="POST" if data else "GET"))
        return body

    def get_json(self, url: str, *, what: str, payload: Any = None) -> Any:
        """The decoded JSON of `url` (POSTing `payload` as JSON when given)."""
        data = json.dumps(payload).encode("utf-8") if payload is not None else None
        body = self.get(url, what=what, data=data)
        try:
            return json.loads(body.decode("utf-8-sig"))
        except (UnicodeDecodeError, json.JSONDecodeError):
            start = body[:80].decode("utf-8", "replace").replace("\n", " ")
            raise NetworkError(f"{what}: {url} did not return JSON (it starts {start!r})") from None


def with_query(base: str, params: list[tuple[str, str | int]]) -> str:
    """`base` with a query string; repeated keys stay repeated (Sotkanet's years=2020&years=2021)."""
    return f"{base}?{urllib.parse.urlencode(params)}" if params else base
