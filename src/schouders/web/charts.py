"""Vega-Lite chart specifications, built with Altair.

Building and serialising an Altair chart costs tens of milliseconds, so each chart *shape* is
built once (per language and unit) with named data sources, and every request only fills in the
data (``datasets``) and the description. ``schouders serve`` builds the shapes once before the
workers start and writes them to a JSON file that each worker loads (:func:`save_templates`,
:func:`load_templates`), so no worker imports Altair or pays for a shape on a request. The specs
target Vega-Lite 5, which the app serves locally (static/vendor).
"""

from __future__ import annotations

import copy
import functools
import hashlib
import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from schouders.web.i18n import Translator

if TYPE_CHECKING:
    import altair as alt

F = TypeVar("F", bound=Callable[..., dict[str, Any]])
_TEMPLATES: dict[str, dict[str, Any]] = {}


def shape(builder: F) -> F:
    """Memoise a chart shape under its name and arguments (shared through the template file)."""

    @functools.wraps(builder)
    def cached(*args: Any) -> dict[str, Any]:
        key = builder.__name__ + json.dumps(args, ensure_ascii=False)
        found = _TEMPLATES.get(key)
        if found is None:
            found = _TEMPLATES[key] = builder(*args)
        return found

    return cached  # type: ignore[return-value]


def templates_path(home: Path) -> Path:
    """The template file of this version of the chart code (another version, another file)."""
    digest = hashlib.sha256(Path(__file__).read_bytes()).hexdigest()[:12]
    return home / f"chart-templates-{digest}.json"


def save_templates(path: Path) -> None:
    """Write the shapes built so far atomically (for the workers that start next)."""
    temp = path.with_name(f".{path.name}.{os.getpid()}")
    temp.write_text(json.dumps(_TEMPLATES, ensure_ascii=False), encoding="utf-8")
    os.replace(temp, path)


def load_templates(path: Path) -> int:
    """Load shapes written by :func:`save_templates`; a missing or broken file is ignored
    (the shapes are then built on first use). Returns how many were loaded."""
    try:
        loaded = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return 0
    if isinstance(loaded, dict):
        _TEMPLATES.update(loaded)
    return len(loaded) if isinstance(loaded, dict) else 0

VEGA_LITE_SCHEMA = "https://vega.github.io/schema/vega-lite/v5.json"
# Okabe-Ito: distinguishable with colour-blindness, and dark enough on white for lines.
PALETTE = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000",
           "#7F7F7F", "#8C564B", "#1B9E77"]
ACCENT = "#00546b"
PEER = "#767676"
FONT = "system-ui, -apple-system, Segoe UI, Roboto, Helvetica Neue, Arial, sans-serif"
CONFIG = {
    "font": FONT,
    "axis": {"labelColor": "#1b1b1b", "titleColor": "#1b1b1b", "labelFontSize": 12,
             "titleFontSize": 12, "gridColor": "#e3e3e3", "domainColor": "#6b6b6b",
             "tickColor": "#6b6b6b"},
    "legend": {"labelColor": "#1b1b1b", "titleColor": "#1b1b1b", "labelFontSize": 12,
               "titleFontSize": 12, "orient": "bottom", "labelLimit": 320, "columns": 1},
    "header": {"labelColor": "#1b1b1b", "titleColor": "#1b1b1b", "labelFontSize": 12},
    "view": {"stroke": None},
    # Marks stay out of the accessibility tree: every chart has a description and a table.
    "mark": {"aria": False},
    "range": {"category": PALETTE},
}


def number_format(unit: str | None) -> str:
    if unit in ("%", "%-mutatie"):
        return ",.1f"
    if unit == "EUR_mln":
        return ",.1f"
    return ",.0f"


def axis_title(t: Translator, unit: str | None) -> str:
    return {
        "%": "%",
        "%-mutatie": t("Verschil") + " (%)",
        "EUR/inw": t("euro per inwoner"),
        "EUR": "€",
        "EUR_mln": "€ " + t("mln"),
    }.get(unit or "", "")


