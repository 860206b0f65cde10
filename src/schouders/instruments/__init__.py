"""Instruments of Schouders: the APK beleid en wettelijk kader and the visitatie self-assessment.

Public surface:
- ``create_instruments_router(settings)``: FastAPI router, mounted by the main app under
  ``/instrumenten``;
- ``create_instruments_app(settings)``: a small standalone app with only the instruments;
- ``schouders.instruments.cli.instruments_cli``: the Typer sub-app (``schouders instrumenten``).
"""

from __future__ import annotations

from typing import Any

__all__ = ["create_instruments_app", "create_instruments_router"]


def __getattr__(name: str) -> Any:
    # Lazy, so that the data and service modules can be used without importing the web stack.
    if name in __all__:
        from schouders.instruments.web import router

        return getattr(router, name)
    raise AttributeError(name)
