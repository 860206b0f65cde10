"""Liveness: answers without touching the warehouse (also the benchmark's baseline)."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import RedirectResponse
from pydantic import BaseModel

router = APIRouter()


class Health(BaseModel):
    status: str = "ok"


@router.get("/health", tags=["systeem"], response_model=Health,
            summary="Leeft de dienst?")
async def health() -> Health:
    return Health()


@router.get("/favicon.ico", include_in_schema=False)
def favicon() -> RedirectResponse:
    return RedirectResponse("/static/favicon.svg", status_code=301)
