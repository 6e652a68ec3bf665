"""config.toml: read once, validated, turned into typed settings.

An unknown key, a value of the wrong type, an unknown time zone or an unknown source type
raises :class:`ConfigError` with the dotted name of the key (``sources.wto.timezone``); the
command line turns it into exit status 2.
"""

from __future__ import annotations

import dataclasses
import os
import re
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from aggregator.core.model import SECTIONS
from aggregator.core.settings import (
    DEFAULT_FOOTER,
    Config,
    FeedSettings,
    FetchSettings,
    NewsletterSettings,
    Organization,
    RefreshSettings,
    ScheduleSettings,
    ServeSettings,
    SourceConfig,
)
from aggregator.schedule import parse_schedule
from sources.channels import FETCHES, source_channels
from sources.registry import SOURCE_TYPES, source_class

__all__ = [  # the settings classes are re-exported: callers import them from here
    "DEFAULT_FOOTER", "SECTIONS", "Config", "ConfigError", "FeedSettings", "FetchSettings",
    "NewsletterSettings", "Organization", "RefreshSettings", "ScheduleSettings",
    "ServeSettings", "default_config_path", "load_config", "parse_config",
]


class ConfigError(ValueError):
    """A configuration problem; the message names the file and the key."""


def default_config_path() -> Path:
    """``$TRADECAL_CONFIG`` if set, else ``./config.toml``."""
    return Path(os.environ.get("TRADECAL_CONFIG") or "config.toml")


def load_config(path: Path | None = None, *, check_sources: bool = True) -> Config:
    """Read and validate a configuration file (``check_sources``: see :func:`parse_config`)."""
    path = path or default_config_path()
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"{path}: configuration file not found") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: not valid TOML: {exc}") from None
    return parse_config(raw, path, check_sources=check_sources)


def parse_config(raw: Mapping[str, Any], path: Path, *, check_sources: bool = True) -> Config:
    """Validate an already-parsed TOML document; relative paths resolve against its folder.

    Each source's own keys (its type's ``options``) are checked by its type's class, which
    means importing its module and parser libraries: ``check_sources=False`` leaves that to
    :func:`check_source_options`, for the commands that only read the store."""
    check = _Checker(path)
    check.keys(raw, "", {"store", "feeds", "fetch", "refresh", "schedule", "serve",
                         "newsletter", "organizations", "sources"})
    base = path.parent
    store = raw.get("store", {})
    check.keys(store, "store", {"path"})
    store_path = base / check.typed(store, "store", "path", str, "tradecal.db")
    organizations = {
        key: _organization(check, key, table)
        for key, table in check.table(raw, "organizations").items()
    }
    sources = {
        name: _source(check, name, table, organizations, check_sources)
        for name, table in check.table(raw, "sources").items()
    }
    return Config(
        path=path,
        store_path=store_path,
        feeds=_feeds(check, raw.get("feeds", {}), base),
        fetch=_settings(check, raw.get("fetch", {}), "fetch", FetchSettings),
        refresh=_settings(check, raw.get("refresh", {}), "refresh", RefreshSettings),
        schedule=_schedule_settings(check, raw.get("schedule", {})),
        serve=_settings(check, raw.get("serve", {}), "serve", ServeSettings),
        newsletter=_newsletter(check, raw.get("newsletter", {})),
        organizations=organizations,
        sources=sources,
        raw=raw,
    )


def check_source_options(config: Config) -> Config:
    """``config`` with each source's own keys checked by its type: unknown keys, value types
    and the type's ``check_options``; ConfigError naming the file and the key."""
    check = _Checker(config.path)
    checked = {name: _source_options(check, source) for name, source in config.sources.items()}
    return dataclasses.replace(config, sources=checked)


def _source_options(check: _Checker, source: SourceConfig) -> SourceConfig:
    options = _own_keys(check, f"sources.{source.name}", source.type, source.options)
    return dataclasses.replace(source, options=options)


