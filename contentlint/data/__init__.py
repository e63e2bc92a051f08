"""contentlint.data."""
