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
from collections.abc import Callable, Sequence
from pathlib import Path
from types import TracebackType
from typing import Any, Protocol
from urllib.parse import quote, urlencode, urljoin, urlsplit

import httpx

from schouders.errors import DownloadError

Progress = Callable[[int, int | None], None]

RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
MAX_BACKOFF = 60.0
RESUME_HINT = "Probeer het later opnieuw; de download gaat verder waar hij gebleven was."
NEXT_LINK_KEYS = ("@odata.nextLink", "odata.nextLink")
DEFAULT_DEADLINE = 300.0
DEFAULT_DOWNLOAD_DEADLINE = 4 * 3600.0
MAX_REDIRECTS = 5
REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
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
        key: Sequence[str] | None = None,
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
        deadline: float = DEFAULT_DEADLINE,
        download_deadline: float | None = DEFAULT_DOWNLOAD_DEADLINE,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.max_retries = max_retries
        self.backoff = backoff
        #: Seconds one request may take in total (connect, headers and the whole body); a server
        #: that trickles bytes is cut off and the request retried like a time-out.
        self.deadline = deadline
        #: Seconds one whole ``fetch_all`` (all pages, waits and retries) may take; None = no
        #: limit beyond the per-request deadline and the bounded retries. An interrupted download
        #: keeps its journal and resumes on the next run.
        self.download_deadline = download_deadline
        self._download_ends: float | None = None
        self._sleep: Callable[[float], None] = time.sleep
        self._http = httpx.Client(
            timeout=httpx.Timeout(timeout),
            transport=transport,
            follow_redirects=False,  # redirects are followed by hand, only on base_url
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
            self._check_download_deadline(url)
            try:
                return self._attempt(url)
            except _Retryable as failure:
                last = failure.reason
                if attempt == self.max_retries:
                    break
                delay = self._delay(attempt, failure.retry_after)
                if self._download_ends is not None:
                    delay = max(0.0, min(delay, self._download_ends - time.monotonic()))
                self._sleep(delay)
        raise DownloadError(
            f"Download van {url} mislukt na {self.max_retries + 1} pogingen "
            f"(laatste fout: {last}).",
            "CBS is mogelijk tijdelijk onbereikbaar of overbelast. " + RESUME_HINT,
        )

    def _check_download_deadline(self, url: str) -> None:
        if self._download_ends is not None and time.monotonic() > self._download_ends:
            raise DownloadError(
                f"De download via {url} duurde langer dan {self.download_deadline:g} s "
                "(deadline per download); de server is te traag of houdt de verbinding bezet.",
                "Probeer het later opnieuw; de download gaat verder waar hij gebleven was "
                "(SCHOUDERS_CBS_DOWNLOAD_DEADLINE stelt de grens in).")

    def on_base(self, url: str) -> bool:
        """Whether ``url`` lies below the configured service root (same scheme, host, port)."""
        base = urlsplit(self.base_url)
        target = urlsplit(url)
        return ((target.scheme, target.netloc.lower()) == (base.scheme, base.netloc.lower())
                and (target.path == base.path or target.path.startswith(
                    base.path.rstrip("/") + "/")))

    def require_on_base(self, url: str, what: str, origin: str) -> None:
        if not self.on_base(url):
            raise DownloadError(
                f"{what} van {origin} wijst naar {url}, buiten de ingestelde CBS-dienst "
                f"{self.base_url}; Schouders volgt zo'n verwijzing niet.",
                "Controleer SCHOUDERS_CBS_DATADERDEN_URL / SCHOUDERS_CBS_DATASETS_URL; een "
                "server die naar een andere host verwijst wordt niet vertrouwd.")

    def _attempt(self, url: str) -> dict:
        started = time.monotonic()
        current = url
        for _ in range(MAX_REDIRECTS + 1):
            status, headers, content = self._get(current, started)
            if status in REDIRECT_STATUSES and headers.get("location"):
                target = urljoin(current, headers["location"])
                self.require_on_base(target, "Een doorverwijzing", current)
                if target == current:
                    break
                current = target
                continue
            return self._document(current, status, headers, content)
        raise DownloadError(
            f"Te veel doorverwijzingen vanaf {url} (een lus van de server).",
            "CBS of de ingestelde server verwijst steeds door; probeer het later opnieuw of "
            "controleer het adres (SCHOUDERS_CBS_*_URL).")

    def _get(self, url: str, started: float) -> tuple[int, httpx.Headers, bytes]:
        """Status, headers and the whole (decoded) body of one GET, within the deadline."""
        late = f"het antwoord duurde langer dan {self.deadline:g} s (deadline per verzoek)"
        ends = started + self.deadline
        if self._download_ends is not None and self._download_ends < ends:
            ends = self._download_ends
        try:
            with self._http.stream("GET", url) as response:
                chunks = []
                for chunk in response.iter_bytes():
                    chunks.append(chunk)
                    if time.monotonic() > ends:
                        raise _Retryable(late)
                if time.monotonic() > ends:
                    raise _Retryable(late)
                return response.status_code, response.headers, b"".join(chunks)
        except httpx.TimeoutException as error:
            raise _Retryable(f"time-out ({type(error).__name__})") from error
        except (httpx.UnsupportedProtocol, httpx.LocalProtocolError) as error:
            raise DownloadError(f"Ongeldig adres {url}: {error}") from error
        except httpx.DecodingError as error:
            raise _Retryable(f"onleesbaar gecomprimeerd antwoord ({error})") from error
        except httpx.TransportError as error:
            raise _Retryable(f"verbinding verbroken ({type(error).__name__}: {error})") from error

    def _document(self, url: str, status: int, headers: httpx.Headers, content: bytes) -> dict:
        plain = {k: v for k, v in headers.items()
                 if k.lower() not in ("content-encoding", "content-length", "transfer-encoding")}
        response = httpx.Response(status, headers=plain, content=content)
        if status in RETRY_STATUSES:
            raise _Retryable(
                f"HTTP {status}{_server_message(response)}",
                _retry_after(headers.get("Retry-After")),
            )
        if status >= 400:
            raise DownloadError(
                f"CBS weigerde {url}: HTTP {status}{_server_message(response)}.",
                _client_error_hint(status),
            )
        if status != 200:
            raise DownloadError(f"Onverwacht antwoord van {url}: HTTP {status}.",
                                "Controleer het adres (SCHOUDERS_CBS_*_URL).")
        try:
            document = json.loads(content, parse_constant=_no_constant)
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
        key: Sequence[str] | None = None,
    ) -> list[dict]:
        """All rows of a collection, following next links; complete or a ``DownloadError``.

        ``key`` names the fields that identify a row (default: the whole row). A row key that
        arrives twice, or a page whose rows were already received, stops the download: a server
        that answers page N with an earlier page cannot slip duplicates in, even when the
        reported count is still met.
        """
        start = self.url(url_or_path, params)
        outer = self._download_ends is None
        if outer and self.download_deadline is not None:
            self._download_ends = time.monotonic() + self.download_deadline
        try:
            return self._fetch_all(start, journal_dir, progress, key)
        finally:
            if outer:
                self._download_ends = None

    def _fetch_all(self, start: str, journal_dir: Path | None, progress: Progress | None,
                   key: Sequence[str] | None) -> list[dict]:
        journal = _Journal(Path(journal_dir), start) if journal_dir is not None else None
        rows: list[dict] = []
        visited: set[str] = set()
        total: int | None = None
        url: str | None = start
        seen = _Seen(start, key)
        if journal is not None:
            resumed = journal.load()
            if resumed is not None:
                rows, visited, _, total, url = resumed
                for page_rows in journal.pages():
                    seen.add_page(page_rows, journal.dir)
                if progress is not None:
                    progress(len(rows), total)
        while url is not None:
            if url in visited:
                raise _repeat_error(start, url)
            self.require_on_base(url, "De volgende pagina", start)
            visited.add(url)
            page = self.get_json(url)
            value = page.get("value")
            if not isinstance(value, list):
                raise DownloadError(
                    f"Onverwacht antwoord van {url}: geen 'value'-lijst met rijen.",
                    "Controleer het adres van de tabel.",
                )
            try:
                seen.add_page(value, url)
            except DownloadError:
                if journal is not None:
                    journal.remove()
                raise
            total = _checked_total(page, total, start)
            next_link = next((page[key] for key in NEXT_LINK_KEYS if page.get(key)), None)
            next_url = urljoin(url, next_link) if next_link else None
            if next_url is not None:
                self.require_on_base(next_url, "De volgende pagina", url)
            rows.extend(value)
            if journal is not None:
                journal.save_page(url, value, next_url, total)
            if progress is not None:
                progress(len(rows), total)
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