def _finish(chart: alt.TopLevelMixin) -> dict[str, Any]:
    """The spec without data. The shared CONFIG is written once per page (partial
    chart_scripts.html) and merged in by static/js/charts.js, not repeated in every spec."""
    spec = chart.to_dict(validate=False)
    spec["$schema"] = VEGA_LITE_SCHEMA
    spec.pop("config", None)
    return spec


def with_config(spec: dict[str, Any]) -> dict[str, Any]:
    """A self-contained spec (for exports and tests): the shared CONFIG included."""
    return {**spec, "config": CONFIG}


def fill(template: dict[str, Any], description: str, **datasets: Any) -> dict[str, Any]:
    """A copy of a cached template with data and an accessible description."""
    spec = dict(template)
    spec["description"] = description
    spec["datasets"] = datasets
    return spec


# -- the shapes ---------------------------------------------------------------------------------


@shape
def _strip(lang: str, unit: str) -> dict[str, Any]:
    import altair as alt

    t = Translator(lang)
    fmt = number_format(unit)
    x = alt.X("v:Q", title=None, axis=alt.Axis(format=fmt, tickCount=4, labelFontSize=11),
              scale=alt.Scale(zero=False, nice=True))
    peers = alt.Chart(alt.NamedData("peers")).mark_tick(
        color=PEER, opacity=0.55, thickness=1.5, size=18
    ).encode(x=x, tooltip=[alt.Tooltip("v:Q", title=t("Waarde"), format=fmt)])
    median = alt.Chart(alt.NamedData("median")).mark_tick(
        color="#1b1b1b", thickness=2.5, size=28
    ).encode(x="v:Q", tooltip=[alt.Tooltip("v:Q", title=t("Mediaan groep"), format=fmt)])
    own = alt.Chart(alt.NamedData("own")).mark_point(
        filled=True, size=140, color=ACCENT, shape="diamond", opacity=1, stroke="#ffffff",
        strokeWidth=1,
    ).encode(x="v:Q", tooltip=[alt.Tooltip("naam:N", title=t("Gemeente")),
                               alt.Tooltip("v:Q", title=t("Waarde"), format=fmt)])
    chart = alt.layer(peers, median, own).properties(width=220, height=30)
    return _finish(chart)


def strip(lang: str, unit: str, description: str, peers: list[dict[str, Any]],
          median: float | None, own: dict[str, Any] | None) -> dict[str, Any]:
    template = _strip(lang, unit)
    return fill(template, description, peers=peers,
                median=[] if median is None else [{"v": median}],
                own=[] if own is None else [own])


@shape
def _trend(lang: str, unit: str, colour_title: str, width: int, height: int) -> dict[str, Any]:
    import altair as alt

    t = Translator(lang)
    fmt = number_format(unit)
    base = alt.Chart(alt.NamedData("series"))
    lines = base.mark_line(point=alt.OverlayMarkDef(size=45, filled=True), strokeWidth=2.2
                           ).encode(
        x=alt.X("jaar:O", title=t("Jaar"), axis=alt.Axis(labelAngle=0)),
        y=alt.Y("v:Q", title=axis_title(t, unit), axis=alt.Axis(format=fmt)),
        color=alt.Color("reeks:N", title=colour_title),
        strokeDash=alt.StrokeDash("reeks:N", title=colour_title),
        detail="seg:N",
        tooltip=[alt.Tooltip("reeks:N", title=colour_title), alt.Tooltip("jaar:O", title=t("Jaar")),
                 alt.Tooltip("v:Q", title=t("Waarde"), format=fmt)],
    )
    breaks = alt.Chart(alt.NamedData("breaks")).mark_rule(
        color="#7a2e00", strokeDash=[4, 3], strokeWidth=1.5
    ).encode(x="jaar:O", tooltip=[alt.Tooltip("label:N", title=t("Definitiebreuken"))])
    # vertical, beside its rule: horizontal labels of breaks two years apart overlapped
    labels = alt.Chart(alt.NamedData("breaks")).mark_text(
        angle=270, align="right", baseline="bottom", dy=-2, color="#7a2e00", fontSize=10
    ).encode(x="jaar:O", y=alt.value(2), text="kort:N")
    gaps = alt.Chart(alt.NamedData("gaps")).mark_text(
        angle=270, align="left", baseline="middle", dy=0, color="#8a1c1c", fontSize=11
    ).encode(x="jaar:O", y=alt.value(height - 4), text="tekst:N")
    chart = alt.layer(lines, breaks, labels, gaps).properties(width=width, height=height)
    return _finish(chart)


