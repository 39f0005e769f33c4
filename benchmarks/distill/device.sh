#!/usr/bin/env bash
# Runs on the lent GPU machine, in the copy of the checkout (benchmarks/distill/README.md).
#   device.sh part1                   keep part 1 of the base GGUF in /tmp (a carried folder does not survive the call)
#   device.sh train [settings] [s] [options]   join and check the base, install the carried wheels, run colony
#                                     distill up to the GGUF LoRA for at most s seconds (default 510), with any
#                                     further colony distill options (--no-final); the adapter of the last finished
#                                     stage, its manifest and the log come back in $OUT even when cut short
set -euo pipefail
case "${1:-}" in
  part1)
    cp .device/part1/base.part1 /tmp/base.part1 && ls -l /tmp/base.part1 ;;
  train)
    mkdir -p /tmp/gguf
    base="/tmp/gguf/$(cat .device/meta/base.name)"
    cat /tmp/base.part1 .device/part2/base.part2 > "$base"
    echo "$(cat .device/meta/base.sha256)  $base" | sha256sum -c -
    python3 -m pip install -q --no-index --no-deps --no-compile --no-cache-dir --upgrade --target /tmp/site .device/wheels/*.whl
    export PYTHONPATH=/tmp/site PYTHONUNBUFFERED=1 COLONY_COMMIT="$(cat .device/meta/commit)"
    nvidia-smi --query-gpu=name,memory.total --format=csv,noheader
    status=0
    timeout --signal=TERM --kill-after=10 "${3:-510}" \
      python3 -m colony.launch.cli distill --settings "${2:-full}" --out /tmp/distill --base-gguf "$base" --no-eval "${@:4}" \
      > >(grep --line-buffered -v "it/s\]" | tee "$OUT/distill.log") 2>&1 || status=$?
    sleep 1
    echo "colony distill exited with $status"
    cp /tmp/distill/*.gguf /tmp/distill/manifest.json "$OUT/" 2>/dev/null || echo "no adapter was exported"
    ls -l "$OUT"
    exit "$status" ;;
  *) echo "usage: device.sh part1 | train [settings] [seconds] [colony distill options]" >&2; exit 2 ;;
esac
