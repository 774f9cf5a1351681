"""Trains a small CNN on MNIST-format data (Fashion-MNIST from Debian's dataset-fashion-mnist) with PyTorch.

Reads the four idx files (gzip or plain) from --data, writes to --out:
  model.pt        the trained weights (a state_dict), bit-identical for the same seed, data, threads and torch build
  metrics.json    loss every --log-every steps, test accuracy, epochs, example counts
  checkpoint.pt   written after every epoch; pass it back with --resume-from to continue an interrupted run

Reproducible by construction: fixed seeds, torch.use_deterministic_algorithms(True), the threads from
OMP_NUM_THREADS, and a shuffle order drawn from a generator seeded per epoch, so a run resumed after epoch k gives
the same weights as one that never stopped. No torchvision or numpy: the idx parsing is done here with struct.
"""
import argparse
import gzip
import json
import os
import struct
import sys
import time

import torch
import torch.nn.functional as F
from torch import nn

IDX_FILES = {
    "train_images": "train-images-idx3-ubyte",
    "train_labels": "train-labels-idx1-ubyte",
    "test_images": "t10k-images-idx3-ubyte",
    "test_labels": "t10k-labels-idx1-ubyte",
}
# idx type codes (http://yann.lecun.com/exdb/mnist/): only unsigned bytes occur in (Fashion-)MNIST.
IDX_UBYTE = 0x08


def parse_args(argv):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--data", default=".", help="folder with the four idx files (.gz or plain); default: the work dir")
    p.add_argument("--out", default="/out", help="where model.pt, metrics.json and checkpoint.pt go")
    p.add_argument("--epochs", type=int, default=1)
    p.add_argument("--batch-size", type=int, default=64)
    p.add_argument("--lr", type=float, default=0.01)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--train-limit", type=int, default=0, help="train on the first N examples only (0 = all)")
    p.add_argument("--test-limit", type=int, default=0, help="test on the first N examples only (0 = all)")
    p.add_argument("--log-every", type=int, default=50, help="record the training loss every N steps")
    p.add_argument("--resume-from", default="", help="a checkpoint.pt from an earlier run of the same parameters")
    p.add_argument("--stop-after-epoch", type=int, default=0,
                   help="exit with status 3 after this epoch's checkpoint (simulates an interruption; for tests)")
    return p.parse_args(argv)


def read_idx(path, limit):
    """Reads an idx file: magic (0, 0, type, ndim), ndim big-endian uint32 sizes, then the data row-major."""
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rb") as f:
        zero, dtype, ndim = struct.unpack(">HBB", f.read(4))
        if zero != 0 or dtype != IDX_UBYTE or ndim < 1:
            raise ValueError(f"{path}: not an unsigned-byte idx file (magic {zero:#06x}, type {dtype:#04x}, {ndim} dims)")
        dims = list(struct.unpack(f">{ndim}I", f.read(4 * ndim)))
        if limit:
            dims[0] = min(dims[0], limit)
        count = 1
        for d in dims:
            count *= d
        data = f.read(count)
        if len(data) != count:
            raise ValueError(f"{path}: truncated; expected {count} bytes of data, got {len(data)}")
    return torch.frombuffer(bytearray(data), dtype=torch.uint8).reshape(dims)


def find_idx(folder, stem):
    for name in (stem + ".gz", stem):
        path = os.path.join(folder, name)
        if os.path.exists(path):
            return path
    raise FileNotFoundError(f"{stem}(.gz) not found in {os.path.abspath(folder)}; pass the idx files as inputs")


def load(folder, prefix, limit):
    images = read_idx(find_idx(folder, IDX_FILES[prefix + "_images"]), limit)
    labels = read_idx(find_idx(folder, IDX_FILES[prefix + "_labels"]), limit)
    if images.shape[0] != labels.shape[0]:
        raise ValueError(f"{prefix}: {images.shape[0]} images but {labels.shape[0]} labels")
    # Scale to [0, 1] and add the channel dimension: N x 1 x 28 x 28.
    return images.float().div_(255.0).unsqueeze(1), labels.long()


