"""Button values and block ids: what the bot writes it reads back, and anything else is BadPayload.

Pure tests: no Slack, no database.
"""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.flows.policy import ACTION_IDS, NODE_IDS, load_policy
from bot.flows.tree import Click, Move
from bot.slack.refs import BadPayload, ButtonRef, CaseRef

SLACK_BUTTON_VALUE_MAX = 2000  # Block Kit: a button's value may hold at most 2,000 characters
SLACK_BLOCK_ID_MAX = 255  # Block Kit: a block_id may hold at most 255 characters
STAFF_PREFIX = "staff:"

POLICY = load_policy()
IDS = st.integers(min_value=-(2**63), max_value=2**63 - 1)
TARGETS = st.one_of(st.none(), st.text(max_size=200), st.sampled_from(sorted(NODE_IDS | ACTION_IDS)))

# ---------------------------------------------------------------------------------------------
# ButtonRef
# ---------------------------------------------------------------------------------------------


@settings(max_examples=150, deadline=None)
@given(case_id=IDS, version=IDS, move=st.sampled_from(list(Move)), target=TARGETS)
def test_button_round_trip(case_id: int, version: int, move: Move, target: str | None) -> None:
    ref = ButtonRef(case_id, version, Click(move, target))
    value = ref.encode()
    assert isinstance(value, str)
    decoded = ButtonRef.decode(value)
    assert decoded == ref
    assert decoded.click.move is move
    assert type(decoded.case_id) is int and type(decoded.version) is int


@pytest.mark.parametrize("move", list(Move))
def test_button_round_trip_for_every_move(move: Move) -> None:
    for target in (None, "negative.punishable", "delete", "U0FAKESTAFF1"):
        ref = ButtonRef(41, 7, Click(move, target))
        assert ButtonRef.decode(ref.encode()) == ref


def test_every_real_button_value_fits_in_slack() -> None:
    ids = sorted(NODE_IDS | ACTION_IDS | POLICY.nodes.keys() | POLICY.actions.keys())
    big = 2**63 - 1
    longest = 0
    for move in Move:
        for target in [None, *ids]:
            for case_id, version in ((big, big), (-big, -big), (1, 0)):
                value = ButtonRef(case_id, version, Click(move, target)).encode()
                longest = max(longest, len(value))
                assert len(value) < SLACK_BUTTON_VALUE_MAX, value
    assert longest < 200  # far from the limit: only ids travel


@pytest.mark.parametrize(
    "value",
    [
        None,
        12,
        1.5,
        b'{"c":1,"v":1,"m":"back"}',
        {"c": 1, "v": 1, "m": "back"},
        ["c", "v", "m"],
        "",
        " ",
        "not json",
        "{",
        "null",
        "true",
        "42",
        '"a string"',
        "[]",
        '[1, 1, "back"]',
        "{}",
        '{"v":1,"m":"back"}',
        '{"c":1,"m":"back"}',
        '{"c":1,"v":1}',
        '{"c":1,"v":1,"m":"jump"}',
        '{"c":1,"v":1,"m":"BACK"}',
        '{"c":1,"v":1,"m":null}',
        '{"c":1,"v":1,"m":["back"]}',
        '{"c":1,"v":1,"m":{"x":1}}',
        '{"c":"1","v":1,"m":"back"}',
        '{"c":1,"v":"1","m":"back"}',
        '{"c":1.0,"v":1,"m":"back"}',
        '{"c":null,"v":1,"m":"back"}',
        '{"c":[1],"v":1,"m":"back"}',
        '{"c":1,"v":1,"m":"goto","t":5}',
        '{"c":1,"v":1,"m":"goto","t":["own"]}',
        '{"c":1,"v":1,"m":"goto","t":{"id":"own"}}',
        '{"c":1,"v":1,"m":"goto","t":true}',
        '{"c":' + "9" * 5000 + ',"v":1,"m":"back"}',
        "NaN",
    ],
)
def test_button_garbage_is_bad_payload(value: object) -> None:
    with pytest.raises(BadPayload):
        ButtonRef.decode(value)


