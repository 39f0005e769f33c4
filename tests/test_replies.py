"""Replies are read into typed results; no reply of any size or shape raises.

A table of hostile replies (the project's own corpus), each with the kind it was asked
for, the result class it must read as, and what that result must hold.
"""

import json

import pytest

from colony.planners.replies import (MAX_REPLY_CHARS, Agree, Execute, Expect, Objection, PlanReply, Proceed, Unreadable,
                                     parse_reply)

RED = {"Agent[0.5, 0.5]": "move(box_red, target_red)"}
DEEP = '{"a": ' * 5000 + "1" + "}" * 5000

CORPUS = [
    # --- central plans ---------------------------------------------------------------------
    ('{"Agent[0.5, 0.5]": "move(box_red, target_red)"}', Expect.PLAN, PlanReply, RED),
    ('Sure! Here is the plan:\n```json\n{"Agent[0.5, 0.5]": "move(box_red, target_red)"}\n```\nGood luck.',
     Expect.PLAN, PlanReply, RED),
    ("{'Agent[0.5, 0.5]': 'move(box_red, target_red)'}", Expect.PLAN, PlanReply, RED),
    ('{"Agent[0.5, 0.5]": "move(box_red, target_red)",}', Expect.PLAN, PlanReply, RED),
    ('I think {"x": 1} is wrong; final: {"Agent[0.5, 0.5]": "move(box_red, target_red)"}', Expect.PLAN, PlanReply, RED),
    ("\ufeff{\u201cAgent[0.5, 0.5]\u201d: 1}".replace("\u201c", '"').replace("\u201d", '"'), Expect.PLAN, PlanReply,
     {"Agent[0.5, 0.5]": 1}),  # BOM before the object
    ("\uff5b\"Agent[0.5, 0.5]\": \"move(box_red, target_red)\"\uff5d", Expect.PLAN, PlanReply, RED),  # full-width braces
    ('{"Agent[0.5,\u200b 0.5]": "move(box_red, target_red)"}', Expect.PLAN, PlanReply,
     {"Agent[0.5, 0.5]": "move(box_red, target_red)"}),  # zero-width space inside a key
    ("{}", Expect.PLAN, PlanReply, {}),
    ('EXECUTE\n{"Agent[0.5, 0.5]": "move(box_red, target_red)"}', Expect.PLAN, PlanReply, RED),
    ('{"Agent[0.5, 0.5]": ["move(box_red, target_red)"]}', Expect.PLAN, PlanReply,
     {"Agent[0.5, 0.5]": ["move(box_red, target_red)"]}),  # wrong value type: the check refuses it, not the reader
    ("", Expect.PLAN, Unreadable, "the reply was empty"),
    ("   \n\t ", Expect.PLAN, Unreadable, "the reply was empty"),
    (None, Expect.PLAN, Unreadable, "the reply was empty"),
    (b'{"a": "b"}', Expect.PLAN, Unreadable, "the reply was empty"),
    ("no plan here", Expect.PLAN, Unreadable, "no JSON object was found"),
    ("[1, 2]", Expect.PLAN, Unreadable, "no JSON object was found"),
    ('{"a": move(box)}', Expect.PLAN, Unreadable, "could not be read"),
    ("{1: 'x'}", Expect.PLAN, Unreadable, "could not be read"),  # a key that is not a string
    ('{"Agent[0.5, 0.5]": "move(box_red, target_red)"', Expect.PLAN, Unreadable, "no JSON object was found"),  # cut
    (DEEP, Expect.PLAN, Unreadable, "could not be read"),
    ("[" * 100_000, Expect.PLAN, Unreadable, "no JSON object was found"),
    ("{" * 50_000, Expect.PLAN, Unreadable, "no JSON object was found"),
    ('{"a": "' + "x" * (MAX_REPLY_CHARS + 1) + '"}', Expect.PLAN, Unreadable, "characters long"),
    ('{"a": "\ud800"}', Expect.PLAN, PlanReply, {"a": "?"}),  # a lone surrogate cannot reach the records
    ('{"a": "\\udc80x"}', Expect.PLAN, PlanReply, {"a": "?x"}),  # nor one written as a JSON escape
    ("{'a': __import__('os').system('true')}", Expect.PLAN, Unreadable, "could not be read"),  # never evaluated
    ("{**{'a': 1}}", Expect.PLAN, Unreadable, "could not be read"),
    # --- duplicates ------------------------------------------------------------------------
    ('{"Agent[0.5, 0.5]": "move(box_red, target_red)", "Agent[0.5, 0.5]": "move(box_red, square[0.5, 1.5])"}',
     Expect.PLAN, PlanReply, (RED, (("Agent[0.5, 0.5]", "move(box_red, square[0.5, 1.5])"),))),
    ("{'agent0': 'move left', 'agent0': 'move right'}", Expect.PLAN, PlanReply,
     ({"agent0": "move left"}, (("agent0", "move right"),))),
    ('{"outer": {"k": 1, "k": 2}}', Expect.PLAN, PlanReply, ({"outer": {"k": 2}}, ())),  # only the plan's own keys
    # --- HMAS-2 verdicts -------------------------------------------------------------------
    ("I Agree", Expect.VERDICT, Agree, None),
    ("i agree with the plan.", Expect.VERDICT, Agree, None),
    ("Agreed.", Expect.VERDICT, Agree, None),
    ("Yes", Expect.VERDICT, Agree, None),
    ("\uff29 \uff21\uff47\uff52\uff45\uff45", Expect.VERDICT, Agree, None),  # full-width letters
    ("I Agree. Moving the red box onto its target is right.", Expect.VERDICT, Agree, None),
    ("I agree that agent1 should not move.", Expect.VERDICT, Agree, None),  # the negation is about the plan
    ("I don't agree: agent1 collides", Expect.VERDICT, Objection, "I don't agree: agent1 collides"),
    ("I do not agree with the plan.", Expect.VERDICT, Objection, "I do not agree with the plan."),
    ("I can\u2019t say I agree: the box is not there.", Expect.VERDICT, Objection, "I can't say I agree: the box is not there."),
    ("I can't say I agree", Expect.VERDICT, Objection, "I can't say I agree"),
    ("I disagree.", Expect.VERDICT, Objection, "I disagree."),
    ("I agree, but agent0 should move left first.", Expect.VERDICT, Objection, "I agree, but agent0 should move left first."),
    ("Not sure I agree.", Expect.VERDICT, Objection, "Not sure I agree."),
    ("I never agree to collisions.", Expect.VERDICT, Objection, "I never agree to collisions."),
    ("The plan moves box_red away from its target.", Expect.VERDICT, Objection,
     "The plan moves box_red away from its target."),
    ("", Expect.VERDICT, Objection, ""),
    # --- DMAS / HMAS-1 turns ---------------------------------------------------------------
    ("I will move the red box. PROCEED", Expect.TURN, Proceed, "I will move the red box. PROCEED"),
    ("We should execute this soon.", Expect.TURN, Proceed, "We should execute this soon."),  # lower case is prose
    ("", Expect.TURN, Proceed, ""),
    ('EXECUTE\n{"Agent[0.5, 0.5]": "move(box_red, target_red)"}', Expect.TURN, Execute, RED),
    ('All agreed.\nEXECUTE\n```json\n{"Agent[0.5, 0.5]": "move(box_red, target_red)"}\n```', Expect.TURN, Execute, RED),
    ('{"x": 1}\nEXECUTE\n{"Agent[0.5, 0.5]": "move(box_red, target_red)"}', Expect.TURN, Execute, RED),
    ("EXECUTE", Expect.TURN, Unreadable, "EXECUTE must be followed by the JSON plan"),
    ("EXECUTE\n", Expect.TURN, Unreadable, "EXECUTE must be followed by the JSON plan"),
    ("EXECUTE\n{'a': oops}", Expect.TURN, Unreadable, "could not be read"),
    ("EXECUTE " + DEEP, Expect.TURN, Unreadable, "could not be read"),
]


@pytest.mark.parametrize("reply,expected,kind,want", CORPUS, ids=[f"{i:02d}-{c[2].__name__}" for i, c in enumerate(CORPUS)])
def test_every_hostile_reply_reads_as_its_kind_and_never_raises(reply, expected, kind, want):
    result = parse_reply(reply, expected)
    assert isinstance(result, kind), result
    if kind in (PlanReply, Execute):
        plan, duplicates = want if isinstance(want, tuple) else (want, ())
        assert result.plan == plan and result.duplicates == duplicates
        json.dumps(result.plan, ensure_ascii=False).encode("utf-8")  # always writable to a record
    elif kind is Unreadable:
        assert want in result.reason
    elif kind in (Objection, Proceed):
        assert result.text == want


def test_the_corpus_covers_every_result_class_and_is_large():
    assert len(CORPUS) >= 40
    assert {kind for _, _, kind, _ in CORPUS} == {PlanReply, Execute, Agree, Objection, Proceed, Unreadable}


def test_an_unreadable_execute_is_marked_so_that_the_speaker_is_asked_again():
    assert parse_reply("EXECUTE\nnothing", Expect.TURN).intent == "execute"
    assert parse_reply("no json", Expect.PLAN).intent == ""
