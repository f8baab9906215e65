#!/usr/bin/env bash
# Regenerates README's replay-page pictures: docs/images/replay-door-pull.png and replay-pick-place.png, and one
# picture of each variant of the doors-5 and cubes-5 suites (docs/images/suite-<suite>-<variant>.png). Each comes from
# a short training run (20,000 env steps, 2 workers, seed 1; kept in WORK and reused when there), recorded greedy
# episodes (naf record; --variant for a suite's variant), naf view on a free loopback port, and Chromium showing the
# best episode at --at of its length (0.6; the first frame for the suites, the arm at home and the door or cube where it starts, and
# only the 3D view).
# Needs a Release build (dotnet build src/NafNative.Cli -c Release), MuJoCo (gcc libmujoco-dev), chromium and
# (cd tests/replay-browser && npm ci). Usage: bash tests/replay-browser/make-screenshots.sh [WORK] [all|replay|suites]
set -euo pipefail
cd "$(dirname "$0")/../.."
work=${1:-/tmp/naf-screenshots}
which=${2:-all}
case "$which" in all|replay|suites) ;; *) echo "make-screenshots.sh: give all, replay or suites, not '$which'" >&2; exit 2 ;; esac
naf=(dotnet src/NafNative.Cli/bin/Release/net10.0/naf.dll)
mkdir -p "$work" docs/images

# train TASK RUN [CONFIG_JSON]: a short run, unless RUN already holds one.
train() {
  local task=$1 run=$2 config=${3:-}
  [ -f "$run/best.naf" ] && return 0
  local args=(train --task "$task" --workers 2 --steps 20000 --seed 1 --out "$run" --replace)
  if [ -n "$config" ]; then echo "$config" >"$run.json"; args+=(--config "$run.json"); fi
  "${naf[@]}" "${args[@]}" >"$run-train.log" 2>&1 || { cat "$run-train.log" >&2; exit 1; }
}

# shoot RUN RECORDING OUT.png AT [--scene-only]: serve RECORDING with naf view and take Chromium's picture of it.
shoot() {
  local run=$1 recording=$2 out=$3 at=$4 only=${5:-} log="$work/view.log" url=""
  "${naf[@]}" view --run "$run" --recording "$recording" --port 0 >"$log" 2>&1 &
  view=$!
  trap 'kill "$view" 2>/dev/null || true' EXIT
  for _ in $(seq 1 200); do
    url=$(grep -o 'http://127.0.0.1:[0-9]*/' "$log" || true)
    [ -n "$url" ] && break
    sleep 0.3
  done
  [ -n "$url" ] || { cat "$log" >&2; exit 1; }
  node tests/replay-browser/screenshot.js "$url" "$out" --at "$at" $only
  kill "$view"
  wait "$view" 2>/dev/null || true
  trap - EXIT
}

for task in door-pull pick-place; do
  [ "$which" = suites ] && break
  train "$task" "$work/$task"
  "${naf[@]}" record --run "$work/$task" --episodes 5
  shoot "$work/$task" "$work/$task/recording.nafrec" "docs/images/replay-$task.png" 0.6
done

for pair in door-push:doors-5 pick-place:cubes-5; do
  [ "$which" = replay ] && break
  task=${pair%%:*} suite=${pair#*:} run="$work/$task-$suite"
  train "$task" "$run" "{ \"suite\": \"$suite\" }"
  for variant in $("${naf[@]}" eval --run "$run" --suite "$suite" --episodes 1 --json | grep -o "\"$suite/[a-z-]*\"" | tr -d '"'); do
    name=${variant#*/}
    "${naf[@]}" record --run "$run" --variant "$variant" --episodes 2 --out "$run/$name.nafrec"
    shoot "$run" "$run/$name.nafrec" "docs/images/suite-$suite-$name.png" 0 --scene-only
  done
done
ls -l docs/images/*.png
