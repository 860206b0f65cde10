"""Everything the instruments pages share: settings, database, signer, templates, clock."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import jinja2

from schouders.config import Settings
from schouders.instruments.register import Register, load_register
from schouders.instruments.web import shell
from schouders.platform.config import PlatformConfig, platform_config
from schouders.platform.db import Database
from schouders.platform.migrate import upgrade
from schouders.platform.models import utcnow
from schouders.platform.signing import Signer, signing_key

WEB_DIR = Path(__file__).parent


@dataclass
class InstrumentsRuntime:
    settings: Settings
    config: PlatformConfig
    db: Database
    signer: Signer
    templates: jinja2.Environment
    register: Register
    clock: Callable[[], datetime] = field(default=utcnow)

    def now(self) -> datetime:
        return self.clock()

    def close(self) -> None:
        self.db.dispose()


def create_runtime(settings: Settings, database_url: str | None = None) -> InstrumentsRuntime:
    """Open the database, bring it to the current schema, and prepare templates."""
    config = platform_config(settings, database_url)
    db = Database(config.database_url)
    upgrade(db)
    templates = shell.environment()
    return InstrumentsRuntime(
        settings=settings,
        config=config,
        db=db,
        signer=Signer(signing_key(db, config.secret_key)),
        templates=templates,
        register=load_register(),
    )
