"""`skranke demo`: a fresh demo database filled through the real importer."""

from __future__ import annotations

from dataclasses import dataclass

from skranke.i18n import _
from skranke.services.context import Skranke, UsageError
from skranke.store.engine import sqlite_path


@dataclass(frozen=True)
class DemoResult:
    skranke: Skranke
    location: str


def demo_database_url(skranke: Skranke) -> str:
    return f"sqlite:///{skranke.data_dir() / 'demo' / 'skranke-demo.db'}"


def create_demo(skranke: Skranke) -> DemoResult:
    """Without --db: a demo file of its own, made anew. With --db: only into an empty store."""
    settings = skranke.settings
    if settings.db is None:
        url = demo_database_url(skranke)
        path = sqlite_path(url)
        assert path is not None
        path.parent.mkdir(parents=True, exist_ok=True)
        for stale in path.parent.glob(path.name + "*"):
            stale.unlink()
        for folder in ("inbox", "outbox"):
            _empty_folder(path.parent / folder)
        settings = settings.model_copy(update={"db": url})
    # Making the demo store is creating on purpose: --db may name one that does not exist yet.
    demo = Skranke(settings=settings, clock=skranke.clock, site=skranke.site, hours=skranke.hours, may_create=True)
    from skranke.services.sync import citizen_count, import_demo_data

    if citizen_count(demo) > 0:
        raise UsageError(
            _("{database} already holds citizens: the demo only fills an empty database").format(
                database=demo.database_url
            )
        )
    import_demo_data(demo)
    return DemoResult(demo, demo.database_url)


def _empty_folder(folder) -> None:
    import shutil

    if folder.exists():
        shutil.rmtree(folder)