@pytest.mark.parametrize("value", ['{"c":true,"v":1,"m":"back"}', '{"c":1,"v":false,"m":"back"}'])
def test_button_boolean_ids_are_bad_payload(value: str) -> None:
    with pytest.raises(BadPayload):
        ButtonRef.decode(value)


def test_button_deeply_nested_json_is_bad_payload() -> None:
    value = "[" * (SLACK_BUTTON_VALUE_MAX - 1)
    with pytest.raises(BadPayload):
        ButtonRef.decode(value)


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=5), inner, max_size=4),
    max_leaves=6,
)
BUTTON_LIKE = st.fixed_dictionaries(
    {},
    optional={
        "c": JSON_VALUES,
        "v": JSON_VALUES,
        "m": st.one_of(st.sampled_from([m.value for m in Move]), JSON_VALUES),
        "t": JSON_VALUES,
    },
)


def _decode_or_bad(value: object) -> ButtonRef | None:
    """Decode; BadPayload is the one acceptable failure (anything else propagates)."""
    try:
        return ButtonRef.decode(value)
    except BadPayload:
        return None


@settings(max_examples=200, deadline=None)
@given(st.text())
def test_button_decode_of_arbitrary_text_raises_only_bad_payload(value: str) -> None:
    ref = _decode_or_bad(value)
    if ref is not None:
        assert isinstance(ref.click.move, Move)


@settings(max_examples=80, deadline=None)
@given(BUTTON_LIKE)
def test_button_decode_of_json_shaped_garbage_raises_only_bad_payload(data: dict) -> None:
    ref = _decode_or_bad(json.dumps(data))
    if ref is None:
        return
    assert type(ref.case_id) is int and type(ref.version) is int  # not a bool
    assert isinstance(ref.click.move, Move)
    assert ref.click.target is None or isinstance(ref.click.target, str)


@settings(max_examples=50, deadline=None)
@given(JSON_VALUES)
def test_button_decode_of_any_non_string_raises_bad_payload(value: object) -> None:
    with pytest.raises(BadPayload):
        ButtonRef.decode(value)


# ---------------------------------------------------------------------------------------------
# CaseRef
# ---------------------------------------------------------------------------------------------


@settings(max_examples=150, deadline=None)
@given(prefix=st.text(max_size=30), case_id=IDS, version=IDS)
def test_case_ref_round_trip(prefix: str, case_id: int, version: int) -> None:
    ref = CaseRef(case_id, version)
    block_id = ref.encode(prefix)
    assert block_id.startswith(prefix)
    assert CaseRef.decode(block_id, prefix) == ref


def test_case_ref_fits_in_a_block_id() -> None:
    big = 2**63 - 1
    assert len(CaseRef(big, big).encode(STAFF_PREFIX)) < SLACK_BLOCK_ID_MAX
    assert CaseRef.decode(CaseRef(3, 0).encode(STAFF_PREFIX), STAFF_PREFIX) == CaseRef(3, 0)


@pytest.mark.parametrize(
    "block_id",
    [
        None,
        12,
        b"staff:1:2",
        ["staff:1:2"],
        "",
        "staff:",
        "staff",
        "staff:1",
        "staff:1:",
        "staff::2",
        "staff:1:2:3",
        "staff:a:b",
        "staff:1:x",
        "staff:1.5:2",
        "other:1:2",
        "STAFF:1:2",
        "1:2",
        "staff:" + "9" * 5000 + ":1",
    ],
)
def test_case_ref_garbage_is_bad_payload(block_id: object) -> None:
    with pytest.raises(BadPayload):
        CaseRef.decode(block_id, STAFF_PREFIX)


@settings(max_examples=100, deadline=None)
@given(st.one_of(st.text(), st.text().map(lambda t: STAFF_PREFIX + t), JSON_VALUES))
def test_case_ref_decode_raises_only_bad_payload(block_id: object) -> None:
    try:
        ref = CaseRef.decode(block_id, STAFF_PREFIX)
    except BadPayload:
        return
    assert isinstance(ref.case_id, int) and isinstance(ref.version, int)
