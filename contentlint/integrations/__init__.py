"""contentlint.integrations."""
