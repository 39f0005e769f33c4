"""Plans are read out of messy replies; what cannot be read becomes feedback."""

import pytest

from colony.planners.parsing import PlanParseError, agrees, parse_plan, plan_after_execute, says_execute


@pytest.mark.parametrize("reply", [
    '{"Agent[0.5, 0.5]": "move(box_red, target_red)"}',
    'Sure! Here is the plan:\n```json\n{"Agent[0.5, 0.5]": "move(box_red, target_red)"}\n```\nGood luck.',
    "{'Agent[0.5, 0.5]': 'move(box_red, target_red)'}",
    '{"Agent[0.5, 0.5]": "move(box_red, target_red)",}',
    'I think {"x": 1} is wrong; final: {"Agent[0.5, 0.5]": "move(box_red, target_red)"}',
])
def test_plans_are_found_in_fences_prose_single_quotes_and_trailing_commas(reply):
    assert parse_plan(reply) == {"Agent[0.5, 0.5]": "move(box_red, target_red)"}


@pytest.mark.parametrize("reply,why", [("", "empty"), ("no plan here", "no JSON object"),
                                       ('{"a": move(box)}', "could not be read"), ("[1, 2]", "no JSON object")])
def test_unusable_replies_raise_a_typed_error_with_a_reason(reply, why):
    with pytest.raises(PlanParseError, match=why):
        parse_plan(reply)


def test_protocol_words():
    reply = 'We agree.\nEXECUTE\n{"agent0": "move left"}'
    assert says_execute(reply) and plan_after_execute(reply) == {"agent0": "move left"}
    assert not says_execute("I will PROCEED")
    assert agrees("I Agree") and agrees("i agree with the plan") and not agrees("I do not agree: agent1 collides")
