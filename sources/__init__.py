"""One module per organization or site family, plus generic adapters. Sources are pure."""
