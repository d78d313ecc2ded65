"""The form a case's button opens: recording a strike, routing a question or informing a service."""

from __future__ import annotations

from bot.blocks.kit import View
from bot.blocks.routing import route_form
from bot.blocks.strikes import strike_form
from bot.core.i18n import Translator
from bot.core.mrkdwn import unescape_links
from bot.flows.policy import Policy
from bot.usecases.forms import ActionForm
from bot.usecases.routing import INFORM


def action_form(form: ActionForm, policy: Policy, tr: Translator) -> View:
    case = form.case
    if form.action == "strike":
        author = (case.author_platform, case.author_handle) if case.author_handle else None
        return strike_form(tr, case_id=case.id, version=case.version, platform=case.platform,
                           author=author)
    return route_form(tr, case_id=case.id, version=case.version, fyi=form.action == INFORM,
                      services=form.services, question=unescape_links(case.text),
                      similar=form.similar, policy=policy)
