"""contentlint.readers."""
