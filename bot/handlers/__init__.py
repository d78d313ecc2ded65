"""Slack listeners. Each listener module registers its own with ``register(app)`` and
:func:`register_all` registers them all; a listener acks, decodes, checks who may act, calls a
use case, renders with bot/blocks and makes one Slack call. Rules belong in bot/flows and queries
in storage/, what the bot sends on its own in bot/delivery, not here. Beside the listeners:
``access`` (each listener's declared act and ref, as middleware), ``errors`` (the one error
handler) and ``after_ack`` (the threads that do a listener's work after its ack)."""

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
