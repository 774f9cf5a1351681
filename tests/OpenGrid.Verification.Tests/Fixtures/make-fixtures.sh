#!/usr/bin/env bash
# Regenerates the image fixtures with the real Blender (Debian package `blender`, Cycles on the CPU).
# Two seeds of one scene give the same picture with different noise; the second scene is a different picture.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
samples=32
render() { # SCENE SEED OUT
  blender -b --factory-startup --python "$here/render_scene.py" -- "$1" "$2" "$samples" "$here/$3" >/dev/null
  echo "$3: $(stat -c %s "$here/$3") bytes"
}
render spheres 1 spheres-seed1.png
render spheres 2 spheres-seed2.png
render monkey 1 monkey-seed1.png

# The mean SSIM an independent implementation gives (ImageComparatorTests pins these; needs numpy and torch).
if /usr/bin/python3 -c "import numpy, torch" 2>/dev/null; then
  echo "reference SSIM spheres seed 1 vs 2: $(/usr/bin/python3 "$here/ssim_reference.py" "$here/spheres-seed1.png" "$here/spheres-seed2.png")"
  echo "reference SSIM spheres vs monkey:   $(/usr/bin/python3 "$here/ssim_reference.py" "$here/spheres-seed2.png" "$here/monkey-seed1.png")"
fi
