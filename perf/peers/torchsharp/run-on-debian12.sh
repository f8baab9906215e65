#!/usr/bin/env bash
# Runs the TorchSharp peer on Debian 12, whose glibc (2.36) and libstdc++ (GLIBCXX_3.4.30) are older than what
# TorchSharp-cpu 0.107's libtorch needs (GLIBCXX_3.4.32, i.e. libstdc++ 14, which itself needs glibc >= 2.38).
#
# How: Debian 13's libc6, libstdc++6 and libgcc-s1 are downloaded with a private apt list (nothing is installed into
# the system) and extracted into $CACHE/root; a copy of the dotnet muxer gets Debian 13's dynamic loader as its
# interpreter (patchelf), and LD_LIBRARY_PATH puts Debian 13's libraries first. The whole peer process then runs on
# glibc 2.41 + libstdc++ 14; the .NET runtime itself is unchanged. Only the peer runs this way: NafNative and the
# PyTorch peer run on the system's libraries, side by side on the same machine.
#
#   usage: perf/peers/torchsharp/run-on-debian12.sh BATCH SECONDS      (root, for apt-get install patchelf)
# Prints the peer's JSON line. The peer is built first (dotnet build -c Release; ~1 GB of libtorch from NuGet).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
batch=${1:-64}
seconds=${2:-5}
CACHE=${CACHE:-/tmp/nafnative-trixie}
dotnet_root=$(dirname "$(readlink -f "$(command -v dotnet)")")

command -v patchelf >/dev/null || apt-get install -y -q patchelf >&2
mkdir -p "$CACHE/lists/partial" "$CACHE/archives/partial" "$CACHE/root" "$CACHE/dotnet"
echo "deb http://deb.debian.org/debian trixie main" > "$CACHE/sources.list"
apt_options=(-o "Dir::Etc::SourceList=$CACHE/sources.list" -o Dir::Etc::SourceParts=/dev/null
  -o "Dir::State::Lists=$CACHE/lists" -o "Dir::Cache::Archives=$CACHE/archives" -o Debug::NoLocking=1
  -o APT::Sandbox::User=root)
if [ ! -e "$CACHE/root/usr/lib/x86_64-linux-gnu/libstdc++.so.6" ]; then
  apt-get "${apt_options[@]}" update -q >&2
  (cd "$CACHE" && apt-get "${apt_options[@]}" download libc6 libstdc++6 libgcc-s1 >&2)
  for deb in "$CACHE"/*.deb; do dpkg -x "$deb" "$CACHE/root"; done
fi

# The muxer finds the runtime next to itself and refuses to run under another name, so the copy is called dotnet
# and sits beside links to the real installation's folders.
cp "$dotnet_root/dotnet" "$CACHE/dotnet/dotnet"
for d in host shared sdk packs; do [ -e "$dotnet_root/$d" ] && ln -sfn "$dotnet_root/$d" "$CACHE/dotnet/$d"; done
patchelf --set-interpreter "$CACHE/root/usr/lib64/ld-linux-x86-64.so.2" "$CACHE/dotnet/dotnet"

dotnet build -c Release "$here" >&2
env LD_LIBRARY_PATH="$CACHE/root/usr/lib/x86_64-linux-gnu" DOTNET_ROOT="$CACHE/dotnet" \
  "$CACHE/dotnet/dotnet" "$here/bin/Release/net10.0/NafTorchSharpPeer.dll" "$batch" "$seconds"
