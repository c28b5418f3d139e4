#!/usr/bin/env python3
"""Generates the PyTorch golden fixtures for Striate's structural ops: torch.cat and
F.interpolate (nearest, linear, bilinear, trilinear; size or scale factor; align_corners).

Run from the repository root:

    /usr/bin/python3 tests/Striate.Tests/Fixtures/generate_structure.py

It follows generate_fixtures.py's precision contract and JSON format (and uses its helpers):
inputs are 4-decimal values read as float32 by both sides, expected values are PyTorch float64
results with 9 significant digits. Writes structure.json.

Upsample parameters are written as {"mode", "size" or null, "scale_factor" or null, "align_corners"},
where size and scale_factor are lists (one value per spatial axis, or one for all).
"""

import torch
import torch.nn.functional as F

import generate_fixtures as gf

torch.manual_seed(20240607)


def concat():
    cases = []
    specs = [
        ("dim0", [(2, 3), (1, 3), (3, 3)], 0),
        ("channels", [(2, 1, 3, 4), (2, 3, 3, 4), (2, 2, 3, 4)], 1),
        ("last_negative", [(2, 3, 1), (2, 3, 4)], -1),
        ("dim2", [(1, 2, 3, 2), (1, 2, 2, 2)], 2),
        ("single", [(2, 5)], 1),
    ]
    for name, shapes, dim in specs:
        inputs = [("x%d" % i, gf.rand(*s)) for i, s in enumerate(shapes)]
        cases.append(gf.case("cat_" + name, "cat", lambda *ts, dim=dim: torch.cat(ts, dim=dim), inputs, {"dim": dim}))
    return cases


def upsample():
    cases = []
    # (name, input shape, mode, size, scale_factor, align_corners)
    specs = [
        ("nearest1d_scale2", (2, 3, 5), "nearest", None, [2.0], None),
        ("nearest1d_size7_from3", (1, 2, 3), "nearest", [7], None, None),
        ("nearest1d_size3_from7", (1, 2, 7), "nearest", [3], None, None),
        ("nearest2d_scale2", (2, 3, 3, 4), "nearest", None, [2.0], None),
        ("nearest2d_scale1p5", (1, 2, 4, 5), "nearest", None, [1.5], None),
        ("nearest2d_scale1p7_not_out_over_in", (1, 1, 5, 5), "nearest", None, [1.7], None),
        ("nearest2d_scale2x3", (1, 2, 3, 2), "nearest", None, [2.0, 3.0], None),
        ("nearest2d_size5x7", (2, 1, 3, 4), "nearest", [5, 7], None, None),
        ("nearest2d_down_size2x3", (1, 3, 5, 7), "nearest", [2, 3], None, None),
        ("nearest2d_down_scale0p5", (1, 2, 6, 5), "nearest", None, [0.5], None),
        ("nearest3d_scale2", (1, 2, 2, 3, 2), "nearest", None, [2.0], None),
        ("nearest3d_size3x4x5", (2, 1, 2, 3, 3), "nearest", [3, 4, 5], None, None),
        ("linear_scale2", (2, 3, 5), "linear", None, [2.0], False),
        ("linear_scale2_align", (2, 3, 5), "linear", None, [2.0], True),
        ("linear_size7_from3", (1, 2, 3), "linear", [7], None, False),
        ("linear_size4_from9", (1, 2, 9), "linear", [4], None, False),
        ("linear_size1_align", (1, 1, 4), "linear", [1], None, True),
        ("bilinear_scale2", (2, 3, 3, 4), "bilinear", None, [2.0], False),
        ("bilinear_scale2_align", (2, 3, 3, 4), "bilinear", None, [2.0], True),
        ("bilinear_scale1p5", (1, 2, 4, 5), "bilinear", None, [1.5], False),
        ("bilinear_scale1p7_not_out_over_in", (1, 1, 5, 5), "bilinear", None, [1.7], False),
        ("bilinear_size5x7", (1, 2, 3, 4), "bilinear", [5, 7], None, False),
        ("bilinear_size5x7_align", (1, 2, 3, 4), "bilinear", [5, 7], None, True),
        ("bilinear_down_size2x3", (1, 2, 5, 7), "bilinear", [2, 3], None, False),
        ("bilinear_scale2x3", (1, 1, 3, 2), "bilinear", None, [2.0, 3.0], False),
        ("bilinear_height1", (1, 2, 1, 4), "bilinear", [1, 8], None, False),
        ("trilinear_scale2", (1, 2, 2, 3, 2), "trilinear", None, [2.0], False),
        ("trilinear_size3x4x5_align", (1, 1, 2, 3, 3), "trilinear", [3, 4, 5], None, True),
    ]
    for name, shape, mode, size, scale, align in specs:
        x = gf.rand(*shape)

        def fn(t, mode=mode, size=size, scale=scale, align=align):
            return F.interpolate(t, size=None if size is None else (size if len(size) > 1 else size[0]),
                                 scale_factor=None if scale is None else (tuple(scale) if len(scale) > 1 else scale[0]),
                                 mode=mode, align_corners=align)

        if mode == "nearest":
            # The sampling positions must not depend on precision: PyTorch computes them in float32 in
            # both its float and double kernels, and Striate (float32) must pick the same samples.
            assert torch.equal(fn(x.float()).double(), fn(x)), name
        cases.append(gf.case("upsample_" + name, "upsample", fn, [("input", x)],
                             {"mode": mode, "size": size, "scale_factor": scale, "align_corners": bool(align)}))
    return cases


def main():
    gf.write("structure.json", concat() + upsample())


if __name__ == "__main__":
    main()
