"""The ``tracker serve`` command: the read-only web page and JSON API."""

from __future__ import annotations

import click

from tracker.cli.common import App, pass_app
from tracker.serve.run import DEFAULT_HOST, DEFAULT_PORT


def _ready(url: str, token: str | None) -> None:
    suffix = f"?token={token}" if token else ""
    click.echo(f"serving on {url}/{suffix} (API: {url}/openapi.json; Ctrl-C stops)")


@click.command("serve")
@click.option("--host", default=DEFAULT_HOST, show_default=True, metavar="ADDRESS",
              help="Address to listen on; anything but loopback needs --token.")
@click.option("--port", type=click.IntRange(min=0, max=65535), default=DEFAULT_PORT,
              show_default=True, metavar="PORT", help="Port to listen on (0: any free port).")
@click.option("--token", envvar="TRACKER_SERVE_TOKEN", metavar="TEXT",
              help="Require this token on every request (Authorization: Bearer, or ?token=).")
@click.option("--allow-host", "allowed_hosts", multiple=True, metavar="NAME",
              help="Without a token, also answer requests naming this host (a reverse proxy's); "
                   "repeatable. Otherwise only loopback names are answered.")
@pass_app
def serve_cmd(app: App, host: str, port: int, token: str | None, allowed_hosts: tuple[str, ...]) -> None:
    """Serve a page per story (state, timeline chart, explain, live updates) and a JSON API.

    Read-only, on 127.0.0.1 by default. The API returns what the CLI's --json
    prints: /api/stories/ID/state, /timeline, /explain/SLOT, /api/events; its
    OpenAPI schema is /openapi.json. Without a token, a request must name a
    loopback host (or an --allow-host name), so a page that rebinds its own
    name to 127.0.0.1 cannot read the API through a browser.

    \b
    Example:
      tracker serve
      tracker serve --host 0.0.0.0 --port 8080 --token "$(openssl rand -hex 16)"
    """
    from tracker.serve.run import serve

    serve(app.engine, host=host, port=port, token=token, ready=lambda url: _ready(url, token),
          allowed_hosts=allowed_hosts)


def register(cli: click.Group) -> None:
    """Add this module's commands to the main group."""
    cli.add_command(serve_cmd)
