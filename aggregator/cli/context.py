"""What every tradecal command shares: the loaded configuration, the store, the console."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

import click

from aggregator.core.words import counted
from aggregator.store.lock import LockBusy

if TYPE_CHECKING:  # imported where used: a command loads only what it needs (DESIGN.md)
    from rich.console import Console

    from aggregator.core.http import FetchSession
    from aggregator.core.settings import Config
    from aggregator.store.db import Store
    from sources.base import Source

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2


def console() -> Console:
    """Where people's output goes: stderr, through rich (colours on a terminal)."""
    from rich.console import Console

    return Console(stderr=True, highlight=False, soft_wrap=True)


class Context:
    """What every command needs: the configuration, loaded once, and the store."""

    def __init__(self, config_path: Path | None, store_path: Path | None = None) -> None:
        from aggregator.config import default_config_path
        self.config_path = config_path or default_config_path()
        self.store_path: Path | None = None
        self.output: Path | None = None
        self._config: Config | None = None
        self._sources_checked = False
        if store_path is not None:
            self.use_store(store_path)

    @property
    def config(self) -> Config:
        """The configuration, with the store and feeds folder chosen by :meth:`use_store`
        (``--store``) in place of ``[store] path`` and ``[feeds] output``. Each source's own
        keys are checked when a command first builds a source (:attr:`checked_config`): a
        command that only reads the store never imports the parsers."""
        if self._config is None:
            self._config = self._load(check_sources=False)
        return self._config

    @property
    def checked_config(self) -> Config:
        """:attr:`config` with every source's own keys checked by its type (exit 2 naming
        the file and key when one is wrong): for the commands that build sources."""
        if self._config is None:
            self._config = self._load(check_sources=True)
        elif not self._sources_checked:
            from aggregator.config import ConfigError, check_source_options

            try:
                self._config = check_source_options(self._config)
            except ConfigError as exc:
                _config_error(exc)
        self._sources_checked = True
        return self._config

    def _load(self, *, check_sources: bool) -> Config:
        from aggregator.config import ConfigError, load_config

        try:
            config = load_config(self.config_path, check_sources=check_sources)
        except ConfigError as exc:
            _config_error(exc)
        if self.store_path is not None:
            config = replace(config, store_path=self.store_path.absolute())
        if self.output is not None:
            config = replace(config, feeds=replace(config.feeds, output=self.output.absolute()))
        return config

    def use_store(self, store: Path) -> None:
        """Use ``store`` instead of ``[store] path``, and the folder ``public`` beside it
        for its feeds instead of ``[feeds] output`` (a demo's feeds never overwrite the
        published ones)."""
        self.store_path, self.output, self._config = store, store.parent / "public", None
        self._sources_checked = False

    def store(self, *, create: bool = False) -> Store:
        """The store. A command that only reads it (``create`` False) refuses a store file
        that does not exist, exit 2: a typo in ``[store] path`` must not make a new empty
        store that silently shows nothing. A writing command creates it and says so."""
        path = self.config.store_path
        if not path.exists():
            if not create:
                console().print(
                    f"no store at {path} ([store] path of {self.config_path}): check the path; "
                    "`tradecal run` or `tradecal import` creates a new one", markup=False,
                    style="red")
                sys.exit(EXIT_USAGE)
            console().print(f"creating a new store at {path}", markup=False)
        from aggregator.store.db import Store

        return Store(path)

    def source(self, name: str) -> Source:
        """The source ``[sources.NAME]`` describes (a usage error naming the known ones)."""
        config = self.checked_config
        if name not in config.sources:
            known = ", ".join(sorted(config.sources)) or "none configured"
            raise click.UsageError(f"unknown source {name!r} (known: {known})")
        from sources.registry import build_source

        return build_source(config.sources[name])

    def publish(self, store: Store, out: Path | None = None, *,
                correction: bool = True) -> None:
        """Rewrite the feeds from ``store`` (hold :meth:`lock`) and say so; exit 1 when the
        folder cannot be written (the store keeps what was stored)."""
        from aggregator.jobs import PublishError, publish_feeds

        try:
            paths, folder = publish_feeds(self.config, store, out)
        except PublishError as exc:
            console().print(f"{exc}; the store is updated, the feeds are not", markup=False,
                            style="red")
            sys.exit(EXIT_FAILED)
        after = ": subscribers get the correction at their next refresh" if correction else ""
        console().print(f"wrote {counted(len(paths), 'feed')} to {folder}{after}", markup=False)

    def fetcher(self, replay: Path | None) -> FetchSession:
        from aggregator.jobs import build_fetcher

        return build_fetcher(self.config, replay)

    @contextmanager
    def lock(self) -> Iterator[None]:
        """Hold the store lock; when another run keeps it too long, say so and exit 1."""
        from aggregator.jobs import store_lock

        def waiting(holder: str) -> None:
            console().print(f"waiting for another refresh to finish ({holder or 'holder unknown'})"
                            " …", markup=False)

        try:
            with store_lock(self.config, on_wait=waiting):
                yield
        except LockBusy as busy:
            console().print(str(busy), markup=False, style="red")
            sys.exit(EXIT_FAILED)


def _config_error(exc: Exception) -> NoReturn:
    console().print(f"config error: {exc}", markup=False, style="red")
    sys.exit(EXIT_USAGE)


pass_context = click.make_pass_decorator(Context)
replay_option = click.option("--replay", type=click.Path(path_type=Path, file_okay=False),
                             help="Answer every request from responses saved by `record`.")
