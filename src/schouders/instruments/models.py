"""Tables of the instruments (APK and visitatie), on the platform's ``Base``.

Every change needs an Alembic revision in ``schouders/platform/migrations/versions``; a test
compares the migrated schema with the models. Each respondent's answers are their own rows, so
concurrent respondents never overwrite each other.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from schouders.platform.models import Base, UTCDateTime, utcnow

__all__ = ["Answer", "ApkAnswer", "ApkCheck", "Base", "CustomTask", "PerspectiveAnswer",
           "Respondent", "Round"]


class CustomTask(Base):
    """A task a municipality adds to its own APK register (autonomous or local tasks)."""

    __tablename__ = "apk_custom_tasks"
    __table_args__ = (UniqueConstraint("gm_code", "code"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    gm_code: Mapped[str] = mapped_column(ForeignKey("municipalities.gm_code"))
    code: Mapped[str] = mapped_column(String(40))
    name: Mapped[str] = mapped_column(String(300))
    domain: Mapped[str] = mapped_column(String(40))
    dossier: Mapped[str] = mapped_column(String(200), default="")
    roles: Mapped[str] = mapped_column(String(100))
    obligation: Mapped[str] = mapped_column(String(20))
    legal_basis: Mapped[str] = mapped_column(Text, default="")
    description: Mapped[str] = mapped_column(Text, default="")
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class ApkCheck(Base):
    __tablename__ = "apk_checks"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    uid: Mapped[str] = mapped_column(String(36), unique=True)
    gm_code: Mapped[str] = mapped_column(ForeignKey("municipalities.gm_code"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    register_version: Mapped[str] = mapped_column(String(40))
    domains: Mapped[str] = mapped_column(Text)  # JSON list of domain codes
    status: Mapped[str] = mapped_column(String(20), default="concept")
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    finalized_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)


class ApkAnswer(Base):
    """One task in one APK check. Name, domain and legal basis are copied at creation time."""

    __tablename__ = "apk_answers"
    __table_args__ = (UniqueConstraint("check_id", "task_code"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    check_id: Mapped[int] = mapped_column(ForeignKey("apk_checks.id", ondelete="CASCADE"))
    task_code: Mapped[str] = mapped_column(String(40))
    task_name: Mapped[str] = mapped_column(String(300))
    task_domain: Mapped[str] = mapped_column(String(40))
    task_legal_basis: Mapped[str] = mapped_column(Text, default="")
    custom: Mapped[bool] = mapped_column(Boolean, default=False)
    in_view: Mapped[str | None] = mapped_column(String(10), nullable=True)
    owner: Mapped[str | None] = mapped_column(String(200), nullable=True)
    capacity_ok: Mapped[str | None] = mapped_column(String(10), nullable=True)
    expertise_ok: Mapped[str | None] = mapped_column(String(10), nullable=True)
    at_distance: Mapped[str | None] = mapped_column(String(40), nullable=True)
    distance_governed: Mapped[str | None] = mapped_column(String(10), nullable=True)
    risk_level: Mapped[str | None] = mapped_column(String(10), nullable=True)
    remarks: Mapped[str | None] = mapped_column(Text, nullable=True)
    version: Mapped[int] = mapped_column(Integer, default=0)
    updated_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    updated_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)


class Round(Base):
    __tablename__ = "visitatie_rounds"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    uid: Mapped[str] = mapped_column(String(36), unique=True)
    gm_code: Mapped[str] = mapped_column(ForeignKey("municipalities.gm_code"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    questionnaire_version: Mapped[str] = mapped_column(String(40))
    opgaven: Mapped[str] = mapped_column(Text, default="[]")  # JSON list (revision 0002)
    status: Mapped[str] = mapped_column(String(20), default="open")
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)

    respondents: Mapped[list[Respondent]] = relationship(
        back_populates="round", order_by="Respondent.id"
    )


class Respondent(Base):
    __tablename__ = "visitatie_respondents"
    __table_args__ = (
        UniqueConstraint("round_id", "user_id"),
        UniqueConstraint("round_id", "label"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("visitatie_rounds.id", ondelete="CASCADE"))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    label: Mapped[str] = mapped_column(String(100))
    status: Mapped[str] = mapped_column(String(20), default="concept")
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    updated_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)

    round: Mapped[Round] = relationship(back_populates="respondents")


class Answer(Base):
    __tablename__ = "visitatie_answers"
    __table_args__ = (UniqueConstraint("respondent_id", "question_code"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    respondent_id: Mapped[int] = mapped_column(
        ForeignKey("visitatie_respondents.id", ondelete="CASCADE")
    )
    question_code: Mapped[str] = mapped_column(String(40))
    value: Mapped[int | None] = mapped_column(Integer, nullable=True)
    dont_know: Mapped[bool] = mapped_column(Boolean, default=False)
    comment: Mapped[str | None] = mapped_column(Text, nullable=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class PerspectiveAnswer(Base):
    """Per respondent and opgave: the dominant NSOB perspective and how well each is served."""

    __tablename__ = "visitatie_perspective_answers"
    __table_args__ = (UniqueConstraint("respondent_id", "opgave"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    respondent_id: Mapped[int] = mapped_column(
        ForeignKey(
            "visitatie_respondents.id",
            ondelete="CASCADE",
            name="fk_visitatie_perspective_answers_respondent",
        )
    )
    opgave: Mapped[str] = mapped_column(String(200))
    dominant: Mapped[str | None] = mapped_column(String(10), nullable=True)
    served: Mapped[str] = mapped_column(Text, default="{}")  # JSON {perspective code: 1..5}
    comment: Mapped[str | None] = mapped_column(Text, nullable=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
