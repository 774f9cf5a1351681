#!/usr/bin/env bash
# Installs what OpenGrid needs from Debian packages, only when missing. Idempotent; says what it does.
# Usage: scripts/ensure-deps.sh [--for-tests]
set -euo pipefail

need=()
command -v bwrap >/dev/null 2>&1 || need+=(bubblewrap)
command -v prlimit >/dev/null 2>&1 || need+=(util-linux)
if [[ "${1:-}" == "--for-tests" ]]; then
  command -v ipfs_cid >/dev/null 2>&1 || need+=(ipfs-cid)
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