class _Checker:
    """Small helpers that raise ConfigError naming the file and the dotted key."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def fail(self, key: str, message: str) -> ConfigError:
        return ConfigError(f"{self.path}: {key}: {message}")

    def keys(self, table: Any, prefix: str, allowed: set[str]) -> None:
        if not isinstance(table, Mapping):
            raise self.fail(prefix or "(top level)", "must be a table")
        for key in table:
            if key not in allowed:
                name = f"{prefix}.{key}" if prefix else key
                raise self.fail(name, f"unknown key (known: {', '.join(sorted(allowed))})")

    def table(self, raw: Mapping[str, Any], key: str) -> Mapping[str, Mapping[str, Any]]:
        value = raw.get(key, {})
        if not isinstance(value, Mapping):
            raise self.fail(key, "must be a table")
        for name, sub in value.items():
            if not isinstance(sub, Mapping):
                raise self.fail(f"{key}.{name}", "must be a table")
        return value

    def typed(self, table: Mapping[str, Any], prefix: str, key: str, kind: type,
              default: Any = None, required: bool = False) -> Any:
        if key not in table:
            if required:
                raise self.fail(f"{prefix}.{key}", "is required")
            return default
        value = table[key]
        ok = isinstance(value, kind) and not (kind is int and isinstance(value, bool))
        if kind is float and isinstance(value, int) and not isinstance(value, bool):
            ok, value = True, float(value)
        if not ok:
            raise self.fail(f"{prefix}.{key}",
                            f"must be {kind.__name__}, not {type(value).__name__} ({value!r})")
        return value

    def zone(self, table: Mapping[str, Any], prefix: str, key: str,
             default: str | None = None, required: bool = False) -> str | None:
        value = self.typed(table, prefix, key, str, default, required)
        if value is None:
            return None
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError, OSError):  # OSError: a folder of zones
            raise self.fail(f"{prefix}.{key}", f"unknown time zone {value!r}") from None
        return value

    def section(self, table: Mapping[str, Any], prefix: str) -> str | None:
        value = self.typed(table, prefix, "section", str)
        if value is not None and value not in SECTIONS:
            raise self.fail(f"{prefix}.section",
                            f"unknown section {value!r} (known: {', '.join(SECTIONS)})")
        return value


def _organization(check: _Checker, key: str, table: Mapping[str, Any]) -> Organization:
    prefix = f"organizations.{key}"
    check.keys(table, prefix, {"short_name", "name", "name_zh", "section", "timezone"})
    return Organization(
        key=key,
        short_name=check.typed(table, prefix, "short_name", str, key),
        name=check.typed(table, prefix, "name", str, ""),
        name_zh=check.typed(table, prefix, "name_zh", str, ""),
        section=check.section(table, prefix),
        timezone=check.zone(table, prefix, "timezone"),
    )


_SOURCE_KEYS = {"type", "url", "organization", "timezone", "enabled", "section", "featured",
                "schedule", "channels", "fetch"}


def _source(check: _Checker, name: str, table: Mapping[str, Any],
            organizations: Mapping[str, Organization], check_own_keys: bool) -> SourceConfig:
    prefix = f"sources.{name}"
    kind = check.typed(table, prefix, "type", str, required=True)
    if kind not in SOURCE_TYPES:
        raise check.fail(f"{prefix}.type",
                         f"unknown source type {kind!r} (known: {', '.join(sorted(SOURCE_TYPES))})")
    options = {key: value for key, value in table.items() if key not in _SOURCE_KEYS}
    if check_own_keys:
        options = _own_keys(check, prefix, kind, options)
    organization = check.typed(table, prefix, "organization", str, required=True)
    org = organizations.get(organization)
    default_zone = org.timezone if org else None
    config = SourceConfig(
        name=name,
        type=kind,
        url=_absolute_url(check.typed(table, prefix, "url", str, ""), check.path.parent),
        organization=organization,
        timezone=check.zone(table, prefix, "timezone", default_zone,
                            required=default_zone is None) or "",  # required without a default
        enabled=check.typed(table, prefix, "enabled", bool, True),
        section=check.section(table, prefix),
        featured=check.typed(table, prefix, "featured", bool, False),
        schedule=_schedule(check, table, prefix),
        options=options,
        known_organizations=_organization_names(organizations),
        channels=_channel_names(check, table, prefix),
        fetch=_fetch_mode(check, table, prefix),
    )
    if org is None:
        known = ", ".join(sorted(organizations)) or "none: add an [organizations.KEY] table"
        raise check.fail(f"{prefix}.organization",
                         f"unknown organization {organization!r} (known: {known})")
    try:
        source_channels(config)
    except ValueError as exc:
        raise check.fail(f"{prefix}.channels", str(exc)) from None
    return config


def _own_keys(check: _Checker, prefix: str, kind: str,
              options: Mapping[str, Any]) -> dict[str, Any]:
    """A source's own keys checked by its type's class (which imports its module): unknown
    keys, value types, then the type's ``check_options``."""
    cls = source_class(kind)
    option_types = cls.options
    check.keys(options, prefix, _SOURCE_KEYS | set(option_types))
    checked = {key: check.typed(options, prefix, key, option_types[key])
               for key in option_types if key in options}
    for key, problem in cls.check_options(checked).items():
        raise check.fail(f"{prefix}.{key}", problem)
    return checked


def _channel_names(check: _Checker, table: Mapping[str, Any], prefix: str) -> tuple[str, ...]:
    """A source's ``channels``: a list of channel names (empty: the type's default order)."""
    names = check.typed(table, prefix, "channels", list, [])
    if not all(isinstance(name, str) and name for name in names):
        raise check.fail(f"{prefix}.channels", "must be a list of channel names")
    return tuple(names)


