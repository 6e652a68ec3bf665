"""tradecal's core: configuration, fetching, the store, refresh orchestration and the CLI."""

__version__ = "0.1.0"