def trend(lang: str, unit: str, title: str, colour_title: str, description: str,
          series: list[dict[str, Any]], breaks: list[dict[str, Any]],
          height: int = 220, width: int = 320) -> dict[str, Any]:
    """Lines per series over the years; dashed rules mark definitional breaks.

    ``title`` is shown by the page (figcaption), not inside the chart."""
    del title
    t = Translator(lang)
    segmented, gaps = _segments(series, t("ontbreekt"), t("prijsindex nog niet beschikbaar"))
    return fill(_trend(lang, unit, colour_title, width, height), description,
                series=segmented, breaks=breaks, gaps=gaps)


def _segments(series: list[dict[str, Any]], missing_text: str, no_index_text: str = ""
              ) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Drop missing points and break each line there (``seg``), so a missing year is a gap,
    never a zero; years where every series is missing get an 'ontbreekt' label, or 'prijsindex
    nog niet beschikbaar' when every missing point there has status ``geen_prijsindex`` (a
    delivered begroting 2026 in real euros, before the 2026 CPI is out)."""
    by_series: dict[str, list[dict[str, Any]]] = {}
    for row in series:
        by_series.setdefault(str(row["reeks"]), []).append(row)
    result = []
    for rows in by_series.values():
        segment = 0
        for row in sorted(rows, key=lambda item: item["jaar"]):
            if row.get("v") is None:
                segment += 1
                continue
            result.append({**row, "seg": f"{row['reeks']}|{segment}"})
    years = {row["jaar"] for row in series}
    present = {row["jaar"] for row in result}
    def text(year: int) -> str:
        statuses = {row.get("status") for row in series if row["jaar"] == year}
        return no_index_text if no_index_text and statuses == {"geen_prijsindex"} \
            else missing_text

    gaps = [{"jaar": year, "tekst": text(year)} for year in sorted(years - present)]
    return result, gaps


@shape
def _budget_vs_accounts(lang: str) -> dict[str, Any]:
    import altair as alt

    t = Translator(lang)
    fmt = number_format("EUR_mln")
    bars = alt.Chart(alt.NamedData("amounts")).mark_bar().encode(
        x=alt.X("jaar:O", title=t("Jaar"), axis=alt.Axis(labelAngle=0)),
        xOffset=alt.XOffset("document:N", sort=["begroting", "jaarrekening"]),
        y=alt.Y("v:Q", title=axis_title(t, "EUR_mln"), axis=alt.Axis(format=fmt)),
        color=alt.Color("label:N", title=t("Document"),
                        scale=alt.Scale(domain=[t("begroting"), t("jaarrekening")],
                                        range=["#56B4E9", "#0072B2"])),
        tooltip=[alt.Tooltip("label:N", title=t("Document")),
                 alt.Tooltip("jaar:O", title=t("Jaar")),
                 alt.Tooltip("v:Q", title="€ " + t("mln"), format=fmt)],
    )
    missing = alt.Chart(alt.NamedData("missing")).mark_text(
        angle=270, align="left", dx=-4, fontSize=11, color="#8a1c1c", baseline="middle"
    ).encode(
        x=alt.X("jaar:O"), xOffset=alt.XOffset("document:N", sort=["begroting", "jaarrekening"]),
        y=alt.value(190), text="tekst:N",
    )
    chart = alt.layer(bars, missing).properties(width=alt.Step(16), height=200)
    return _finish(chart)


def budget_vs_accounts(lang: str, description: str, amounts: list[dict[str, Any]],
                       missing: list[dict[str, Any]]) -> dict[str, Any]:
    return fill(_budget_vs_accounts(lang), description, amounts=amounts, missing=missing)


@shape
def _dots_by_group(lang: str, unit: str, group_title: str, height: int) -> dict[str, Any]:
    import altair as alt

    t = Translator(lang)
    fmt = number_format(unit)
    y = alt.Y("groep:N", title=group_title, sort=alt.EncodingSortField("mediaan", op="max",
                                                                       order="descending"))
    dots = alt.Chart(alt.NamedData("points")).mark_circle(size=36, opacity=0.6).encode(
        x=alt.X("v:Q", title=axis_title(t, unit), axis=alt.Axis(format=fmt),
                scale=alt.Scale(zero=False)),
        y=y, yOffset=alt.YOffset("jitter:Q"),
        color=alt.value("#0072B2"),
        tooltip=[alt.Tooltip("naam:N", title=t("Gemeente")),
                 alt.Tooltip("groep:N", title=group_title),
                 alt.Tooltip("v:Q", title=t("Waarde"), format=fmt)],
    )
    medians = alt.Chart(alt.NamedData("medians")).mark_tick(
        color="#1b1b1b", thickness=3, size=22
    ).encode(x="mediaan:Q", y=alt.Y("groep:N", sort=alt.EncodingSortField(
        "mediaan", op="max", order="descending")),
        tooltip=[alt.Tooltip("groep:N", title=group_title),
                 alt.Tooltip("mediaan:Q", title=t("Mediaan"), format=fmt)])
    chart = alt.layer(dots, medians).properties(width=560, height=height)
    return _finish(chart)


def dots_by_group(lang: str, unit: str, group_title: str, description: str,
                  points: list[dict[str, Any]], medians: list[dict[str, Any]]) -> dict[str, Any]:
    height = max(120, 26 * max(1, len(medians)))
    return fill(_dots_by_group(lang, unit, group_title, height), description,
                points=points, medians=medians)


@shape
def _bars(lang: str, unit: str, title: str, height: int) -> dict[str, Any]:
    import altair as alt

    t = Translator(lang)
    fmt = number_format(unit)
    chart = alt.Chart(alt.NamedData("bars")).mark_bar(color="#0072B2").encode(
        x=alt.X("v:Q", title=axis_title(t, unit), axis=alt.Axis(format=fmt, tickCount=4)),
        y=alt.Y("naam:N", title=None, sort=None),
        tooltip=[alt.Tooltip("naam:N", title=t("Gemeente")),
                 alt.Tooltip("v:Q", title=t("Waarde"), format=fmt)],
    ).properties(width=220, height=height, title=alt.TitleParams(
        _wrap(title), fontSize=12, anchor="start"))
    return _finish(chart)


def bars(lang: str, unit: str, title: str, description: str,
         rows: list[dict[str, Any]]) -> dict[str, Any]:
    height = max(40, 18 * len(rows))
    return fill(_bars(lang, unit, title, height), description, bars=rows)


def _wrap(text: str, width: int = 42) -> list[str]:
    """Split a long title over lines (Vega-Lite draws a list as several lines)."""
    import textwrap

    return textwrap.wrap(text, width) or [text]


def template_copy(spec: dict[str, Any]) -> dict[str, Any]:
    """A deep copy (for tests that want to modify a spec)."""
    return copy.deepcopy(spec)


@shape
def _choropleth(lang: str, unit: str) -> dict[str, Any]:
    import altair as alt

    t = Translator(lang)
    fmt = number_format(unit)
    chart = alt.Chart(alt.NamedData("shapes")).mark_geoshape(
        stroke="#ffffff", strokeWidth=0.4
    ).transform_lookup(
        lookup="properties.gm_code",
        from_=alt.LookupData(alt.NamedData("values"), "gm_code", ["v", "naam"]),
    ).encode(
        color=alt.Color("v:Q", title=axis_title(t, unit), scale=alt.Scale(scheme="blues"),
                        legend=alt.Legend(format=fmt, orient="right")),
        tooltip=[alt.Tooltip("naam:N", title=t("Gemeente")),
                 alt.Tooltip("v:Q", title=t("Waarde"), format=fmt)],
    ).project(type="mercator").properties(width=480, height=560)
    return _finish(chart)


def choropleth(lang: str, unit: str, description: str, shapes: dict[str, Any],
               values: list[dict[str, Any]]) -> dict[str, Any]:
    spec = fill(_choropleth(lang, unit), description, values=values)
    spec["datasets"]["shapes"] = shapes.get("features", [])
    return spec
