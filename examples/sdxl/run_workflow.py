"""PLACEHOLDER: runs a ComfyUI API-format workflow and writes the image to --output-dir.

The SDXL runtime (ComfyUI on the provider, models resolved by the provider) arrives in a later issue.
Until then this script only says so and fails, so that nobody mistakes it for a working job.
"""
import sys

sys.stderr.write("examples/sdxl: the ComfyUI runtime is not implemented yet (arrives in a later issue)\n")
sys.exit(2)
