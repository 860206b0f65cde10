"""One page, every form: HTML (Jinja2) and the JSON, CSV and XLSX twins of the same model.

A page is described by a :class:`Page`; :func:`respond` renders the form the request asks for
(``.json``/``.csv``/``.xlsx`` suffix, rewritten to ``?format=`` by
:class:`FormatSuffixMiddleware`) with the renderer of that format (:data:`RENDERERS`; the
council report adds PDF) and caches the bytes per process, keyed on the canonical URL and
language.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import math
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable, Mapping
from dataclasses import dataclass, field
from importlib import resources
from typing import Any
from urllib.parse import urlencode

import jinja2
import numpy as np
import pandas as pd
from fastapi import HTTPException
from markupsafe import Markup
from pydantic import BaseModel
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from schouders.service.models import SOURCE_NOTE
from schouders.web.i18n import COOKIE, Translator, language_of

MEDIA_TYPES = {
    "html": "text/html; charset=utf-8",
    "json": "application/json",
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
FORMATS = tuple(MEDIA_TYPES)
SUFFIXES = tuple(f".{fmt}" for fmt in FORMATS if fmt != "html")
SUFFIX_EXEMPT = ("/static/", "/api/", "/instrumenten/")
DIRECTION_TEXT = {
    "hoger_beter": "hoger is beter",
    "lager_beter": "lager is beter",
    "neutraal": "geen voorkeursrichting",
}


@dataclass
class Page:
    """What a page shows: ``data`` (the page model) is the JSON twin and, as ``model``, the HTML
template's context; ``context`` adds presentation only (chart specs); ``table`` is the CSV."""

    template: str
    title: str
    data: BaseModel | dict[str, Any]
    table: pd.DataFrame | None = None
    name: str = "schouders"
    context: dict[str, Any] = field(default_factory=dict)
    status_code: int = 200
    twins: bool = True


class FormatSuffixMiddleware:
    """Rewrite ``/path.json``, ``/path.csv`` and ``/path.xlsx`` to ``/path?format=...``, and
    drop empty query parameters (``peiljaar=`` from a form means "not chosen")."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            query_string: bytes = scope.get("query_string", b"")
            if query_string and (b"=&" in query_string or query_string.endswith(b"=")):
                kept = [part for part in query_string.split(b"&")
                        if part and not part.endswith(b"=")]
                scope = dict(scope)
                scope["query_string"] = b"&".join(kept)
            path: str = scope.get("path", "")
            if not path.startswith(SUFFIX_EXEMPT):
                for suffix in SUFFIXES:
                    if path.endswith(suffix) and len(path) > len(suffix):
                        scope = dict(scope)
                        scope["path"] = path[: -len(suffix)] or "/"  # '/.json': the start page
                        scope["raw_path"] = scope["path"].encode("utf-8")
                        query = scope.get("query_string", b"")
                        extra = f"format={suffix[1:]}".encode()
                        scope["query_string"] = query + b"&" + extra if query else extra
                        break
        await self.app(scope, receive, send)


def wanted_format(request: Request) -> str:
    value = request.query_params.get("format", "html")
    if value not in FORMATS:
        raise HTTPException(status_code=400,
                            detail="format moet een van " + ", ".join(FORMATS) + " zijn")
    return value


def canonical_query(request: Request, drop: tuple[str, ...] = ("format", "lang")) -> str:
    items = sorted(
        (key, value) for key, value in request.query_params.multi_items() if key not in drop
    )
    return urlencode(items)


class Renderer:
    """Jinja2 environment plus the JSON/CSV writers."""

    def __init__(
        self, globals_: Mapping[str, Any], build_info: Callable[[], dict[str, str] | None]
    ) -> None:
        self.build_info = build_info
        loader = jinja2.FileSystemLoader(str(resources.files("schouders.web") / "templates"))
        self.env = jinja2.Environment(
            loader=loader,
            autoescape=jinja2.select_autoescape(["html"]),
            trim_blocks=True,
            lstrip_blocks=True,
            undefined=jinja2.StrictUndefined,
        )
        self.env.globals.update(globals_)
        self.env.filters["tojson_script"] = script_json
        self.env.filters["zip_self"] = lambda items: [(item, item) for item in items]
        self.env.filters["translate_pairs"] = lambda items, t: [(item, t(item)) for item in items]

    def compile_all(self) -> None:
        """Compile every template now (Jinja2 takes tens of ms per template on first use)."""
        for name in self.env.list_templates(extensions=["html"]):
            self.env.get_template(name)

    def html(self, request: Request, page: Page, lang: str, query: str | None = None) -> str:
        """``query``: the page's validated parameters as a query string (links to the twins
        and the other language carry these, never unknown parameters of the request)."""
        template = self.env.get_template(page.template)
        query = canonical_query(request) if query is None else query
        base = request.url.path
        twins = {fmt: f"{base}.{fmt}" + (f"?{query}" if query else "") for fmt in RENDERERS}
        switch = {code: f"{base}?" + (f"{query}&" if query else "") + f"lang={code}"
                  for code in ("nl", "en")}
        return template.render(
            request_path=base,
            query=query,
            twins=twins if page.twins else {},
            build_info=self.build_info(),
            lang=lang,
            switch=switch,
            t=Translator(lang),
            title=page.title,
            data=page.data,
            model=page.data.model_dump() if isinstance(page.data, BaseModel) else page.data,
            richting_tekst=DIRECTION_TEXT,
            **page.context,
        )


def page_query(params: Mapping[str, object]) -> str:
    """The canonical query string of a page's validated parameters (empty ones left out)."""
    return urlencode(sorted((key, str(value)) for key, value in params.items()
                            if value is not None and value != ""))


