"""Slack listeners: ack, decode, call a use case, render, one Slack call. No rules live here."""

from slack_bolt import App

from bot.handlers import errors, intake, report, routing, strikes, tree, workspaces


def register_all(app: App) -> None:
    errors.register(app)
    intake.register(app)
    tree.register(app)
    strikes.register(app)
    routing.register(app)
    workspaces.register(app)
    report.register(app)
