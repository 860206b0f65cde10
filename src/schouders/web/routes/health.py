"""Liveness: answers without touching the warehouse (also the benchmark's baseline)."""

from __future__ import annotations

import os

from fastapi import APIRouter
from fastapi.responses import RedirectResponse
from pydantic import BaseModel, Field

router = APIRouter()


class Health(BaseModel):
    status: str = "ok"
    worker: int = Field(default_factory=os.getpid,
                        description="Proces-id van de worker die antwoordt")


@router.get("/health", tags=["systeem"], response_model=Health,
            summary="Leeft de dienst?")
async def health() -> Health:
    return Health()


@router.get("/favicon.ico", include_in_schema=False)
def favicon() -> RedirectResponse:
    return RedirectResponse("/static/favicon.svg", status_code=301)
