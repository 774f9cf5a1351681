"""Trains a conditional VAE on Fashion-MNIST with PyTorch and exports its decoder to ONNX for the og-onnx runner.

The decoder turns a latent vector (standard normal, --latent numbers) and a one-hot class label into a 28x28
grey image in 0..1. Written to --out:
  decoder.onnx    inputs "latent" [N, latent] float32 and "label" [N, classes] float32 (one-hot), output "image"
                  [N, 1, 28, 28] float32 in 0..1; the class names ride in the model's metadata ("opengrid.labels",
                  comma-separated), so og-onnx accepts --prompt sneaker as well as --prompt 7
  metrics.json    loss per epoch (reconstruction and KL, nats per image), test loss, sizes, seconds
The idx parsing is mnist-train's (its train.py is this job's second input). Run with /usr/bin/python3 (Debian's
python3-torch); the export needs no onnx package.
"""
import argparse
import json
import os
import sys
import time

import torch
import torch.nn.functional as F
from torch import nn

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "mnist-train"))
from train import load  # noqa: E402  (examples/mnist-train/train.py: idx parsing, images scaled to 0..1)

LABELS = ["t-shirt", "trouser", "pullover", "dress", "coat", "sandal", "shirt", "sneaker", "bag", "ankle-boot"]
# ModelProto field 14 is metadata_props (repeated StringStringEntryProto: key = 1, value = 2); see onnx.proto.
METADATA_FIELD = 14


def parse_args(argv):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--data", default="data", help="folder with the four Fashion-MNIST idx files (.gz or plain)")
    p.add_argument("--out", default="/out", help="where decoder.onnx and metrics.json go")
    p.add_argument("--epochs", type=int, default=4)
    p.add_argument("--latent", type=int, default=16, help="size of the latent vector")
    p.add_argument("--batch-size", type=int, default=128)
    p.add_argument("--lr", type=float, default=2e-3)
    p.add_argument("--beta", type=float, default=3.0,
                   help="weight of the KL term; above 1 the latent carries less of the class, so the label decides it")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--train-limit", type=int, default=0, help="train on the first N examples only (0 = all)")
    return p.parse_args(argv)


class Encoder(nn.Module):
    """Image and label to the mean and log-variance of the latent posterior (a small MLP: cheap on a CPU)."""

    def __init__(self, latent, classes):
        super().__init__()
        self.hidden = nn.Linear(28 * 28 + classes, 400)
        self.mean = nn.Linear(400, latent)
        self.log_var = nn.Linear(400, latent)

    def forward(self, image, label):
        x = F.relu(self.hidden(torch.cat([image.flatten(1), label], 1)))
        return self.mean(x), self.log_var(x)


class Decoder(nn.Module):
    """Latent and one-hot label to a 1x28x28 image in 0..1: what decoder.onnx computes (≈50k parameters). The label
    enters twice: beside the latent, and as a per-class bias on the 14x14 feature maps."""

    def __init__(self, latent, classes):
        super().__init__()
        self.fc = nn.Linear(latent + classes, 32 * 7 * 7)
        self.up1 = nn.ConvTranspose2d(32, 16, 4, stride=2, padding=1)  # 7 -> 14
        self.class_bias = nn.Linear(classes, 16, bias=False)
        self.up2 = nn.ConvTranspose2d(16, 1, 4, stride=2, padding=1)   # 14 -> 28

    def forward(self, latent, label):
        x = F.relu(self.fc(torch.cat([latent, label], 1))).view(-1, 32, 7, 7)
        x = F.relu(self.up1(x) + self.class_bias(label).view(-1, 16, 1, 1))
        return torch.sigmoid(self.up2(x))


def vae_loss(encoder, decoder, images, labels):
    """Reconstruction (binary cross-entropy) and KL divergence, each summed per image and averaged over the batch."""
    one_hot = F.one_hot(labels, len(LABELS)).float()
    mean, log_var = encoder(images, one_hot)
    latent = mean + torch.randn_like(mean) * torch.exp(0.5 * log_var)
    reconstruction = F.binary_cross_entropy(decoder(latent, one_hot), images, reduction="sum") / images.shape[0]
    kl = -0.5 * torch.sum(1 + log_var - mean.pow(2) - log_var.exp()) / images.shape[0]
    return reconstruction, kl


