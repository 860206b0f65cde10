"""Accounts and invites at the service level."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from schouders.errors import SchoudersError
from schouders.instruments.visitatie import (
    accept_invite,
    create_round,
    invite_respondent,
    respondent_of,
)
from schouders.platform.access import Forbidden
from schouders.platform.accounts import create_user, viewer_for
from schouders.platform.errors import FieldErrors
from schouders.platform.invites import create_invite
from schouders.platform.models import Membership, User, utcnow
from schouders.platform.passwords import verify_password

from .conftest import GM_A, GM_B, PASSWORD, viewer_of


def test_passwords_are_argon2_hashed_and_rules_enforced(db, world) -> None:
    with db.transaction() as session:
        user = session.scalar(select(User).where(User.email == world.email("coord_a")))
        assert user is not None
        assert user.password_hash.startswith("$argon2id$")
        assert PASSWORD not in user.password_hash
        assert verify_password(user.password_hash, PASSWORD)
        assert not verify_password(user.password_hash, PASSWORD + "x")
    with pytest.raises(FieldErrors) as error, db.transaction() as session:
        create_user(session, "kort@example.nl", "Kort", "kort")
    assert "password" in error.value.errors
    with pytest.raises(FieldErrors) as error, db.transaction() as session:
        create_user(session, world.email("coord_a").upper(), "Dubbel", PASSWORD)
    assert error.value.errors == {"email": "Er bestaat al een account met dit e-mailadres."}


def test_invite_is_one_time_and_grants_role_and_round(db, world) -> None:
    coord = viewer_of(db, world.ids["coord_a"])
    with db.transaction() as session:
        round_ = create_round(session, coord, GM_A, "Ronde 1")
        created = invite_respondent(session, coord, round_, "Nieuw@Example.nl")
        round_id = round_.id
    with db.transaction() as session:
        user = accept_invite(session, created.token, name="Nieuw", password="een-lang-wachtwoord",
                             password_repeat="een-lang-wachtwoord")
        user_id = user.id
    with db.transaction() as session:
        viewer = viewer_for(session, user_id)
        assert viewer is not None and viewer.email == "nieuw@example.nl"
        assert viewer.roles == {GM_A: "respondent"}
        from schouders.instruments.models import Round

        assert respondent_of(session, session.get(Round, round_id), user_id) is not None
    with pytest.raises(SchoudersError, match="al gebruikt"), db.transaction() as session:
        accept_invite(session, created.token, name="Nog eens", password="een-lang-wachtwoord")


def test_invite_expires(db, world) -> None:
    coord = viewer_of(db, world.ids["coord_a"])
    long_ago = utcnow() - timedelta(days=30)
    with db.transaction() as session:
        created = create_invite(session, coord, GM_A, "analist", "laat@example.nl", now=long_ago)
    with pytest.raises(SchoudersError, match="verlopen"), db.transaction() as session:
        accept_invite(session, created.token, name="Laat", password="een-lang-wachtwoord")


def test_existing_account_must_confirm_password(db, world) -> None:
    coord_b = viewer_of(db, world.ids["coord_b"])
    with db.transaction() as session:
        # resp_a1 is also invited to municipality B
        created = create_invite(session, coord_b, GM_B, "respondent", world.email("resp_a1"))
    with pytest.raises(FieldErrors), db.transaction() as session:
        accept_invite(session, created.token, password="verkeerd-wachtwoord")
    with db.transaction() as session:
        accept_invite(session, created.token, password=PASSWORD)
    viewer = viewer_of(db, world.ids["resp_a1"])
    assert viewer.roles == {GM_A: "respondent", GM_B: "respondent"}


def test_who_may_invite_whom(db, world) -> None:
    coord_a = viewer_of(db, world.ids["coord_a"])
    analist = viewer_of(db, world.ids["analist_a"])
    admin = viewer_of(db, world.ids["beheerder"])
    with pytest.raises(FieldErrors) as error, db.transaction() as session:
        create_invite(session, coord_a, GM_A, "coordinator", "x@example.nl")
    assert "role" in error.value.errors
    with pytest.raises(Forbidden), db.transaction() as session:
        create_invite(session, coord_a, GM_B, "respondent", "x@example.nl")
    with pytest.raises(Forbidden), db.transaction() as session:
        create_invite(session, analist, GM_A, "respondent", "x@example.nl")
    with db.transaction() as session:
        created = create_invite(session, admin, GM_B, "coordinator", "tweede@example.nl")
        assert created.invite.role == "coordinator"
        # only the digest is stored
        assert created.token not in created.invite.token_hash


def test_membership_keeps_the_stronger_role(db, world) -> None:
    coord_a = viewer_of(db, world.ids["coord_a"])
    with db.transaction() as session:
        created = create_invite(session, coord_a, GM_A, "respondent", world.email("analist_a"))
    with db.transaction() as session:
        accept_invite(session, created.token, password=PASSWORD)
        role = session.scalar(select(Membership.role).where(
            Membership.user_id == world.ids["analist_a"], Membership.gm_code == GM_A))
    assert role == "analist"
