"""PLACEHOLDER: builds a small scene, renders one frame with Cycles on the CPU and saves it to --out.

The real scene script and the Blender runtime on the provider arrive in a later issue. Until then this script only
says so and fails, so that nobody mistakes it for a working job.
"""
import sys

sys.stderr.write("examples/blender-render: the Blender runtime is not implemented yet (arrives in a later issue)\n")
sys.exit(2)
