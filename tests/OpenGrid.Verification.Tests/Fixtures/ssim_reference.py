"""An independent mean SSIM for the fixtures, to check the C# Ssim against (ImageComparatorTests pins its output).

Usage: /usr/bin/python3 ssim_reference.py A.png B.png   (needs numpy and torch; reads 8-bit RGB/RGBA PNGs as Blender
writes them). Same definition as the C#: BT.601 luminance on 0..255, 11x11 Gaussian window with sigma 1.5,
K1 = 0.01, K2 = 0.03, mean over the 'valid' positions.
"""
import struct
import sys
import zlib

import numpy as np
import torch
import torch.nn.functional as F


def read_png(path):
    data = open(path, "rb").read()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    pos, idat = 8, b""
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + length]
        if kind == b"IHDR":
            width, height, depth, color, _, _, interlace = struct.unpack(">IIBBBBB", body)
            assert depth == 8 and color in (2, 6) and interlace == 0, "only 8-bit RGB/RGBA, not interlaced"
        elif kind == b"IDAT":
            idat += body
        pos += 12 + length
    channels = 3 if color == 2 else 4
    raw, stride = zlib.decompress(idat), width * channels
    image, previous = np.zeros((height, stride), dtype=np.int32), np.zeros(stride, dtype=np.int32)
    for y in range(height):
        kind, line = raw[y * (stride + 1)], np.frombuffer(raw, np.uint8, stride, y * (stride + 1) + 1).astype(np.int32)
        row = np.zeros(stride, dtype=np.int32)
        for x in range(stride):
            left = row[x - channels] if x >= channels else 0
            up, up_left = previous[x], (previous[x - channels] if x >= channels else 0)
            if kind == 0: predictor = 0
            elif kind == 1: predictor = left
            elif kind == 2: predictor = up
            elif kind == 3: predictor = (left + up) // 2
            else:
                p = left + up - up_left
                pa, pb, pc = abs(p - left), abs(p - up), abs(p - up_left)
                predictor = left if pa <= pb and pa <= pc else (up if pb <= pc else up_left)
            row[x] = (line[x] + predictor) & 0xFF
        image[y], previous = row, row
    pixels = image.reshape(height, width, channels).astype(np.float64)
    luma = 0.299 * pixels[..., 0] + 0.587 * pixels[..., 1] + 0.114 * pixels[..., 2]
    return luma * (pixels[..., 3] / 255 if channels == 4 else 1)


def ssim(x, y):
    g = torch.exp(-torch.arange(-5, 6, dtype=torch.float64) ** 2 / (2 * 1.5 ** 2))
    g = g / g.sum()
    window = (g[:, None] * g[None, :])[None, None]
    x, y = (torch.from_numpy(v)[None, None] for v in (x, y))
    blur = lambda v: F.conv2d(v, window)
    mx, my = blur(x), blur(y)
    vx, vy, cov = blur(x * x) - mx * mx, blur(y * y) - my * my, blur(x * y) - mx * my
    c1, c2 = (0.01 * 255) ** 2, (0.03 * 255) ** 2
    return (((2 * mx * my + c1) * (2 * cov + c2)) / ((mx * mx + my * my + c1) * (vx + vy + c2))).mean().item()


print(f"{ssim(read_png(sys.argv[1]), read_png(sys.argv[2])):.10f}")
