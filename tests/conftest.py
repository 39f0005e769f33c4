import pytest

from colony.envs.registry import environments, paper_sizes

REGISTRY_CASES = [(name, size) for name in environments() for size in paper_sizes(name)]


@pytest.fixture(params=REGISTRY_CASES, ids=[f"{n}-{s}" for n, s in REGISTRY_CASES])
def registry_case(request):
    return request.param
