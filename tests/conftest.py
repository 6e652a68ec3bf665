"""Shared test helpers: a configuration like the shipped one, a store in a temp folder."""

from __future__ import annotations

import ipaddress
import socket
import tomllib
from pathlib import Path

import pytest

from aggregator.config import Config, parse_config
from aggregator.store.db import Store

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"


@pytest.fixture
def shipped_config(tmp_path: Path) -> Config:
    """The shipped config.toml, with its store and output moved into a temp folder."""
    raw = tomllib.loads((ROOT / "config.toml").read_text(encoding="utf-8"))
    return parse_config(raw, tmp_path / "config.toml")


@pytest.fixture
def store(tmp_path: Path) -> Store:
    with Store(tmp_path / "test.db") as opened:
        yield opened


@pytest.fixture(autouse=True)
def no_network(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests never touch the network: a connection to anything but loopback fails loudly."""
    real_connect = socket.socket.connect

    def connect(sock: socket.socket, address: object) -> object:
        host = address[0] if isinstance(address, tuple) else None
        if host is not None and not _loopback(str(host)):
            raise OSError(f"test tried to reach {host}: tests never touch the network")
        return real_connect(sock, address)

    def getaddrinfo(host: object, *args: object, **kwargs: object) -> object:
        if host is not None and not _loopback(str(host)):
            raise socket.gaierror(f"test tried to resolve {host}: tests never touch the network")
        return real_getaddrinfo(host, *args, **kwargs)

    real_getaddrinfo = socket.getaddrinfo
    monkeypatch.setattr(socket.socket, "connect", connect)
    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)


def _loopback(host: str) -> bool:
    if host in ("localhost", "") or isinstance(host, bytes):
        return True
    try:
        return ipaddress.ip_address(host.strip("[]").split("%")[0]).is_loopback
    except ValueError:
        return False


@pytest.fixture
def frozen_clock(monkeypatch: pytest.MonkeyPatch):
    """Stop tradecal's clock (:mod:`aggregator.core.clock`) at an instant: call the fixture's
    value with an aware datetime or an ISO 8601 string; the last call wins."""
    from aggregator.core.clock import NOW_VARIABLE

    def stop(instant: object) -> None:
        text = instant if isinstance(instant, str) else instant.isoformat()  # type: ignore[attr-defined]
        monkeypatch.setenv(NOW_VARIABLE, text)

    return stop


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Tests marked ``slow`` (the full-year simulation) run only when ``-m`` names them
    (``pytest -m slow``): the plain ``pytest`` of the README stays the CI run."""
    if "slow" in (config.option.markexpr or ""):
        return
    skip = pytest.mark.skip(reason="slow: run with -m slow")
    for item in items:
        if "slow" in item.keywords:
            item.add_marker(skip)
