"""The shipped data files: the APK register and the visitatie questionnaire."""

from __future__ import annotations

import tomllib
from collections import Counter

import pytest

from schouders.errors import DataFileError
from schouders.instruments.questionnaire import (
    CURRENT_PATH,
    available_versions,
    load_questionnaire,
    parse_questionnaire,
)
from schouders.instruments.register import REGISTER_PATH, load_register, parse_register


def register_data() -> dict:
    return tomllib.loads(REGISTER_PATH.read_text(encoding="utf-8"))


def test_register_has_enough_tasks_in_every_domain_with_a_legal_basis() -> None:
    register = load_register()
    assert len(register.tasks) >= 40
    per_domain = Counter(task.domain for task in register.tasks)
    assert set(per_domain) == {
        "milieu_mobiliteit", "ruimte_wonen", "energie_klimaat", "sociaal_domein",
        "bestuur_veiligheid",
    }
    assert min(per_domain.values()) >= 5
    for task in register.tasks:
        assert task.legal_basis and all(basis.law for basis in task.legal_basis), task.code
        assert task.roles and set(task.roles) <= {"medeoverheid", "dienstverlener", "handhaver"}
    codes = [task.code for task in register.tasks]
    assert len(codes) == len(set(codes))


def test_register_cites_the_laws_named_in_the_brief() -> None:
    laws = {basis.law for task in load_register().tasks for basis in task.legal_basis}
    for law in (
        "Omgevingswet", "Wet milieubeheer", "Wegenverkeerswet 1994", "Woningwet",
        "Huisvestingswet 2014", "Wet kwaliteitsborging voor het bouwen",
        "Wet gemeentelijke instrumenten warmtetransitie", "Wet collectieve warmte",
        "Wet bodembescherming", "Erfgoedwet", "Wet maatschappelijke ondersteuning 2015",
        "Jeugdwet", "Participatiewet", "Wet inburgering 2021", "Wet publieke gezondheid",
        "Leerplichtwet 1969", "Wet gemeentelijke schuldhulpverlening",
        "Wet basisregistratie personen", "Wet veiligheidsregio's", "Gemeentewet",
    ):
        assert law in laws, law
    riolering = load_register().task("mm-riolering-afvalwater")
    assert riolering is not None
    assert "art. 2.16" in riolering.legal_basis_text()


def test_register_errors_name_the_faulty_entry() -> None:
    data = register_data()
    data["taken"][3]["domein"] = "onbekend_domein"
    with pytest.raises(DataFileError) as error:
        parse_register(data, "test.toml")
    assert data["taken"][3]["code"] in str(error.value)
    assert "onbekend domein" in str(error.value)

    data = register_data()
    data["taken"][5]["code"] = data["taken"][4]["code"]
    with pytest.raises(DataFileError, match="dubbel"):
        parse_register(data, "test.toml")

    data = register_data()
    data["taken"][0]["grondslag"] = []
    with pytest.raises(DataFileError, match="grondslag"):
        parse_register(data, "test.toml")

    data = register_data()
    data["taken"][0]["code"] = "met_underscore"
    with pytest.raises(DataFileError, match="ongeldige taakcode"):
        parse_register(data, "test.toml")


def test_questionnaire_covers_factors_roles_domains_and_perspectives() -> None:
    q = load_questionnaire()
    assert [f.code for f in q.factors] == ["hulpbronnen", "motivatie", "samenwerking"]
    # every subfactor of the PBL/BMC model has at least one question
    assert {s.code for s in q.subfactors} == {q.subfactor for q in q.questions if q.subfactor}
    assert len(q.subfactors) == 10
    # every role and every physical/social domain is asked for every factor
    for role in ("medeoverheid", "dienstverlener", "handhaver"):
        assert {x.factor for x in q.questions if x.role == role} == {f.code for f in q.factors}
    for domain in ("milieu_mobiliteit", "ruimte_wonen", "energie_klimaat", "sociaal_domein"):
        assert {x.factor for x in q.questions if x.domain == domain} == {
            f.code for f in q.factors
        }
    assert [p.code for p in q.steering.perspectives] == ["pa", "npm", "nw", "mv"]
    assert any(x.reverse for x in q.questions)
    assert q.version in available_versions()


def test_questionnaire_rejects_unknown_role() -> None:
    data = tomllib.loads(CURRENT_PATH.read_text(encoding="utf-8"))
    data["vragen"][0]["rol"] = "planmaker"
    with pytest.raises(DataFileError, match="onbekende rol 'planmaker'"):
        parse_questionnaire(data, "x.toml", load_register())