class SmallCnn(nn.Module):
    """Two conv layers and two linear layers: about 0.2 M parameters, ~85% on Fashion-MNIST after one epoch."""

    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 16, 3, padding=1)
        self.conv2 = nn.Conv2d(16, 32, 3, padding=1)
        self.fc1 = nn.Linear(32 * 7 * 7, 64)
        self.fc2 = nn.Linear(64, 10)

    def forward(self, x):
        x = F.max_pool2d(F.relu(self.conv1(x)), 2)
        x = F.max_pool2d(F.relu(self.conv2(x)), 2)
        return self.fc2(F.relu(self.fc1(x.flatten(1))))


def accuracy(model, images, labels, batch_size):
    model.eval()
    correct = 0
    with torch.no_grad():
        for i in range(0, images.shape[0], batch_size):
            correct += (model(images[i:i + batch_size]).argmax(1) == labels[i:i + batch_size]).sum().item()
    return correct / images.shape[0]


def main(argv):
    args = parse_args(argv)
    threads = int(os.environ.get("OMP_NUM_THREADS", "1"))
    torch.set_num_threads(threads)
    torch.manual_seed(args.seed)
    torch.use_deterministic_algorithms(True)

    train_x, train_y = load(args.data, "train", args.train_limit)
    test_x, test_y = load(args.data, "test", args.test_limit)
    print(f"data: {train_x.shape[0]} training and {test_x.shape[0]} test examples; torch {torch.__version__}, "
          f"{threads} threads", flush=True)

    model = SmallCnn()
    optimizer = torch.optim.SGD(model.parameters(), lr=args.lr, momentum=0.9)
    losses, first_epoch = [], 0
    if args.resume_from:
        checkpoint = torch.load(args.resume_from)
        model.load_state_dict(checkpoint["model"])
        optimizer.load_state_dict(checkpoint["optimizer"])
        losses, first_epoch = checkpoint["losses"], checkpoint["epoch"]
        print(f"resumed from {args.resume_from} after epoch {first_epoch}", flush=True)

    os.makedirs(args.out, exist_ok=True)
    steps_per_epoch = (train_x.shape[0] + args.batch_size - 1) // args.batch_size
    for epoch in range(first_epoch, args.epochs):
        started = time.monotonic()
        model.train()
        # The order depends only on the seed and the epoch, so a resumed run sees the same batches.
        order = torch.randperm(train_x.shape[0], generator=torch.Generator().manual_seed(args.seed * 1000 + epoch))
        for step in range(steps_per_epoch):
            batch = order[step * args.batch_size:(step + 1) * args.batch_size]
            optimizer.zero_grad()
            loss = F.cross_entropy(model(train_x[batch]), train_y[batch])
            loss.backward()
            optimizer.step()
            global_step = epoch * steps_per_epoch + step + 1
            if global_step % args.log_every == 0 or step == steps_per_epoch - 1:
                losses.append({"epoch": epoch + 1, "step": global_step, "loss": round(loss.item(), 6)})
                print(f"epoch {epoch + 1} step {global_step}: loss {loss.item():.4f}", flush=True)
        torch.save({"model": model.state_dict(), "optimizer": optimizer.state_dict(), "losses": losses,
                    "epoch": epoch + 1}, os.path.join(args.out, "checkpoint.pt"))
        print(f"epoch {epoch + 1} done in {time.monotonic() - started:.1f} s; checkpoint written", flush=True)
        if args.stop_after_epoch and epoch + 1 == args.stop_after_epoch and epoch + 1 < args.epochs:
            print(f"stopping after epoch {epoch + 1} as asked (--stop-after-epoch)", flush=True)
            return 3

    test_accuracy = accuracy(model, test_x, test_y, 1000)
    torch.save(model.state_dict(), os.path.join(args.out, "model.pt"))
    metrics = {
        "epochs": args.epochs,
        "seed": args.seed,
        "train_examples": train_x.shape[0],
        "test_examples": test_x.shape[0],
        "losses": losses,
        "test_accuracy": round(test_accuracy, 6),
    }
    with open(os.path.join(args.out, "metrics.json"), "w", encoding="utf-8") as f:
        json.dump(metrics, f, indent=2)
        f.write("\n")
    print(f"test accuracy {test_accuracy:.4f} on {test_x.shape[0]} examples", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
