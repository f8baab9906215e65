#!/usr/bin/env bash
# GPU backend check on a machine with an NVIDIA GPU and no .NET SDK: runs a self-contained `naf` publish.
#
#   usage: perf/gpu/run-on-device.sh PUBLISH_DIR_OR_TARBALL [SECONDS]
#
# PUBLISH_DIR_OR_TARBALL: a folder holding `naf` from
#   dotnet publish src/NafNative.Cli -c Release -r linux-x64 --self-contained -p:PublishTrimmed=false -o out/naf
# or a .tar.xz / .tar.gz of such a folder (unpacked to a temporary folder here).
# Prints JSON lines on stdout, one per step: `naf devices`, then `naf bench update` on --backend gpu and
# --backend cpu (same run, same machine) at batch 64, 256, 1024, 4096; then one summary line per batch with the
# GPU/CPU ratio. Progress and errors go to stderr. Exit 0 if every GPU run succeeded, else 2.
set -u -o pipefail

src="${1:?usage: run-on-device.sh PUBLISH_DIR_OR_TARBALL [SECONDS]}"
seconds="${2:-3}"

if [[ -f "$src" ]]; then
  dir="$(mktemp -d)"
  tar -xf "$src" -C "$dir" || { echo "cannot unpack $src" >&2; exit 1; }
  naf="$(find "$dir" -maxdepth 3 -type f -name naf | head -n 1)"
else
  naf="$src/naf"
fi
[[ -x "$naf" ]] || { echo "no executable naf under $src" >&2; exit 1; }
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_gcServer=0

# ILGPU opens the CUDA driver as libcuda.so; drivers often ship only libcuda.so.1. Offer a symlink if needed.
if ! "$naf" devices --json | grep -q '"cuda_available":true'; then
  lib="$(ldconfig -p 2>/dev/null | awk '/libcuda\.so\.1 / {print $NF; exit}')"
  [[ -z "$lib" ]] && lib="$(find /usr/lib /usr/lib64 /usr/local /lib /lib64 -name libcuda.so.1 2>/dev/null | head -n 1)"
  if [[ -n "$lib" ]]; then
    shim="$(mktemp -d)"; ln -s "$lib" "$shim/libcuda.so"
    export LD_LIBRARY_PATH="$shim${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
    echo "run-on-device: linked $shim/libcuda.so -> $lib" >&2
  else
    echo "run-on-device: no libcuda.so.1 found; the GPU runs will fail (no silent fallback)" >&2
  fi
fi

nvidia-smi --query-gpu=name,memory.total,driver_version,clocks.max.sm --format=csv,noheader >&2 || true
"$naf" devices --json

status=0
declare -A ups
for b in 64 256 1024 4096; do
  for backend in gpu cpu; do
    echo "run-on-device: bench update --backend $backend --batch $b --seconds $seconds" >&2
    if line="$("$naf" bench update --backend "$backend" --batch "$b" --seconds "$seconds" --json)"; then
      echo "$line"
      ups[$backend.$b]="$(sed -E 's/.*"updates_per_s":([0-9.eE+-]+).*/\1/' <<<"$line")"
    else
      echo "{\"backend\":\"$backend\",\"batch\":$b,\"error\":true}"
      [[ "$backend" == gpu ]] && status=2
    fi
  done
  if [[ -n "${ups[gpu.$b]:-}" && -n "${ups[cpu.$b]:-}" ]]; then
    awk -v b="$b" -v g="${ups[gpu.$b]}" -v c="${ups[cpu.$b]}" \
      'BEGIN { printf "{\"summary\":true,\"batch\":%d,\"gpu_updates_per_s\":%.1f,\"cpu_updates_per_s\":%.1f,\"gpu_over_cpu\":%.2f}\n", b, g, c, g / c }'
  fi
done
exit $status
