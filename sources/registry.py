"""Source types by the name config.toml uses for them (``type = "..."``)."""

from __future__ import annotations

from collections.abc import Mapping

from sources.base import Source, SourceConfig
from sources.ustr import UstrSource

SOURCE_TYPES: Mapping[str, type[Source]] = {
    cls.type: cls for cls in (UstrSource,)
}


def build_source(config: SourceConfig) -> Source:
    """The source object a ``[sources.NAME]`` table describes."""
    return SOURCE_TYPES[config.type](config)
