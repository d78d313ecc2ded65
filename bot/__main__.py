"""``python -m bot``: Socket Mode when SLACK_APP_TOKEN is set, else HTTP mode on $PORT."""

from __future__ import annotations

from bot.bootstrap import prepare, run_socket_mode, serve_http


def main() -> None:
    settings = prepare(announce=True)
    if settings.socket_mode:
        run_socket_mode(settings)
        return
    serve_http(settings)


if __name__ == "__main__":
    main()
