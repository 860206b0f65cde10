"""A small, strict OData client (v3 and v4) on httpx: retries, paging, count checks and resume.

A download either ends complete or fails loudly with a ``DownloadError``; it is never silently
partial. See ``docs/cbs_client.md`` for the retry policy, the journal format and the checks.
"""

from __future__ import annotations

import contextlib
import email.utils
import hashlib
import json
import os
import random
import shutil
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from types import TracebackType
from typing import Any, Protocol
from urllib.parse import quote, urlencode, urljoin

import httpx

from schouders.errors import DownloadError

Progress = Callable[[int, int | None], None]

RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
MAX_BACKOFF = 60.0
RESUME_HINT = "Probeer het later opnieuw; de download gaat verder waar hij gebleven was."
NEXT_LINK_KEYS = ("@odata.nextLink", "odata.nextLink")
COUNT_KEYS = ("@odata.count", "odata.count")


class _Retryable(Exception):
    """One failed attempt that may succeed when tried again."""

    def __init__(self, reason: str, retry_after: float | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.retry_after = retry_after


class Fetcher(Protocol):
    """What the CBS sources need from a client: a base URL and complete collections (an
    ``ODataClient``, or a recorder / replay of raw snapshots)."""

    base_url: str

    def fetch_all(
        self,
        url_or_path: str,
        params: dict[str, str] | None = None,
        *,
        journal_dir: Path | None = None,
        progress: Progress | None = None,
    ) -> list[dict]: ...


def build_url(base_url: str, url_or_path: str, params: dict[str, str] | None = None) -> str:
    """The absolute URL for a path below ``base_url`` (or an absolute URL) plus ``params``."""
    if url_or_path.startswith(("http://", "https://")):
        url = url_or_path
    else:
        url = f"{base_url.rstrip('/')}/{url_or_path.lstrip('/')}"
    if params:
        query = urlencode(params, quote_via=quote, safe="$',()")
        url = f"{url}{'&' if '?' in url else '?'}{query}"
    return url


class ODataClient:
    """Synchronous OData client for one service root (``base_url``).

    ``get_json`` fetches one document with retries; ``fetch_all`` follows the server's next links
    until the collection is complete, checks it against the reported count and, given a
    ``journal_dir``, keeps every finished page on disk so that an interrupted download resumes.
    """

    #: Upper bound (seconds) for a server's ``Retry-After`` request.
    retry_after_cap: float = 30.0

    def __init__(
        self,
        base_url: str,
        *,
        timeout: float = 60.0,
        max_retries: int = 5,
        backoff: float = 0.5,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.max_retries = max_retries
        self.backoff = backoff
        self._sleep: Callable[[float], None] = time.sleep
        self._http = httpx.Client(
            timeout=httpx.Timeout(timeout),
            transport=transport,
            follow_redirects=True,
            headers={"Accept": "application/json", "User-Agent": "schouders (open data)"},
        )

    # -- context manager -------------------------------------------------------------------
    def __enter__(self) -> ODataClient:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        self._http.close()

    # -- URLs ------------------------------------------------------------------------------
    def url(self, url_or_path: str, params: dict[str, str] | None = None) -> str:
        """The absolute URL for a path below ``base_url`` (or an absolute URL) plus ``params``."""
        return build_url(self.base_url, url_or_path, params)

    # -- single documents ------------------------------------------------------------------
    def get_json(self, url_or_path: str, params: dict[str, str] | None = None) -> dict:
        """GET one JSON document, retrying on 429, 5xx, timeouts, drops and malformed bodies."""
        url = self.url(url_or_path, params)
        last = ""
        for attempt in range(self.max_retries + 1):
            try:
                return self._attempt(url)
            except _Retryable as failure:
                last = failure.reason
                if attempt == self.max_retries:
                    break
                self._sleep(self._delay(attempt, failure.retry_after))
        raise DownloadError(
            f"Download van {url} mislukt na {self.max_retries + 1} pogingen "
            f"(laatste fout: {last}).",
            "CBS is mogelijk tijdelijk onbereikbaar of overbelast. " + RESUME_HINT,
        )

    def _attempt(self, url: str) -> dict:
        try:
            response = self._http.get(url)
        except httpx.TimeoutException as error:
            raise _Retryable(f"time-out ({type(error).__name__})") from error
        except (httpx.UnsupportedProtocol, httpx.LocalProtocolError) as error:
            raise DownloadError(f"Ongeldig adres {url}: {error}") from error
        except httpx.TransportError as error:
            raise _Retryable(f"verbinding verbroken ({type(error).__name__}: {error})") from error
        if response.status_code in RETRY_STATUSES:
            raise _Retryable(
                f"HTTP {response.status_code}{_server_message(response)}",
                _retry_after(response.headers.get("Retry-After")),
            )
        if response.status_code >= 400:
            raise DownloadError(
                f"CBS weigerde {url}: HTTP {response.status_code}{_server_message(response)}.",
                _client_error_hint(response.status_code),
            )
        try:
            document = json.loads(response.content)
        except ValueError as error:
            raise _Retryable(f"onleesbare JSON ({error})") from error
        if not isinstance(document, dict):
            raise _Retryable("antwoord is geen JSON-object")
        return document

    def _delay(self, attempt: int, retry_after: float | None) -> float:
        delay = min(self.backoff * 2**attempt, MAX_BACKOFF)
        delay += random.uniform(0, delay * 0.1)
        if retry_after is not None:
            delay = max(delay, min(retry_after, self.retry_after_cap))
        return delay

    # -- collections -----------------------------------------------------------------------
    def fetch_all(
        self,
        url_or_path: str,
        params: dict[str, str] | None = None,
        *,
        journal_dir: Path | None = None,
        progress: Progress | None = None,
    ) -> list[dict]:
        """All rows of a collection, following next links; complete or a ``DownloadError``."""
        start = self.url(url_or_path, params)
        journal = _Journal(Path(journal_dir), start) if journal_dir is not None else None
        rows: list[dict] = []
        visited: set[str] = set()
        previous: list[Any] | None = None
        total: int | None = None
        url: str | None = start
        if journal is not None:
            resumed = journal.load()
            if resumed is not None:
                rows, visited, previous, total, url = resumed
                if progress is not None:
                    progress(len(rows), total)
        while url is not None:
            if url in visited:
                raise _repeat_error(start, url)
            visited.add(url)
            page = self.get_json(url)
            value = page.get("value")
            if not isinstance(value, list):
                raise DownloadError(
                    f"Onverwacht antwoord van {url}: geen 'value'-lijst met rijen.",
                    "Controleer het adres van de tabel.",
                )
            if value and value == previous:
                raise _repeat_error(start, url)
            total = _checked_total(page, total, start)
            next_link = next((page[key] for key in NEXT_LINK_KEYS if page.get(key)), None)
            next_url = urljoin(url, next_link) if next_link else None
            rows.extend(value)
            if journal is not None:
                journal.save_page(url, value, next_url, total)
            if progress is not None:
                progress(len(rows), total)
            previous = value
            url = next_url
        if total is not None and len(rows) != total:
            if journal is not None:
                journal.remove()  # the saved pages disagree with the server: start afresh
            raise DownloadError(
                f"Onvolledige download van {start}: {len(rows)} rijen ontvangen, "
                f"maar de server meldt {total} rijen.",
                "Probeer het later opnieuw; de download begint dan opnieuw.",
            )
        if journal is not None:
            journal.remove()
        return rows


def _repeat_error(start: str, url: str) -> DownloadError:
    return DownloadError(
        f"De server stuurt dezelfde pagina opnieuw ({url}) bij het downloaden van {start}; "
        "de download is gestopt om dubbele rijen en een eindeloze lus te voorkomen.",
        RESUME_HINT,
    )


def _checked_total(page: dict, known: int | None, start: str) -> int | None:
    reported = next((page[key] for key in COUNT_KEYS if page.get(key) is not None), None)
    if reported is None:
        return known
    try:
        total = int(reported)
    except (TypeError, ValueError) as error:
        raise DownloadError(f"Onleesbaar aantal rijen {reported!r} in {start}.") from error
    if known is not None and total != known:
        raise DownloadError(
            f"Het aantal rijen van {start} veranderde tijdens de download "
            f"(eerst {known}, nu {total}); de tabel is waarschijnlijk bijgewerkt.",
            "Verwijder de onderbroken download en probeer het opnieuw.",
        )
    return total


def _retry_after(value: str | None) -> float | None:
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    with contextlib.suppress(TypeError, ValueError):
        when = email.utils.parsedate_to_datetime(value)
        return max(0.0, when.timestamp() - time.time())
    return None


def _server_message(response: httpx.Response) -> str:
    """The message in an OData error body (v3 or v4 style), if any."""
    try:
        body = response.json()
    except ValueError:
        return ""
    if not isinstance(body, dict):
        return ""
    error = body.get("error") or body.get("odata.error")  # v4 / v3
    if not isinstance(error, dict):
        return ""
    message = error.get("message")
    if isinstance(message, dict):  # OData v3: {"lang": ..., "value": ...}
        message = message.get("value")
    return f" ({message})" if message else ""


def _client_error_hint(status: int) -> str:
    if status == 404:
        return "De tabel of het adres bestaat niet (meer) bij CBS; controleer de tabelcode."
    if status == 400:
        return "CBS begreep de vraag niet; dit is waarschijnlijk een fout in Schouders."
    return "Controleer het adres en de instellingen (SCHOUDERS_CBS_*_URL)."


class _Journal:
    """Finished pages of one request on disk, so an interrupted download can resume.

    Layout: ``{journal_dir}/{sha256(start url)[:24]}/request.json`` and ``page-000001.json`` …,
    each page holding its URL, rows, the next link and the reported total. Every file is written
    to a temporary file first and moved into place with ``os.replace``.
    """

    def __init__(self, journal_dir: Path, start: str) -> None:
        key = hashlib.sha256(start.encode("utf-8")).hexdigest()[:24]
        self.start = start
        self.dir = journal_dir / key

    def _pages(self) -> list[Path]:
        return sorted(self.dir.glob("page-*.json"))

    def load(self) -> tuple[list[dict], set[str], list[Any] | None, int | None, str | None] | None:
        """(rows, visited urls, last page rows, total, next url) of a started download, or None."""
        request = self.dir / "request.json"
        if not request.exists():
            return None
        try:
            if json.loads(request.read_text("utf-8")).get("start") != self.start:
                return None
            rows: list[dict] = []
            visited: set[str] = set()
            page: dict = {}
            for path in self._pages():
                page = json.loads(path.read_text("utf-8"))
                rows.extend(page["rows"])
                visited.add(page["url"])
        except (OSError, ValueError, KeyError):
            self.remove()  # an unreadable journal is discarded, never half-trusted
            return None
        if not page:
            return None
        return rows, visited, page["rows"], page.get("total"), page.get("next")

    def save_page(
        self, url: str, rows: list[dict], next_url: str | None, total: int | None
    ) -> None:
        self.dir.mkdir(parents=True, exist_ok=True)
        request = self.dir / "request.json"
        if not request.exists():
            _write_atomic(request, {"start": self.start})
        number = len(self._pages()) + 1
        page = {"url": url, "rows": rows, "next": next_url, "total": total}
        _write_atomic(self.dir / f"page-{number:06d}.json", page)

    def remove(self) -> None:
        shutil.rmtree(self.dir, ignore_errors=True)


def _write_atomic(path: Path, document: object) -> None:
    handle, temp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=".json")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            json.dump(document, stream, ensure_ascii=False)
        os.replace(temp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temp)
        raise
