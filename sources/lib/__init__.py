"""Helpers shared by the source modules (markup, date cards, JavaScript literals, the CSV format, zones, completeness)."""
