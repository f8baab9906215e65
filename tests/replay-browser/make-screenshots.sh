#!/usr/bin/env bash
# Regenerates README's replay-page screenshots, docs/images/replay-door-pull.png and replay-pick-place.png: a short
# training run of each task (20,000 env steps, 2 workers, seed 1; kept in WORK and reused when there), 5 recorded
# greedy episodes, naf view on a free loopback port, and Chromium showing the best episode at 60% of its length.
# Needs a Release build (dotnet build src/NafNative.Cli -c Release), MuJoCo (gcc libmujoco-dev), chromium and
# (cd tests/replay-browser && npm ci). Usage: bash tests/replay-browser/make-screenshots.sh [WORK]
set -euo pipefail
cd "$(dirname "$0")/../.."
work=${1:-/tmp/naf-screenshots}
naf=(dotnet src/NafNative.Cli/bin/Release/net10.0/naf.dll)
mkdir -p "$work" docs/images

for task in door-pull pick-place; do
  run="$work/$task"
  if [ ! -f "$run/best.naf" ]; then
    "${naf[@]}" train --task "$task" --workers 2 --steps 20000 --seed 1 --out "$run" --replace >"$work/$task-train.log" 2>&1 \
      || { cat "$work/$task-train.log" >&2; exit 1; }
  fi
  "${naf[@]}" record --run "$run" --episodes 5
  "${naf[@]}" view --run "$run" --port 0 >"$work/$task-view.log" 2>&1 &
  view=$!
  trap 'kill "$view" 2>/dev/null || true' EXIT
  url=""
  for _ in $(seq 1 200); do
    url=$(grep -o 'http://127.0.0.1:[0-9]*/' "$work/$task-view.log" || true)
    [ -n "$url" ] && break
    sleep 0.3
  done
  [ -n "$url" ] || { cat "$work/$task-view.log" >&2; exit 1; }
  node tests/replay-browser/screenshot.js "$url" "docs/images/replay-$task.png"
  kill "$view"
  wait "$view" 2>/dev/null || true
done
ls -l docs/images/replay-door-pull.png docs/images/replay-pick-place.png