def _fetch_mode(check: _Checker, table: Mapping[str, Any], prefix: str) -> str:
    value = check.typed(table, prefix, "fetch", str, "plain")
    if value not in FETCHES:
        raise check.fail(f"{prefix}.fetch", f"must be one of {', '.join(FETCHES)}")
    return value


def _organization_names(organizations: Mapping[str, Organization],
                        ) -> dict[str, tuple[str, str | None]]:
    """Every name an organization goes by (key, short name, name, Chinese name), blanks
    folded and case-folded → its key and time zone."""
    names: dict[str, tuple[str, str | None]] = {}
    for org in organizations.values():
        for name in (org.name_zh, org.name, org.short_name, org.key):
            if name:
                names[fold_name(name)] = (org.key, org.timezone)
    return names


def fold_name(name: str) -> str:
    """An organization's name as :func:`_organization_names` keys it."""
    return " ".join(name.split()).casefold()


def _absolute_url(url: str, base: Path) -> str:
    """A source URL as given, or a local path (relative to the config file) as a file: URL."""
    if not url or re.match(r"^[a-zA-Z][a-zA-Z0-9+.-]*:", url):
        return url
    return (base / url).resolve().as_uri()


def _feeds(check: _Checker, table: Mapping[str, Any], base: Path) -> FeedSettings:
    if not isinstance(table, Mapping):
        raise check.fail("feeds", "must be a table")
    output = check.typed(table, "feeds", "output", str, "public")
    base_url = check.typed(table, "feeds", "base_url", str, "http://127.0.0.1:8000/")
    if not re.match(r"^https?://[^/\s]+", base_url):
        raise check.fail("feeds.base_url", f"{base_url!r} is not an http(s) URL")
    rest = {key: value for key, value in table.items()
            if key not in ("output", "base_url", "organization_prefix")}
    return _settings(check, rest, "feeds", FeedSettings, output=base / output,
                     base_url=base_url, organization_prefix=_feed_kinds(check, table))


FEED_KINDS = ("all", "organization", "section", "source")


def _feed_kinds(check: _Checker, table: Mapping[str, Any]) -> tuple[str, ...]:
    """``[feeds] organization_prefix``: a list of feed kinds (FEED_KINDS), maybe empty."""
    default = FeedSettings.organization_prefix
    kinds = check.typed(table, "feeds", "organization_prefix", list, list(default))
    unknown = [kind for kind in kinds if kind not in FEED_KINDS]
    if unknown:
        raise check.fail("feeds.organization_prefix", f"{unknown[0]!r} is not one of "
                         f"{', '.join(FEED_KINDS)}")
    return tuple(kinds)


def _schedule_settings(check: _Checker, table: Mapping[str, Any]) -> ScheduleSettings:
    settings = _settings(check, table, "schedule", ScheduleSettings)
    if settings.timezone:
        check.zone(table, "schedule", "timezone")
    return settings


def _newsletter(check: _Checker, table: Mapping[str, Any]) -> NewsletterSettings:
    return _settings(check, table, "newsletter", NewsletterSettings)


_POSITIVE = {"timeout", "max_bytes", "refresh_interval_hours", "min_count_ratio",
             "concurrency", "interval_hours", "stale_after"}


def _schedule(check: _Checker, table: Mapping[str, Any], prefix: str) -> str | None:
    """A source's ``schedule``, read by the scheduler's own grammar
    (:func:`aggregator.schedule.parse_schedule`: "every 6h", "2h30m", "every 6 hours", or a
    five-field cron expression such as "0 7 * * 7")."""
    text = check.typed(table, prefix, "schedule", str)
    if text is None:
        return None
    try:
        parse_schedule(text)
    except ValueError as exc:
        raise check.fail(f"{prefix}.schedule", str(exc)) from None
    return text


def _settings(check: _Checker, table: Mapping[str, Any], prefix: str, cls: type[Any],
              **given: Any) -> Any:
    """A settings dataclass from its TOML table: each key typed like the field's default.

    Numbers must not be negative; those in ``_POSITIVE`` must be above zero.
    """
    fields = {f.name: f for f in dataclasses.fields(cls)}
    check.keys(table, prefix, set(fields) | set(given))
    values = dict(given)
    for name, spec in fields.items():
        if name in given or spec.default is dataclasses.MISSING:
            continue
        value = check.typed(table, prefix, name, type(spec.default), spec.default)
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            if value < 0 or (name in _POSITIVE and value == 0):
                raise check.fail(f"{prefix}.{name}",
                                 "must be positive" if name in _POSITIVE else "must not be negative")
        values[name] = value
    return cls(**values)
