"""The documentation names only commands, options and URL paths that exist.

Every ``schouders ...`` command line in README.md and docs/*.md (in code, inline or fenced) must
be a command of the Typer app with the options it names, and every URL path of the web app they
name (``/gemeente/GM0363``, ``/api/docs``, ``http://127.0.0.1:8000/instrumenten/``) must match a
route of ``schouders.web.app.create_app``. Each test reports all missing items at once.

Not checked as app routes: docs/cbs_client.md (it documents the CBS services and their local
stand-in, whose paths are not the app's) and filesystem paths (/usr/..., /tmp/...).
"""

from __future__ import annotations

import asyncio
import re
from dataclasses import dataclass
from pathlib import Path

import pytest
import typer

REPO = Path(__file__).resolve().parents[1]
DOCS = [REPO / "README.md", *sorted((REPO / "docs").glob("*.md"))]
NOT_APP_PATHS = {"cbs_client.md"}
RELATIVE_API = {"instruments.md": "/instrumenten/"}
FILESYSTEM = ("/usr/", "/tmp/", "/work/", "/etc/", "/var/", "/home/", "/opt/", "/bin/",
              "/dev/", "/proc/", "/root/")
APP_URL = re.compile(r"https?://(?:127\.0\.0\.1|localhost):8000(/[^\s`'\")\]<>]*)?")
FENCE = re.compile(r"^```[^\n]*\n(.*?)^```", re.S | re.M)
INLINE = re.compile(r"`([^`]+)`")
COMMAND = re.compile(r"(?:^|(?<=[\s/(]))schouders[ \t]+(?=[a-z-])([^\n]*)")
OPTION = re.compile(r"(?<![\w-])(--?[a-zA-Z][\w-]*)")
WORD = re.compile(r"^[a-z][a-z-]*$")
PATH_IN_BLOCK = re.compile(r"(?:^|(?<=[\s(]))(/[\w{}.…-][^\s`'\")\]]*)")
HTTP_PATH = re.compile(r"^(?:GET|POST|PUT|PATCH|DELETE)\s+(/\S*)$")

# documented paths known to be missing ("file: path" -> reason); each is an xfail(strict) test of
# its own, so it turns into a failure the moment the route exists and the entry can go
KNOWN_MISSING: dict[str, str] = {}


@dataclass(frozen=True)
class Mention:
    source: str      # file name
    text: str        # the command line or path as written

    def __str__(self) -> str:
        return f"{self.source}: {self.text}"


def code_segments(text: str) -> tuple[list[str], list[str]]:
    """(fenced blocks, inline code spans) of a Markdown text."""
    blocks = [match.group(1) for match in FENCE.finditer(text)]
    rest = FENCE.sub("", text)
    return blocks, [match.group(1) for match in INLINE.finditer(rest)]


def command_lines(text: str) -> list[str]:
    """Every 'schouders ...' command line; fenced continuation lines ('  [--x]') joined."""
    blocks, spans = code_segments(text)
    found = []
    for block in blocks:
        lines: list[str] = []
        for line in block.splitlines():
            stripped = line.split("#", 1)[0].rstrip() if "schouders" in line else line.rstrip()
            if lines and stripped.strip().startswith(("[", "--")):
                lines[-1] += " " + stripped.strip()
            elif COMMAND.search(stripped):
                lines.append(stripped)
            else:
                lines.append("")
        found += [match.group(1) for line in lines for match in COMMAND.finditer(line)]
    for span in spans:
        found += [match.group(1) for match in COMMAND.finditer(" ".join(span.split()))]
    return [" ".join(line.replace("\\|", "|").split()) for line in found]


def url_paths(text: str, relative_api: str | None = None) -> list[str]:
    """App paths named in a text; with ``relative_api`` ('/instrumenten/'), spans such as
    `api/rondes/{id}` are read relative to it (docs/instruments.md lists its API that way)."""
    blocks, spans = code_segments(text)
    found = [match.group(1) or "/" for match in APP_URL.finditer(text)]
    for span in spans:
        span = span.strip()
        if span.startswith("/") and " " not in span:
            found.append(span)
        elif relative_api and re.fullmatch(r"api/[\w{}/-]+", span):
            found.append(relative_api + span)
        elif match := HTTP_PATH.match(span):
            found.append(match.group(1))
    for block in blocks:
        without_urls = APP_URL.sub(" ", block)
        found += [match.group(1) for match in PATH_IN_BLOCK.finditer(without_urls)
                  if not re.match(r"^/[\w.-]+\.(?:sh|py|md|csv|json|toml)$", match.group(1))]
    return [path for path in dict.fromkeys(found) if not path.startswith(FILESYSTEM)]


def mentions(kind: str) -> list[Mention]:
    result = []
    for path in DOCS:
        text = path.read_text(encoding="utf-8")
        if kind == "command":
            items = command_lines(text)
        elif path.name in NOT_APP_PATHS:
            continue
        else:
            items = url_paths(text, RELATIVE_API.get(path.name))
        result += [Mention(path.relative_to(REPO).as_posix(), item) for item in items]
    return list(dict.fromkeys(result))


# ----------------------------------------------------------------------------- commands ----

def _click_app():
    from schouders.cli import app

    return typer.main.get_command(app)


def _option_names(command) -> set[str]:
    names = {"--help"}
    for param in command.params:
        if getattr(param, "param_type_name", "") == "option":
            names.update(param.opts)
            names.update(param.secondary_opts)
    return names


