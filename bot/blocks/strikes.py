"""Block Kit builders for the strike register: the strike form, the guidance after a strike, the
overview and one author's history. Pure functions returning Block Kit JSON (see bot/blocks/kit.py);
citizens' handles and reasons are escaped."""

from __future__ import annotations

from datetime import datetime

from bot.slack import ids
from bot.blocks.kit import (
    SECTION_LIMIT,
    Block,
    View,
    actions,
    button,
    clip,
    context,
    divider,
    escape,
    input_block,
    local_time,
    modal,
    option,
    radio_buttons,
    section,
    static_select,
    text_input,
)
from bot.flows.intake import SOCIAL_PLATFORMS
from bot.flows.policy import Policy
from bot.flows.strikes import Review, Status, Step
from bot.flows import strikes as rules
from bot.core.i18n import Translator
from bot.core.mrkdwn import Mrkdwn, link, mention, mentions
from bot.slack.refs import AuthorRef, CaseRef, StrikeRef
from bot.usecases.strikes import AuthorHistory, OverviewLine, StrikeResult

OVERVIEW_PAGE = 15  # authors per page: two blocks each stays well under Slack's 50
HISTORY_STRIKES = 15  # strikes per author shown in Slack; the export has them all
REASON_LIMIT = 500


def author_label(platform: str, handle: str, tr: Translator) -> Mrkdwn:
    return Mrkdwn(f"{escape(handle)} ({tr(f'platform.{platform}')})")


def step_label(step: Step | None, tr: Translator) -> str:
    return tr(f"strikes.step.{step.value}") if step else tr("strikes.step.none")


def strike_form(tr: Translator, *, case_id: int, version: int, platform: str,
                author: tuple[str, str] | None) -> View:
    """Record a strike: asks for the author when the case has none, and two reasons."""
    blocks: list[Block] = []
    if author is None:
        initial = platform if platform in SOCIAL_PLATFORMS else None
        options = [option(tr(f"platform.{p}"), p) for p in SOCIAL_PLATFORMS]
        blocks.append(input_block(
            ids.STRIKE_PLATFORM, tr("form.platform"),
            static_select(options, initial=next((o for o in options if o["value"] == initial), None)),
        ))
        blocks.append(input_block(ids.STRIKE_HANDLE, tr("form.author"), text_input(max_length=300),
                                  hint=tr("form.author_hint")))
    else:
        blocks.append(section(tr("strikes.form_author", author=author_label(author[0], author[1], tr))))
    blocks.append(input_block(
        ids.STRIKE_REASON_INTERNAL, tr("strikes.form_reason_internal"),
        text_input(max_length=REASON_LIMIT, multiline=True),
        hint=tr("strikes.form_reason_internal_hint"),
    ))
    blocks.append(input_block(
        ids.STRIKE_REASON_PUBLIC, tr("strikes.form_reason_public"), text_input(max_length=REASON_LIMIT),
        hint=tr("strikes.form_reason_public_hint"),
    ))
    return modal(
        callback_id=ids.STRIKE_VIEW,
        private_metadata=CaseRef(case_id, version).encode(""),
        title=clip(tr("strikes.form_title"), 24),
        submit=tr("strikes.form_submit"),
        close=tr("form.cancel"),
        blocks=blocks,
    )


def guidance(result: StrikeResult, policy: Policy, tr: Translator, *, reason_public: str,
             rule: str, confirmed: tuple[str, str, datetime] | None = None) -> list[Block]:
    """After a strike: what the rule says now, a copy-ready private message, and a button to
    confirm once the team acted on the platform (the bot never writes to citizens)."""
    lang = tr.language
    rule_label = policy.nodes[rule].label.get(lang) if rule in policy.nodes else rule
    head = tr.plural("strikes.guidance", result.counting,
                     author=author_label(result.platform, result.handle, tr), rule=escape(rule_label),
                     step=step_label(result.step, tr))
    blocks: list[Block] = [section(clip(head, SECTION_LIMIT))]
    if result.step is not None:
        # per category where the policy has one (privacy: the comment is already gone)
        chosen = policy.strikes.message(result.step.value, rule)
        je = policy.fill(chosen.get(lang), reason=reason_public)
        u = policy.fill(chosen.get(lang, formal=True), reason=reason_public)
        text = tr("strikes.copy_message") + _copyable(je)
        if u != je:  # Dutch: the u-vorm too, to mirror an author who writes u
            text += "\n_" + tr("case.u_form") + "_" + _copyable(u)
        blocks.append(section(clip(text, SECTION_LIMIT)))
        block = policy.actions.get("block")
        if confirmed is None and result.step is Step.BLOCK and block is not None \
                and block.warning is not None:
            # Blocking cannot simply be undone: the warning comes before the act, not after it.
            blocks.append(context(clip(":warning: " + escape(policy.fill(block.warning.get(lang))),
                                       SECTION_LIMIT)))
        if confirmed is None:
            blocks.append(actions([button(
                tr(f"strikes.confirm.{result.step.value}"),
                action_id=ids.MEASURE_PREFIX + result.step.value,
                value=StrikeRef(result.strike_id, result.step.value).encode(),
                style="primary",
            )]))
        else:
            kind, by, at = confirmed
            blocks.append(context(tr(
                "strikes.confirmed", what=tr(f"strikes.confirm.{kind}"), user=mention(by),
                time=local_time(at, tr))))
    return blocks


def _copyable(message: str) -> str:
    return "\n```" + escape(message).replace("```", "'''") + "```"


def overview_page(lines: list[OverviewLine], tr: Translator, *, offset: int) -> list[Block]:
    """A page of the overview from up to one line more than a page: that one says there is more."""
    return overview(lines[:OVERVIEW_PAGE], tr, offset=offset, more=len(lines) > OVERVIEW_PAGE)


