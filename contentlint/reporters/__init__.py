"""contentlint.reporters."""
