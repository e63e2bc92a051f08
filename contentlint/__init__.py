"""contentlint: a deliverability content linter and spam scorer for email.

    from contentlint import Linter
    linter = Linter()
    report = linter.check_html("<p>Hello</p>", subject="Hi", sender="news@example.com")
    print(report.score, report.verdict)
"""
from __future__ import annotations

__version__ = "0.1.0"

__all__ = ["Linter", "Report", "__version__"]


def __getattr__(name):  # lazy: `import contentlint` stays cheap for the CLI's cold start
    if name in ("Linter", "Report"):
        from . import api

        return getattr(api, name)
    raise AttributeError(name)
