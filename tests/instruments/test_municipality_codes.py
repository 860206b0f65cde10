"""The instruments accept only codes of real, current municipalities (the warehouse's CBS list):
GM9999 has the shape of a code but is no municipality; Weesp (GM0457) was dissolved in 2022."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from schouders.config import Settings, load_settings
from schouders.instruments.municipalities import code_problem
from schouders.platform.models import Municipality

from .conftest import form_post, login


@pytest.fixture()
def settings(tmp_path: Path, real_warehouse: Settings) -> Settings:
    """A home of its own with the session's real warehouse linked in (read-only)."""
    home = tmp_path / "home"
    home.mkdir()
    (home / real_warehouse.warehouse_path.name).symlink_to(real_warehouse.warehouse_path)
    return load_settings(home=home)


def test_code_problem_on_the_real_list(settings: Settings) -> None:
    assert code_problem(settings, "GM0363") is None
    assert code_problem(settings, "gm1700 ") is None
    problem = code_problem(settings, "GM9999")
    assert problem is not None and "geen gemeentecode" in problem
    dissolved = code_problem(settings, "GM0457")
    assert dissolved is not None and "opgeheven (laatste jaar 2022)" in dissolved
    assert code_problem(load_settings(home=settings.home.parent / "leeg"), "GM9999") is None


def test_beheerder_cannot_add_gm9999(app, db, world) -> None:
    admin = login(app, world.email("beheerder"))
    refused = form_post(admin, "/instrumenten/beheer", "/instrumenten/beheer/gemeenten",
                        {"gm_code": "GM9999", "name": "Nergenshuizen", "email": ""})
    assert refused.status_code == 400
    assert "GM9999 is geen gemeentecode" in refused.text
    accepted = form_post(admin, "/instrumenten/beheer", "/instrumenten/beheer/gemeenten",
                         {"gm_code": "GM0363", "name": "Amsterdam", "email": ""})
    assert accepted.status_code == 303
    with db.transaction() as session:
        codes = set(session.scalars(select(Municipality.gm_code)))
    assert "GM0363" in codes and "GM9999" not in codes
