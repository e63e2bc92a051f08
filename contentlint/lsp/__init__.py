"""``contentlint lsp``: findings while you type, in any editor that speaks the Language Server Protocol.

    contentlint lsp            # over standard input/output; the editor starts it

Needs the ``lsp`` extra (pygls and lsprotocol): ``pip install 'contentlint[lsp]'``.  Nothing of it is
imported by ``contentlint check``.  The server is in ``contentlint.lsp.server``, the checks run in the
worker process of ``contentlint.lsp.worker``, and ``contentlint.lsp.convert`` turns findings into
diagnostics, hovers and edits.
"""
from __future__ import annotations

import sys
from typing import Optional

INSTALL_HINT = ("contentlint lsp needs the language server extra (pygls and lsprotocol): "
                "pip install 'contentlint[lsp]'  (from a clone: pip install -e '.[lsp]')")


def missing_dependency() -> Optional[str]:
    """Why the server cannot start, or None."""
    try:
        import lsprotocol  # noqa: F401
        import pygls  # noqa: F401
    except ImportError as exc:
        return f"{INSTALL_HINT}; {exc}"
    return None


def register(app) -> None:
    """Add ``contentlint lsp`` to the typer app."""
    import typer

    from .worker import DEFAULT_TIMEOUT

    @app.command("lsp")
    def lsp_cmd(
        stdio: bool = typer.Option(False, "--stdio", help="Talk over standard input/output (the only transport; "
                                                         "accepted because editors pass it)."),
        max_bytes: int = typer.Option(10 * 1024 * 1024, "--max-bytes", metavar="N",
                                      help="Documents larger than this are not checked (a diagnostic says so)."),
        debounce_ms: int = typer.Option(300, "--debounce-ms", metavar="MS",
                                        help="Quiet time after a change before the document is checked again."),
        timeout: float = typer.Option(DEFAULT_TIMEOUT, "--timeout", metavar="SECONDS",
                                      help="A check running longer is stopped (its worker process is replaced)."),
    ):
        """Run the language server (diagnostics, hovers, fixes) for editors, over standard input/output."""
        problem = missing_dependency()
        if problem:
            sys.stderr.write(f"contentlint: error: {problem}\n")
            raise typer.Exit(2)
        from .server import Options, serve

        serve(Options(max_bytes=max_bytes, debounce_ms=debounce_ms, timeout=timeout))