def overview(lines: list[OverviewLine], tr: Translator, *, offset: int, more: bool) -> list[Block]:
    if not lines:
        return [section(tr("strikes.overview_empty") if offset == 0 else tr("strikes.overview_end"))]
    blocks: list[Block] = [section(tr("strikes.overview_title"))]
    for line in lines:
        text = tr.plural("strikes.overview_line", line.strikes,
                         author=author_label(line.platform, line.handle, tr), last=local_time(line.last_at, tr, year=True), step=step_label(line.step, tr))
        blocks.append(section(
            clip(text, SECTION_LIMIT),
            accessory=button(
                tr("strikes.show_history"),
                action_id=ids.STRIKES_AUTHOR_PREFIX + str(line.author_id),
                value=AuthorRef(line.platform, line.handle).encode(),
            ),
        ))
    if more:
        blocks.append(actions([button(
            tr("strikes.show_more"),
            action_id=ids.STRIKES_PAGE_ACTION,
            value=str(offset + len(lines)),
        )]))
    return blocks


def history(authors: list[AuthorHistory], policy: Policy, tr: Translator, *,
            workspace_url: str | None, query: str) -> list[Block]:
    if not authors:
        return [section(tr("strikes.history_none", query=escape(clip(query, 100))))]
    lang = tr.language
    blocks: list[Block] = []
    for author in authors:
        if blocks:
            blocks.append(divider())
        blocks.append(section(tr.plural(
            "strikes.history_title", author.counting,
            author=author_label(author.platform, author.handle, tr), step=step_label(author.step, tr),
            next=step_label(rules.next_step(author.counting + 1, policy.strikes), tr))))
        shown = author.strikes[-HISTORY_STRIKES:]
        if len(author.strikes) > len(shown):
            blocks.append(context(tr.plural("strikes.history_older", len(author.strikes) - len(shown))))
        for strike in shown:
            rule = policy.nodes[strike.rule].label.get(lang) if strike.rule in policy.nodes else strike.rule
            case = tr("strikes.case", case=strike.case_id)
            if workspace_url:
                url = f"{workspace_url.rstrip('/')}/archives/{strike.channel_id}/p{strike.message_ts.replace('.', '')}"
                case = link(url, case)
            lines = [tr("strikes.history_strike", time=local_time(strike.decided_at, tr, year=True),
                        rule=escape(rule), case=case, user=mention(strike.decided_by))]
            if strike.status is Status.ACTIVE:
                lines.append(tr("strikes.status.active", until=local_time(strike.expires_at, tr, year=True))
                             if strike.expires_at else tr("strikes.status.active_forever"))
            elif strike.status is Status.EXPIRED:
                lines.append(tr("strikes.status.expired", time=local_time(strike.expires_at, tr, year=True)))
            for outcome, by, at, reason in strike.reviews:
                lines.append(tr(f"strikes.review.{outcome}", user=mention(by), time=local_time(at, tr, year=True),
                                reason=escape(clip(reason, REASON_LIMIT))))
            if strike.reason_internal:
                lines.append(tr("strikes.reason_internal", reason=escape(clip(strike.reason_internal, REASON_LIMIT))))
            blocks.append(section(clip("\n".join(lines), SECTION_LIMIT)))
            if strike.status is not Status.REVOKED:
                blocks.append(actions([
                    button(tr("strikes.revoke"), action_id=ids.REVIEW_PREFIX + f"revoke:{strike.id}",
                           value=StrikeRef(strike.id, Review.REVOKED.value).encode()),
                    button(tr("strikes.appeal"), action_id=ids.REVIEW_PREFIX + f"appeal:{strike.id}",
                           value=StrikeRef(strike.id, "appeal").encode()),
                ]))
        if author.measures:
            done = ", ".join(
                tr("strikes.measure", what=tr(f"strikes.confirm.{kind}"), user=mention(by), time=local_time(at, tr))
                for kind, by, at in author.measures
            )
            blocks.append(context(clip(done, SECTION_LIMIT)))
    return blocks[:50]


def review_form(tr: Translator, *, strike_id: int, kind: str) -> View:
    """A lead revokes a strike or records an appeal's outcome; a reason is required."""
    blocks: list[Block] = []
    if kind == "appeal":
        options = [option(tr(f"strikes.outcome.{o.value}"), o.value)
                   for o in (Review.APPEAL_UPHELD, Review.APPEAL_REVOKED)]
        blocks.append(input_block(ids.REVIEW_OUTCOME, tr("strikes.outcome_label"), radio_buttons(options)))
    blocks.append(input_block(ids.REVIEW_REASON, tr("strikes.review_reason"),
                              text_input(max_length=REASON_LIMIT, multiline=True)))
    title = tr("strikes.revoke") if kind != "appeal" else tr("strikes.appeal")
    return modal(
        callback_id=ids.REVIEW_VIEW,
        private_metadata=StrikeRef(strike_id, kind).encode(),
        title=clip(title, 24),
        submit=tr("strikes.review_submit"),
        close=tr("form.cancel"),
        blocks=blocks,
    )


def leads_list(user_ids: list[str], tr: Translator) -> list[Block]:
    people = mentions(user_ids) or "—"
    return [section(tr("leads.list", people=people))]


def erase_confirmation(platform: str, handle: str, tr: Translator) -> list[Block]:
    """Erasing cannot be undone: say what goes, and ask for one deliberate click."""
    return [
        section(tr("privacy.erase_confirm", author=author_label(platform, handle, tr))),
        context(tr("privacy.not_erasable")),
        actions([button(
            tr("privacy.erase_button"), style="danger",
            action_id=ids.ERASE_ACTION, value=AuthorRef(platform, handle).encode(),
        )]),
    ]