def protobuf_field(number, payload):
    """One length-delimited protobuf field (wire type 2): tag, varint length, bytes."""
    def varint(n):
        out = bytearray()
        while True:
            out.append((n & 0x7F) | (0x80 if n > 0x7F else 0))
            n >>= 7
            if not n:
                return bytes(out)
    return varint(number << 3 | 2) + varint(len(payload)) + payload


def export_decoder(decoder, latent, path):
    decoder.eval()
    example = (torch.zeros(1, latent), F.one_hot(torch.tensor([0]), len(LABELS)).float())
    torch.onnx.export(decoder, example, path, input_names=["latent", "label"], output_names=["image"],
                      dynamic_axes={"latent": {0: "n"}, "label": {0: "n"}, "image": {0: "n"}}, opset_version=13)
    # Fields of a protobuf message may come in any order and repeated ones concatenate, so appending a
    # metadata_props entry to the serialized ModelProto adds the class names without the onnx package.
    entry = protobuf_field(1, b"opengrid.labels") + protobuf_field(2, ",".join(LABELS).encode("ascii"))
    with open(path, "ab") as f:
        f.write(protobuf_field(METADATA_FIELD, entry))


def main(argv):
    args = parse_args(argv)
    threads = int(os.environ.get("OMP_NUM_THREADS", "1"))
    torch.set_num_threads(threads)
    torch.manual_seed(args.seed)
    train_x, train_y = load(args.data, "train", args.train_limit)
    test_x, test_y = load(args.data, "test", 2000)
    print(f"data: {train_x.shape[0]} training images; torch {torch.__version__}, {threads} threads", flush=True)

    encoder, decoder = Encoder(args.latent, len(LABELS)), Decoder(args.latent, len(LABELS))
    optimizer = torch.optim.Adam(list(encoder.parameters()) + list(decoder.parameters()), lr=args.lr)
    epochs, started = [], time.monotonic()
    for epoch in range(args.epochs):
        encoder.train()
        decoder.train()
        order = torch.randperm(train_x.shape[0], generator=torch.Generator().manual_seed(args.seed * 1000 + epoch))
        totals, batches = [0.0, 0.0], 0
        for i in range(0, train_x.shape[0], args.batch_size):
            batch = order[i:i + args.batch_size]
            reconstruction, kl = vae_loss(encoder, decoder, train_x[batch], train_y[batch])
            optimizer.zero_grad()
            (reconstruction + args.beta * kl).backward()
            optimizer.step()
            totals[0] += reconstruction.item()
            totals[1] += kl.item()
            batches += 1
        epochs.append({"epoch": epoch + 1, "reconstruction": round(totals[0] / batches, 3),
                       "kl": round(totals[1] / batches, 3), "seconds": round(time.monotonic() - started, 1)})
        print(f"epoch {epoch + 1}: reconstruction {totals[0] / batches:.2f}, KL {totals[1] / batches:.2f} nats "
              f"per image ({time.monotonic() - started:.0f} s)", flush=True)

    encoder.eval()
    decoder.eval()
    with torch.no_grad():
        test_reconstruction, test_kl = vae_loss(encoder, decoder, test_x, test_y)
    os.makedirs(args.out, exist_ok=True)
    path = os.path.join(args.out, "decoder.onnx")
    export_decoder(decoder, args.latent, path)
    metrics = {"epochs": epochs, "latent": args.latent, "beta": args.beta, "labels": LABELS,
               "train_examples": train_x.shape[0], "test_reconstruction": round(test_reconstruction.item(), 3), "test_kl": round(test_kl.item(), 3),
               "decoder_bytes": os.path.getsize(path)}
    with open(os.path.join(args.out, "metrics.json"), "w", encoding="utf-8") as f:
        json.dump(metrics, f, indent=2)
        f.write("\n")
    print(f"test loss {test_reconstruction.item() + test_kl.item():.2f} nats per image; wrote {path} "
          f"({os.path.getsize(path)} bytes)", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
