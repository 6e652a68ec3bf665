"""Generic source adapters: one format read from any site, configured in config.toml."""