def command_problems(line: str, root) -> list[str]:
    """What is wrong with one documented command line ('' parts are fine)."""
    tokens = line.split()
    path = [root]
    words = ["schouders"]
    index = 0
    while index < len(tokens) and hasattr(path[-1], "commands"):  # a command group
        token = tokens[index]
        if not WORD.match(token):
            break
        sub = path[-1].commands.get(token)
        if sub is None:
            return [f"'{' '.join([*words, token])}' is geen commando"]
        path.append(sub)
        words.append(token)
        index += 1
    known = set().union(*(_option_names(command) for command in path))
    rest = " ".join(tokens[index:])
    return [f"'{' '.join(words)}' kent de optie {option} niet"
            for option in dict.fromkeys(OPTION.findall(rest)) if option not in known]


def test_the_docs_name_commands() -> None:
    """The extraction itself works: the README's table and the docs' blocks are seen."""
    lines = {mention.text for mention in mentions("command")}
    assert "build [--data-dir PATH]" in lines
    assert "landelijk [--reeel]" in lines
    assert any(line.startswith("profiel GEMEENTE [--jaar J]") and "--deflator" in line
               for line in lines), "fenced continuation lines are joined"
    assert any(line.startswith("instrumenten gebruiker-toevoegen") for line in lines)
    assert len(lines) >= 20


def test_every_documented_command_and_option_exists() -> None:
    root = _click_app()
    problems = [f"{mention.source}: {problem}" for mention in mentions("command")
                for problem in command_problems(mention.text, root)]
    assert not problems, "Documented but not in the CLI:\n" + "\n".join(problems)


def test_command_check_catches_a_wrong_command_and_option() -> None:
    root = _click_app()
    assert command_problems("landelijk --reeel --deflator cpi", root) == []
    assert command_problems("instrumenten gebruiker-toevoegen x@y.nl --naam N --beheerder",
                            root) == []
    assert command_problems("landelijk --nominaal", root) == [
        "'schouders landelijk' kent de optie --nominaal niet"]
    assert command_problems("bouw --data-dir X", root) == ["'schouders bouw' is geen commando"]
    assert command_problems("instrumenten opruimen", root) == [
        "'schouders instrumenten opruimen' is geen commando"]


# ------------------------------------------------------------------------------- routes ----

def as_request(path: str) -> str:
    """The documented path as a request path: placeholders filled, query and punctuation
    dropped ('/gemeente/GM….' -> '/gemeente/GMx')."""
    path = path.split("?", 1)[0].split("#", 1)[0]
    path = re.sub(r"\{[^}]+\}", "x", path).replace("<", "").replace(">", "")
    return path.replace("…", "x").replace("...", "x").rstrip(".,;:") or "/"


def routed_path(app, path: str) -> str:
    """The path the app's routes see: the web's suffix middleware turns '/x.json' into '/x'."""
    from schouders.web.render import FormatSuffixMiddleware

    seen: list[str] = []

    async def inner(scope, receive, send) -> None:
        seen.append(scope["path"])

    asyncio.run(FormatSuffixMiddleware(inner)({"type": "http", "path": path,
                                               "query_string": b""}, None, None))
    return seen[0]


def is_route(app, path: str) -> bool:
    """Does a GET (or any method) of ``path`` reach a route, as Starlette's router decides it
    (a missing or extra trailing slash is redirected, so it counts)?"""
    from starlette.routing import Match

    path = routed_path(app, as_request(path))
    variants = [path] if path == "/" else [path, path[:-1] if path.endswith("/") else path + "/"]
    for variant in variants:
        scope = {"type": "http", "path": variant, "method": "GET", "root_path": "",
                 "headers": [], "query_string": b"", "app": app}
        if any(route.matches(scope)[0] != Match.NONE for route in app.routes):
            return True
    return False


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory):
    from schouders.config import load_settings
    from schouders.web.app import create_app

    return create_app(load_settings(home=tmp_path_factory.mktemp("docs_home")), warm=False)


def test_the_docs_name_url_paths() -> None:
    paths = {mention.text for mention in mentions("path")}
    assert {"/api/docs", "/instrumenten/", "/gemeente/GM0363", "/instrumenten/api/docs",
            "/instrumenten/api/apk/{id}/rapport"} <= paths
    assert not any(path.startswith("/usr/") for path in paths)


def test_every_documented_url_path_is_a_route(app) -> None:
    missing = [str(mention) for mention in mentions("path")
               if str(mention) not in KNOWN_MISSING and not is_route(app, mention.text)]
    assert not missing, "Documented but not a route of the app:\n" + "\n".join(missing)


def test_route_check_catches_a_wrong_path(app) -> None:
    assert is_route(app, "/gemeente/GM0363") and is_route(app, "/gemeente/GM….")
    assert is_route(app, "/instrumenten") and is_route(app, "/api/gemeenten/{gm_code}")
    assert not is_route(app, "/gemeenten-overzicht")
    assert not is_route(app, "/api/bestaat-niet")


@pytest.mark.parametrize("entry", [
    pytest.param(entry, marks=pytest.mark.xfail(reason=reason, strict=True,
                                                raises=AssertionError))
    for entry, reason in KNOWN_MISSING.items()] or [pytest.param("", marks=pytest.mark.skip(
        reason="no known missing routes"))])
def test_known_missing_route(app, entry: str) -> None:
    """A documented path that is known to be missing; XPASS (a failure) once it exists: then
    remove it from KNOWN_MISSING."""
    assert is_route(app, entry.split(": ", 1)[1])
