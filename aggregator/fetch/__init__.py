"""fetch layer (see DESIGN.md)."""
