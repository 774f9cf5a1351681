#!/usr/bin/env bash
# Installs what OpenGrid needs from Debian packages, only when missing. Idempotent; says what it does.
# Usage: scripts/ensure-deps.sh [--for-tests | --for-workloads]
#   --for-tests      also what the test suites need (ipfs-cid, chromium; dataset-fashion-mnist, which the
#                    mnist-train example's inputs read)
#   --for-workloads  only what the example workloads need: blender, python3-torch (for /usr/bin/python3),
#                    dataset-fashion-mnist (with dependencies about 1.2 GB to fetch; test.sh asks for them just
#                    before the workload suite)
set -euo pipefail

need=()
command -v bwrap >/dev/null 2>&1 || need+=(bubblewrap)
command -v prlimit >/dev/null 2>&1 || need+=(util-linux)
fashion_mnist=/usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz
if [[ "${1:-}" == "--for-tests" ]]; then
  command -v ipfs_cid >/dev/null 2>&1 || need+=(ipfs-cid)
  command -v chromium >/dev/null 2>&1 || need+=(chromium)
  [[ -f $fashion_mnist ]] || need+=(dataset-fashion-mnist)
fi
if [[ "${1:-}" == "--for-workloads" ]]; then
  [[ -x /usr/bin/blender ]] || need+=(blender)
  [[ -d /usr/lib/python3/dist-packages/torch ]] || need+=(python3-torch)
  [[ -f $fashion_mnist ]] || need+=(dataset-fashion-mnist)
fi

if ! command -v dotnet >/dev/null 2>&1; then
  echo "opengrid: the .NET 10 SDK is required and not on PATH; install it (https://learn.microsoft.com/dotnet/core/install/linux-debian) and retry" >&2
  exit 1
fi

if ((${#need[@]})); then
  sudo=""
  if [[ $(id -u) -ne 0 ]]; then
    if command -v sudo >/dev/null 2>&1; then sudo="sudo"; else
      echo "opengrid: missing Debian packages: ${need[*]}; run as root: apt-get install -y ${need[*]}" >&2
      exit 1
    fi
  fi
  echo "opengrid: installing Debian packages: ${need[*]}" >&2
  export DEBIAN_FRONTEND=noninteractive
  $sudo apt-get update -qq >&2 || true
  $sudo apt-get install -y -qq "${need[@]}" >&2
fi

# contracts/: solc-js, OpenZeppelin and anvil from npm, pinned by contracts/package-lock.json. Installed when
# missing, and with --for-tests also when package-lock.json changed since the last install.
contracts="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/contracts"
if [[ -f "$contracts/package-lock.json" ]]; then
  installed="$contracts/node_modules/.package-lock.json"
  if [[ ! -f "$installed" || ( "${1:-}" == "--for-tests" && "$contracts/package-lock.json" -nt "$installed" ) ]]; then
    if ! command -v npm >/dev/null 2>&1; then
      echo "opengrid: npm (Node.js 20 or later) is required for contracts/; install nodejs and npm, then run: cd contracts && npm ci" >&2
      exit 1
    fi
    echo "opengrid: installing contract tools (npm ci in contracts/: solc, OpenZeppelin, anvil)" >&2
    (cd "$contracts" && npm ci --no-audit --no-fund --loglevel=error >&2)
  fi
fi
