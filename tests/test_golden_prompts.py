"""Prompts never change by accident: every message of every scheme, byte for byte, against
the files in tests/golden/ (regenerate with ``python tests/golden_prompts.py --write``)."""

import json

import pytest

from golden_prompts import CASES, path_of, record


@pytest.mark.parametrize("task,scheme,history,style", CASES, ids=["-".join(case) for case in CASES])
def test_prompts_match_the_golden_files(task, scheme, history, style):
    expected = json.loads(path_of(task, scheme, history, style).read_text(encoding="utf-8"))
    actual = record(task, scheme, history, style)
    assert [s["step"] for s in actual["steps"]] == [1, 2, 3]
    for want, got in zip(expected["steps"], actual["steps"]):
        assert got["plan"] == want["plan"] and got["feedback_text"] == want["feedback_text"]
        assert len(got["calls"]) == len(want["calls"]), f"step {want['step']}: number of calls"
        for index, (old, new) in enumerate(zip(want["calls"], got["calls"])):
            assert (new["role"], new["agent"]) == (old["role"], old["agent"]), f"step {want['step']} call {index}"
            assert new["messages"] == old["messages"], f"step {want['step']} call {index} ({old['role']}): prompt changed"
