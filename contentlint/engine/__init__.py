"""contentlint.engine."""
