"""contentlint.dnsaudit."""
