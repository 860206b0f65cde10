"""The instruments' pages in the monitor's web shell: its base template (header, navigation,
footer, language switch nl/en), its one stylesheet and its translator.

Instrument templates extend ``layout.html`` (here), which extends the monitor's ``base.html``;
the loader looks in the instruments' templates first, then in the monitor's. English texts of the
instruments are in :mod:`schouders.instruments.web.english`, used by the monitor's Translator.
"""

from __future__ import annotations

import hashlib
from importlib import resources
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import jinja2
from starlette.requests import Request

from schouders.instruments.web import formatting
from schouders.instruments.web.english import ENGLISH
from schouders.web.i18n import Translator, language_of

TEMPLATES = Path(__file__).parent / "templates"
_static_versions: dict[str, str] = {}


def static_url(path: str) -> str:
    """'css/site.css' -> '/static/css/site.css?v=<hash>', as the monitor links its files."""
    if path not in _static_versions:
        try:
            data = (resources.files("schouders.web") / "static" / path).read_bytes()
            _static_versions[path] = hashlib.sha256(data).hexdigest()[:10]
        except OSError:
            _static_versions[path] = "0"
    return f"/static/{path}?v={_static_versions[path]}"


def environment() -> jinja2.Environment:
    loader = jinja2.ChoiceLoader([
        jinja2.FileSystemLoader(str(TEMPLATES)),
        jinja2.FileSystemLoader(str(resources.files("schouders.web") / "templates")),
    ])
    env = jinja2.Environment(loader=loader, autoescape=jinja2.select_autoescape(["html"]))
    env.globals["static"] = static_url
    formatting.install(env)
    return env


def translator(request: Request) -> Translator:
    return Translator(language_of(request), ENGLISH)


def shell_context(request: Request) -> dict[str, Any]:
    """What the monitor's base template needs: language, switch links, translator, path."""
    t = translator(request)
    kept = [(k, v) for k, v in request.query_params.multi_items() if k != "lang"]
    base = request.url.path
    return {
        "lang": t.lang,
        "t": t,
        "switch": {code: f"{base}?" + urlencode([*kept, ("lang", code)]) for code in ("nl", "en")},
        "request_path": base,
        "twins": {},
        "build_info": None,
        "title": "Instrumenten",
    }
