#!/usr/bin/env python3
"""Generates the golden fixtures for Striate's data augmentations.

Run from the repository root:

    /usr/bin/python3 tests/Striate.Tests/Fixtures/generate_augment.py

It follows generate_fixtures.py's precision contract and JSON layout (and uses its helpers): inputs
are 4-decimal values read as float32 by both sides, expected values are float64 results with 9
significant digits. Cases carry no gradients ("grad": null, an empty upstream): augmentations run
outside autograd.

augment_warp.json — bilinear warping (Striate's WarpKernel) against torch.nn.functional.grid_sample
  (mode="bilinear", padding_mode="zeros", align_corners=False) in float64. Striate maps output pixel
  (i, j) to the source point (u, v) in pixel units; grid_sample takes normalized coordinates, so the
  script builds the grid as g = ((2u + 1)/W − 1, (2v + 1)/H − 1), which grid_sample maps back to
  ((g + 1)·W − 1)/2 = u. Two kinds of case:
    "warp_affine":   params {"matrix": m0..m5, "fill"}: u = m0·j + m1·i + m2, v = m3·j + m4·i + m5
    "warp_displace": inputs x, dx, dy: u = j + dx[i, j], v = i + dy[i, j]
  A non-zero fill is checked through grid_sample(x − fill) + fill, which equals bilinear
  interpolation with `fill` outside because the four weights sum to 1.

augment_color.json — hue rotation (Striate's ColorAdjust.Hue) against Python's colorsys module in
  float64, an independent implementation of the same hexcone RGB ↔ HSV model:
    "hue": params {"shift"}: each pixel (r, g, b) → hsv, h ← (h + shift) mod 1, → rgb
  Inputs include greys (no hue), primaries and pixels on the sector boundaries.
"""

import colorsys
import math

import torch
import torch.nn.functional as F

import generate_fixtures as gf

torch.manual_seed(20240615)


def entry(name, t):
    return {"name": name, "shape": list(t.shape), "values": gf.short(gf.flat(t)), "grad": None}


def result_case(name, op, params, inputs, out):
    return {
        "name": name,
        "op": op,
        "params": params,
        "inputs": [entry(n, t) for n, t in inputs],
        "upstream": {"shape": list(out.shape), "values": []},
        "output": {"shape": list(out.shape), "values": gf.exact(gf.flat(out))},
    }


def sample(x, u, v, fill):
    """x: (C, H, W) float64; u, v: (H', W') float64 pixel coordinates → (C, H', W')."""
    c, h, w = x.shape
    grid = torch.stack(((2 * u + 1) / w - 1, (2 * v + 1) / h - 1), dim=-1).unsqueeze(0)
    y = F.grid_sample((x - fill).unsqueeze(0), grid, mode="bilinear", padding_mode="zeros", align_corners=False)
    return y.squeeze(0) + fill


def rotation_matrix(h, w, degrees, tx=0.0, ty=0.0, scale=1.0):
    """Inverse map of p' = s·R(θ)·p + t about the centre (the convention of Striate's Warp)."""
    t = math.radians(degrees)
    c, s = math.cos(t), math.sin(t)
    # A = s·[[c, s], [−s, c]]; A⁻¹ = (1/s)·[[c, −s], [s, c]]
    b00, b01, b10, b11 = c / scale, -s / scale, s / scale, c / scale
    cx, cy = (w - 1) * 0.5, (h - 1) * 0.5
    return [b00, b01, cx - b00 * (cx + tx) - b01 * (cy + ty), b10, b11, cy - b10 * (cx + tx) - b11 * (cy + ty)]


