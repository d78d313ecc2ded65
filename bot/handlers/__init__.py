"""Slack listeners. Each listener module registers its own with ``register(app)`` and
:func:`register_all` registers them all; a listener acks, decodes, checks who may act, calls a
use case, renders with bot/blocks and makes one Slack call. Rules belong in bot/flows and queries
in storage/, not here. Beside the listeners: ``access`` (who someone is to the bot), ``common``
(Slack calls several listeners make) and ``install`` ("Add to Slack" in install mode)."""

from slack_bolt import App

from bot.handlers import errors, house_rules, intake, practice, report, routing, strikes, tree, workspaces


def register_all(app: App) -> None:
    errors.register(app)
    intake.register(app)
    tree.register(app)
    strikes.register(app)
    routing.register(app)
    workspaces.register(app)
    house_rules.register(app)
    practice.register(app)
    report.register(app)