async def respond(
    request: Request,
    build: Callable[[], Page],
    *,
    cache_key: object | None = None,
    params: Mapping[str, object] | None = None,
) -> Response:
    """Render ``build()`` in the form the request asks for; cache the bytes per process.

    ``params`` are the route's validated query parameters: with them the response is cached
    under those values only, so unknown or junk parameters can neither fill the cache nor leak
    into links. The cache is bounded in bytes (:class:`ResponseCache`). A cached page is
    answered straight from the event loop; building a page (database work, pandas, Jinja2)
    runs in the thread pool so it never blocks other requests.
    """
    fmt = wanted_format(request)
    lang = language_of(request)
    app_state = request.app.state
    renderer: Renderer = app_state.renderer
    web = app_state.web
    web.refresh(time.monotonic())
    query = page_query(params) if params is not None else None

    def produce() -> tuple[bytes, int, dict[str, str]]:
        page = build()
        headers: dict[str, str] = {}
        if fmt == "html":
            body = renderer.html(request, page, lang, query).encode("utf-8")
        else:
            body = RENDERERS[fmt](page)
        if fmt in DOWNLOADS:
            headers["content-disposition"] = f'attachment; filename="{page.name}.{fmt}"'
        return body, page.status_code, headers

    if cache_key is None or params is None:
        body, status, headers = await run_in_threadpool(produce)
    else:
        cache: ResponseCache = app_state.responses
        key = (web.generation, request.url.path, query, fmt, lang, cache_key)
        found = cache.get(key)
        if found is None:
            found = await run_in_threadpool(produce)
            cache.put(key, found)
        body, status, headers = found
    response = Response(body, status_code=status, media_type=MEDIA_TYPES[fmt], headers=headers)
    if fmt == "html":
        response.headers["vary"] = "Cookie"
    remember_language(request, response)
    return response


