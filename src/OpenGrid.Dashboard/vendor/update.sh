#!/usr/bin/env bash
# Refreshes the vendored crypto modules under ../wwwroot/assets/vendor/ from the npm registry.
# Run by hand when upgrading (not part of the build): edit the versions and integrities below, run it, commit the
# result. Each tarball is checked against its recorded sha512 integrity before anything is copied; the copied files
# are byte-identical to the published ones, and their checksums go to ../wwwroot/assets/vendor/SHA256SUMS, which a
# test compares with what the coordinator serves.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
dest="$here/../wwwroot/assets/vendor"

# name, version, npm dist.integrity, files to copy (the module graph the dashboard imports, nothing else)
packages=(
  "@noble/secp256k1|3.2.0|sha512-Z3ZAWOTxJ0EuTuZTi7Y69iK7GgrLHh8sgm45lVDhg/b3Nk1TpAiKhick2KkZisHuupeepSkyIydN/J459SdX1w==|index.js LICENSE"
  "@noble/hashes|2.4.0|sha512-X5XaVWZIBCT7HHZGm5I7ZQXDwLG+bGXuSrMQAW+7Zvl87h1kmc1ZB1VSRJcpUfoUrGQp4Fkoxm5kZ+Ms+aW+eA==|sha3.js sha2.js hmac.js _md.js _u64.js utils.js LICENSE"
)

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
for entry in "${packages[@]}"; do
  IFS='|' read -r name version integrity files <<<"$entry"
  folder="${name#@}"; folder="${folder//\//-}"        # @noble/hashes -> noble-hashes
  (cd "$work" && npm pack --silent "$name@$version" >/dev/null)
  tarball="$work/${folder}-${version}.tgz"
  actual="sha512-$(openssl dgst -sha512 -binary "$tarball" | base64 -w0)"
  if [[ "$actual" != "$integrity" ]]; then
    echo "update.sh: $name@$version integrity is $actual, expected $integrity; refusing to vendor it" >&2
    exit 1
  fi
  mkdir -p "$work/$folder" && tar xzf "$tarball" -C "$work/$folder"
  rm -rf "${dest:?}/$folder" && mkdir -p "$dest/$folder"
  for f in $files; do cp "$work/$folder/package/$f" "$dest/$folder/$f"; done
  echo "$name@$version $integrity" >"$dest/$folder/VERSION"
  echo "vendored $name@$version into $dest/$folder" >&2
done
(cd "$dest" && find . -type f ! -name SHA256SUMS | sed 's|^\./||' | LC_ALL=C sort | xargs sha256sum >SHA256SUMS)
