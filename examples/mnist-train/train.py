"""PLACEHOLDER: trains a small CNN for --epochs on the provider's MNIST-format data and writes model.pt and
metrics.json to --out.

The real training script and the runtime it needs (python3-torch and the dataset on the provider) arrive in a
later issue. Until then this script only says so and fails, so that nobody mistakes it for a working job.
"""
import sys

sys.stderr.write("examples/mnist-train: the training runtime is not implemented yet (arrives in a later issue)\n")
sys.exit(2)