class _Seen:
    """Row keys and page digests of one download, to refuse repeated pages and rows."""

    def __init__(self, start: str, key: Sequence[str] | None) -> None:
        self.start = start
        self.key = tuple(key) if key else None
        self.rows: set[object] = set()
        self.pages: set[str] = set()

    def add_page(self, value: list[Any], where: object) -> None:
        if not value:
            return
        digest = hashlib.sha256(json.dumps(value, sort_keys=True, default=str).encode()
                                ).hexdigest()
        if digest in self.pages:
            raise _repeat_error(self.start, str(where))
        self.pages.add(digest)
        for row in value:
            identity = (tuple(str(row.get(name)) for name in self.key)
                        if self.key and isinstance(row, dict)
                        else json.dumps(row, sort_keys=True, default=str))
            if identity in self.rows:
                shown = dict(zip(self.key, identity, strict=True)) if self.key else identity
                raise DownloadError(
                    f"De server stuurt rij {shown} twee keer bij het downloaden van "
                    f"{self.start} (pagina {where}); de download is gestopt om dubbele rijen "
                    "te voorkomen.",
                    "Probeer het later opnieuw; de download begint dan opnieuw.")
            self.rows.add(identity)


def _no_constant(name: str) -> float:
    raise ValueError(f"{name} is geen geldig JSON-getal")


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

    def pages(self) -> list[list[dict]]:
        """The rows of every saved page, in order (after a successful :meth:`load`)."""
        return [json.loads(path.read_text("utf-8"))["rows"] for path in self._pages()]

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
