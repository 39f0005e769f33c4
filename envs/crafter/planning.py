"""Crafter's plan format and compact views for language models (prompt texts: ``prompts.yaml``)."""

from __future__ import annotations

from colony.envs.crafter.recipes import CHAIN
from colony.envs.crafter.state import CrafterState
from colony.envs.plan_format import AgentKeyedPlan


class CrafterPlan(AgentKeyedPlan):
    def compact_state(self, state: CrafterState) -> str:
        reached = state.chain_reached()
        following = next((name for name in CHAIN if name not in reached), "none")
        lines = [f"Step {state.step}; team chain {len(reached)}/{len(CHAIN)}, next {following}."]
        for member in state.members:
            if not member.alive:
                lines.append(f"{member.name}: dead")
                continue
            known = sorted(state.known_materials(member.name) - {None, "grass", "sand", "path"})
            lines.append(f"{member.name} {list(member.position)}: {state.vitals(member.name)}; holds "
                         f"{state.holdings(member.name)}; has seen {', '.join(known) or 'little'}")
        return "\n".join(lines)

    def agent_view(self, state: CrafterState, agent: str) -> str:
        return (f"at {list(state.member(agent).position)}, {state.vitals(agent)}, holding {state.holdings(agent)}; "
                f"view {' / '.join(state.local_map(agent))}")


PLAN_FORMAT = CrafterPlan('{"agent0": "collect wood", "agent1": "share wood with agent 0"}')