class ResponseCache:
    """Rendered responses per worker, least recently used first out, bounded in bytes."""

    def __init__(self, max_bytes: int = 64 * 1024 * 1024) -> None:
        self.max_bytes = max_bytes
        self.size = 0
        self._entries: OrderedDict[Hashable, tuple[bytes, int, dict[str, str]]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Hashable) -> tuple[bytes, int, dict[str, str]] | None:
        with self._lock:
            found = self._entries.get(key)
            if found is not None:
                self._entries.move_to_end(key)
            return found

    def put(self, key: Hashable, value: tuple[bytes, int, dict[str, str]]) -> None:
        if len(value[0]) > self.max_bytes // 4:
            return  # one huge page must not push out everything else
        with self._lock:
            old = self._entries.pop(key, None)
            if old is not None:
                self.size -= len(old[0])
            self._entries[key] = value
            self.size += len(value[0])
            while self.size > self.max_bytes and self._entries:
                _, dropped = self._entries.popitem(last=False)
                self.size -= len(dropped[0])

    def __len__(self) -> int:
        return len(self._entries)


def remember_language(request: Request, response: Response) -> None:
    asked = request.query_params.get("lang")
    if asked in ("nl", "en") and request.cookies.get(COOKIE) != asked:
        response.set_cookie(COOKIE, asked, max_age=365 * 24 * 3600, samesite="lax",
                            httponly=True)


# -- serialisation ---------------------------------------------------------------------------


def jsonable(value: Any) -> Any:
    """Turn DataFrames, numpy scalars, NaN and dates into plain JSON values (NaN -> null)."""
    if isinstance(value, pd.DataFrame):
        return [jsonable(row) for row in value.to_dict(orient="records")]
    if isinstance(value, Mapping):
        return {str(key): jsonable(item) for key, item in value.items()}
    if isinstance(value, list | tuple | set):
        return [jsonable(item) for item in value]
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float):
        return None if math.isnan(value) or math.isinf(value) else value
    if value is pd.NaT or value is None:
        return None
    if isinstance(value, pd.Timestamp | dt.date | dt.datetime):
        return value.isoformat()
    if isinstance(value, BaseModel):
        return value.model_dump(mode="json")
    if hasattr(value, "__dataclass_fields__"):
        return jsonable(vars(value))
    return value


def page_json(page: Page) -> bytes:
    """The page model itself (the same document as its /api route)."""
    if isinstance(page.data, BaseModel):
        return page.data.model_dump_json().encode("utf-8")
    return json_bytes({**page.data, "bron": SOURCE_NOTE})


def page_csv(page: Page) -> bytes:
    return csv_bytes(page.table if page.table is not None else pd.DataFrame())


def page_xlsx(page: Page) -> bytes:
    """The page's table as an Excel workbook, with the source note on a second sheet."""
    table = page.table if page.table is not None else pd.DataFrame()
    buffer = io.BytesIO()
    with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
        table.to_excel(writer, sheet_name="gegevens", index=False)
        pd.DataFrame({"bron": [SOURCE_NOTE, page.title]}).to_excel(
            writer, sheet_name="bron", index=False)
    return buffer.getvalue()


# Renderers of the non-HTML forms: one function per format, from the page alone.
RENDERERS: dict[str, Callable[[Page], bytes]] = {
    "json": page_json, "csv": page_csv, "xlsx": page_xlsx}
DOWNLOADS = ("csv", "xlsx")


def json_bytes(value: Any) -> bytes:
    return json.dumps(jsonable(value), ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def csv_bytes(table: pd.DataFrame) -> bytes:
    buffer = io.StringIO()
    table.to_csv(buffer, index=False, lineterminator="\n")
    return buffer.getvalue().encode("utf-8")


def script_json(value: Any) -> Markup:
    """JSON safe to place inside ``<script type="application/json">`` (no ``</script>``)."""
    text = json.dumps(jsonable(value), ensure_ascii=False, separators=(",", ":"))
    return Markup(
        text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    )


class HeadAsGetMiddleware:
    """Answer HEAD like GET without the body (HTTP semantics; FastAPI routes only list GET)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope.get("method") != "HEAD":
            await self.app(scope, receive, send)
            return

        async def without_body(message: Message) -> None:
            if message["type"] == "http.response.body":
                message = {**message, "body": b""}
            await send(message)

        await self.app({**scope, "method": "GET"}, receive, without_body)
