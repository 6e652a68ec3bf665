"""``tradecal serve``: the feeds folder, the index page and the editor over HTTP
(the server itself is :mod:`aggregator.web.server`)."""

from __future__ import annotations

import sys

import click

from aggregator.cli.context import EXIT_FAILED, EXIT_USAGE, Context, console, pass_context


@click.command(name="serve")
@click.option("--host", default=None,
              help="Address to bind (default: [serve] host, else 127.0.0.1).")
@click.option("--port", default=None, type=click.IntRange(0, 65535),
              help="Port to listen on (default: [serve] port, else 8000).")
@click.option("--no-editor", is_flag=True, help="Serve the feeds only, without /editor.")
@pass_context
def serve_command(context: Context, host: str | None, port: int | None,
                  no_editor: bool) -> None:
    """Serve the feeds folder, an index page of subscribe links and the editor page at
    /editor (Ctrl-C stops).

    Example:

    \b
        tradecal serve --port 8000
        tradecal serve --host 0.0.0.0 --no-editor
    """
    from aggregator.web import server as web

    config = context.config
    settings = config.feeds
    token = config.serve.token
    host = host or config.serve.host or "127.0.0.1"
    port = config.serve.port if port is None else port
    routes: list[web.Route] = []
    if not no_editor:
        refusal = web.editor_refusal(host, token)
        if refusal:
            console().print(refusal, markup=False, style="red")
            sys.exit(EXIT_USAGE)
        from aggregator.web.editor import Editor  # imported when used: it loads the feeds
        routes = Editor(config, token=token).routes()
    app = web.FeedApp(settings.output, settings.base_url, settings.calendar_name, routes)
    try:
        server = web.make_feed_server(app, host, port)
    except OSError as exc:
        console().print(f"cannot listen on {host}:{port}: {exc}", markup=False, style="red")
        sys.exit(EXIT_FAILED)
    editor = "" if no_editor else f"; editor at http://{host}:{server.server_port}/editor"
    console().print(f"serving {settings.output} at http://{host}:{server.server_port}/ "
                    f"(feed links use {app.base_url}){editor}", markup=False)
    with server:
        try:
            server.serve_forever()
        except KeyboardInterrupt:
            console().print("stopped", markup=False)
