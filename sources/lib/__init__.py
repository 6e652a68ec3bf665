"""Helpers shared by the source modules: markup, date cards, JavaScript literals, the CSV
format, time zones, completeness, the start/end rule."""