def warps():
    cases = []
    specs = [
        # (name, C, H, W, H', W', matrix, fill)
        ("rotate30_5x7", 2, 5, 7, 5, 7, rotation_matrix(5, 7, 30.0), 0.0),
        ("rotate_m47_scale1p3_shift", 3, 6, 6, 6, 6, rotation_matrix(6, 6, -47.0, 1.0, -2.0, 1.3), 0.0),
        ("rotate90_4x4", 1, 4, 4, 4, 4, rotation_matrix(4, 4, 90.0), 0.0),
        ("shrink_fill0p5", 2, 5, 4, 5, 4, rotation_matrix(5, 4, 10.0, 0.0, 0.0, 0.6), 0.5),
        ("general_to_3x8", 1, 6, 5, 3, 8, [0.61, -0.27, 0.4, 0.33, 1.7, -1.1], 0.0),
        ("far_outside_fill", 1, 3, 3, 2, 2, [1.0, 0.0, 50.0, 0.0, 1.0, -40.0], -0.25),
        ("identity_3x5", 2, 3, 5, 3, 5, [1.0, 0.0, 0.0, 0.0, 1.0, 0.0], 0.0),
    ]
    for name, c, h, w, oh, ow, m, fill in specs:
        x = gf.rand(c, h, w, low=-1.0, high=1.0)
        i = torch.arange(oh, dtype=torch.float64).reshape(oh, 1).expand(oh, ow)
        j = torch.arange(ow, dtype=torch.float64).reshape(1, ow).expand(oh, ow)
        u = m[0] * j + m[1] * i + m[2]
        v = m[3] * j + m[4] * i + m[5]
        y = sample(x, u, v, fill)
        cases.append(result_case("affine_" + name, "warp_affine", {"matrix": m, "fill": fill, "out_h": oh, "out_w": ow}, [("x", x)], y))

    for name, c, h, w, scale, fill in [("small_4x6", 2, 4, 6, 0.9, 0.0), ("large_7x5", 1, 7, 5, 3.0, 0.0), ("fill_5x5", 3, 5, 5, 2.0, 0.75)]:
        x = gf.rand(c, h, w, low=-1.0, high=1.0)
        dx = gf.rand(h, w, low=-scale, high=scale)
        dy = gf.rand(h, w, low=-scale, high=scale)
        i = torch.arange(h, dtype=torch.float64).reshape(h, 1).expand(h, w)
        j = torch.arange(w, dtype=torch.float64).reshape(1, w).expand(h, w)
        y = sample(x, j + dx, i + dy, fill)
        cases.append(result_case("displace_" + name, "warp_displace", {"fill": fill}, [("x", x), ("dx", dx), ("dy", dy)], y))
    return cases


def hues():
    cases = []
    special = torch.tensor([
        [1.0, 0.0, 0.0], [0.0, 1.0, 0.0], [0.0, 0.0, 1.0], [1.0, 1.0, 0.0], [0.0, 1.0, 1.0], [1.0, 0.0, 1.0],
        [0.5, 0.5, 0.5], [0.0, 0.0, 0.0], [1.0, 1.0, 1.0], [0.25, 0.5, 0.75], [0.75, 0.5, 0.25], [0.6, 0.2, 0.2],
    ], dtype=torch.float64)
    for name, shift, h, w in [("p0p13_4x5", 0.13, 4, 5), ("m0p4_3x3", -0.4, 3, 3), ("p0p5_6x2", 0.5, 6, 2), ("m0p05_special", -0.05, 3, 4)]:
        if name.endswith("special"):
            x = special.t().reshape(3, h, w)
        else:
            x = gf.rand(3, h, w, low=0.0, high=1.0)
        y = torch.empty_like(x)
        for i in range(h):
            for j in range(w):
                hh, ss, vv = colorsys.rgb_to_hsv(float(x[0, i, j]), float(x[1, i, j]), float(x[2, i, j]))
                r, g, b = colorsys.hsv_to_rgb((hh + shift) % 1.0, ss, vv)
                y[0, i, j], y[1, i, j], y[2, i, j] = r, g, b
        cases.append(result_case("hue_" + name, "hue", {"shift": shift}, [("x", x)], y))
    return cases


if __name__ == "__main__":
    gf.write("augment_warp.json", warps())
    gf.write("augment_color.json", hues())
