#!/usr/bin/env python3
"""Generates the PyTorch golden fixtures of the convolution family (convolution*.json).

Run from the repository root:

    /usr/bin/python3 tests/Striate.Tests/Fixtures/generate_convolution.py

Same precision contract and case layout as generate_fixtures.py (whose helpers this imports):
4-decimal float32 inputs, float64 PyTorch results with 9 significant digits, and for every input
the gradient after output.backward(upstream).

Files and their "params":
  convolution.json            op "conv": conv1d/2d/3d.
      dims             1, 2 or 3 spatial dimensions
      stride, dilation lists, one value per spatial dimension
      padding          an int (every side), "valid" / "same" / "full", or [[before, after], ...] per dimension
      groups           channel groups
      padding_mode     "zeros" | "reflect" | "replicate" | "circular" (PyTorch's module option)
      mode             "cross_correlation" | "true_convolution"
    PyTorch has no "full" padding, per-side padding or true convolution; they are computed from
    their definitions with PyTorch's own ops, so the expected values stay outside truth:
      full             padding = dilation·(k − 1) on both sides
      per side         F.pad(x, sides) then an unpadded convolution
      true convolution F.convNd(x, w.flip(spatial dims)): the gradient flows back through the flip
      padding modes    F.pad(x, sides, mode) then an unpadded convolution, as nn.ConvNd does
  convolution_transpose.json  op "conv_transpose": conv_transpose1d/2d/3d.
      dims, stride, padding, output_padding, dilation (lists per spatial dimension), groups
  convolution_pad.json        op "pad": F.pad.
      pads  PyTorch's order (last dimension first);  mode  "constant" | "reflect" | "replicate" | "circular";  value
"""

import os
import sys
import warnings

import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from generate_fixtures import case, rand, write  # noqa: E402  (the shared helpers, guarded by __main__)

torch.manual_seed(20241121)
# PyTorch notes that even "same" kernels pad a copy of the input; that is the behaviour under test.
warnings.filterwarnings("ignore", message="Using padding='same'")

CONV = {1: F.conv1d, 2: F.conv2d, 3: F.conv3d}
CONV_T = {1: F.conv_transpose1d, 2: F.conv_transpose2d, 3: F.conv_transpose3d}


def per_dim(value, dims):
    return list(value) if isinstance(value, (list, tuple)) else [value] * dims


def resolve_padding(padding, kernel, dilation):
    """[(before, after)] per spatial dimension, first spatial dimension first."""
    dims = len(kernel)
    if padding == "valid":
        return [(0, 0)] * dims
    if padding == "same":
        out = []
        for k, d in zip(kernel, dilation):
            total = d * (k - 1)
            out.append((total // 2, total - total // 2))
        return out
    if padding == "full":
        return [(d * (k - 1), d * (k - 1)) for k, d in zip(kernel, dilation)]
    if isinstance(padding, int):
        return [(padding, padding)] * dims
    return [tuple(p) for p in padding]


def torch_pad_order(sides):
    """[(before, after)] first dimension first -> F.pad's flat tuple, last dimension first."""
    flat = []
    for before, after in reversed(sides):
        flat += [before, after]
    return tuple(flat)


def conv_case(name, dims, xs, ws, stride=1, padding=0, dilation=1, groups=1, bias=True,
              padding_mode="zeros", mode="cross_correlation"):
    stride, dilation = per_dim(stride, dims), per_dim(dilation, dims)
    kernel = ws[2:]
    fan_in = ws[1]
    for k in kernel:
        fan_in *= k
    bound = 1.0 / fan_in ** 0.5
    inputs = [("input", rand(*xs, low=-1.0, high=1.0)), ("weight", rand(*ws, low=-bound, high=bound))]
    if bias:
        inputs.append(("bias", rand(ws[0], low=-bound, high=bound)))
    sides = resolve_padding(padding, kernel, dilation)
    symmetric = all(b == a for b, a in sides)
    spatial = list(range(2, 2 + dims))

    def fn(x, w, b=None):
        if mode == "true_convolution":
            w = w.flip(spatial)
        if padding_mode != "zeros":
            x = F.pad(x, torch_pad_order(sides), mode=padding_mode)
            pad = 0
        elif padding in ("same", "valid"):
            pad = padding  # PyTorch's own string padding
        elif symmetric:
            pad = [b for b, _ in sides]
        else:
            x = F.pad(x, torch_pad_order(sides))
            pad = 0
        return CONV[dims](x, w, b, stride=stride, padding=pad, dilation=dilation, groups=groups)

    params = {"dims": dims, "stride": stride, "padding": padding if not isinstance(padding, tuple) else [list(p) for p in padding],
              "dilation": dilation, "groups": groups, "padding_mode": padding_mode, "mode": mode}
    return case("conv%dd_%s" % (dims, name), "conv", fn, inputs, params)


def convolution():
    c = []
    # 1-D: (N, C, L)
    c.append(conv_case("basic", 1, (2, 3, 11), (4, 3, 3)))
    c.append(conv_case("stride2_pad2_dilation2_n3", 1, (3, 2, 13), (4, 2, 3), stride=2, padding=2, dilation=2))
    c.append(conv_case("same_even_kernel4", 1, (2, 3, 10), (5, 3, 4), padding="same"))
    c.append(conv_case("same_dilation3_kernel2", 1, (1, 2, 9), (3, 2, 2), padding="same", dilation=3, bias=False))
    c.append(conv_case("valid_stride3", 1, (2, 2, 10), (3, 2, 3), stride=3, padding="valid"))
    c.append(conv_case("full_kernel3", 1, (2, 2, 7), (3, 2, 3), padding="full"))
    c.append(conv_case("groups2", 1, (2, 4, 9), (6, 2, 3), groups=2))
    c.append(conv_case("depthwise_multiplier2_pad2", 1, (2, 3, 8), (6, 1, 5), padding=2, groups=3))
    c.append(conv_case("reflect_pad2", 1, (2, 3, 9), (4, 3, 3), padding=2, padding_mode="reflect"))
    c.append(conv_case("circular_same_kernel4", 1, (2, 2, 7), (3, 2, 4), padding="same", padding_mode="circular"))
    c.append(conv_case("replicate_full", 1, (1, 2, 5), (2, 2, 3), padding="full", padding_mode="replicate"))
    c.append(conv_case("per_side_0_3_stride2", 1, (2, 2, 8), (3, 2, 3), stride=2, padding=((0, 3),)))
    c.append(conv_case("true_convolution_pad1", 1, (2, 2, 8), (3, 2, 3), padding=1, mode="true_convolution"))
    # 2-D: (N, C, H, W)
    c.append(conv_case("dilation2_pad2", 2, (2, 3, 7, 6), (4, 3, 3, 3), padding=2, dilation=2))
    c.append(conv_case("per_axis_stride_dilation", 2, (1, 2, 11, 10), (3, 2, 3, 2), stride=(2, 1), padding=((1, 1), (0, 0)), dilation=(1, 2)))
    c.append(conv_case("same_even_kernel2x4", 2, (2, 2, 7, 6), (3, 2, 2, 4), padding="same"))
    c.append(conv_case("full_kernel3x2", 2, (1, 2, 5, 4), (2, 2, 3, 2), padding="full"))
    c.append(conv_case("groups3_stride2_pad1", 2, (2, 6, 5, 5), (9, 2, 3, 3), stride=2, padding=1, groups=3))
    c.append(conv_case("depthwise_c5_n3", 2, (3, 5, 5, 4), (5, 1, 3, 3), padding=1, groups=5))
    c.append(conv_case("pointwise_1x1_groups2", 2, (2, 4, 5, 3), (6, 2, 1, 1), groups=2, bias=False))
    c.append(conv_case("reflect_pad1", 2, (2, 3, 6, 7), (4, 3, 3, 3), padding=1, padding_mode="reflect"))
    c.append(conv_case("replicate_pad2_stride2", 2, (2, 2, 5, 6), (3, 2, 3, 3), stride=2, padding=2, padding_mode="replicate"))
    c.append(conv_case("circular_pad_1_2", 2, (1, 2, 5, 6), (3, 2, 3, 3), padding=((1, 1), (2, 2)), padding_mode="circular"))
    c.append(conv_case("reflect_same_even_kernel4x2", 2, (2, 2, 7, 5), (2, 2, 4, 2), padding="same", padding_mode="reflect"))
    c.append(conv_case("per_side_zeros", 2, (2, 2, 6, 5), (3, 2, 3, 3), padding=((0, 1), (2, 0))))
    c.append(conv_case("true_convolution_stride2", 2, (2, 2, 7, 6), (3, 2, 3, 2), stride=2, padding=1, mode="true_convolution"))
    c.append(conv_case("true_convolution_same_even", 2, (1, 2, 6, 5), (2, 2, 2, 4), padding="same", mode="true_convolution"))
    # 3-D: (N, C, D, H, W)
    c.append(conv_case("basic_pad1", 3, (2, 2, 4, 5, 3), (3, 2, 3, 3, 2), padding=1))
    c.append(conv_case("stride2_dilation2", 3, (1, 3, 7, 6, 7), (4, 3, 2, 3, 3), stride=2, dilation=2))
    c.append(conv_case("groups2_same", 3, (2, 4, 3, 4, 3), (4, 2, 3, 3, 3), padding="same", groups=2))
    c.append(conv_case("replicate_pad1", 3, (1, 2, 4, 5, 4), (2, 2, 3, 3, 3), padding=1, padding_mode="replicate", bias=False))
    c.append(conv_case("circular_full_kernel2", 3, (1, 2, 3, 4, 3), (2, 2, 2, 2, 2), padding="full", padding_mode="circular"))
    c.append(conv_case("true_convolution", 3, (1, 2, 4, 4, 5), (2, 2, 2, 3, 2), padding=1, mode="true_convolution"))
    return c


def transpose_case(name, dims, xs, ws, stride=1, padding=0, output_padding=0, dilation=1, groups=1, bias=True):
    stride, padding = per_dim(stride, dims), per_dim(padding, dims)
    output_padding, dilation = per_dim(output_padding, dims), per_dim(dilation, dims)
    fan_in = ws[1]
    for k in ws[2:]:
        fan_in *= k
    bound = 1.0 / fan_in ** 0.5
    inputs = [("input", rand(*xs, low=-1.0, high=1.0)), ("weight", rand(*ws, low=-bound, high=bound))]
    if bias:
        inputs.append(("bias", rand(ws[1] * groups, low=-bound, high=bound)))

    def fn(x, w, b=None):
        return CONV_T[dims](x, w, b, stride=stride, padding=padding, output_padding=output_padding,
                            groups=groups, dilation=dilation)

    params = {"dims": dims, "stride": stride, "padding": padding, "output_padding": output_padding,
              "dilation": dilation, "groups": groups}
    return case("conv_transpose%dd_%s" % (dims, name), "conv_transpose", fn, inputs, params)


def convolution_transpose():
    c = []
    # weight: (C_in, C_out / groups, *kernel)
    c.append(transpose_case("basic", 1, (2, 3, 5), (3, 4, 3)))
    c.append(transpose_case("stride2_pad1_output_padding1", 1, (2, 3, 6), (3, 2, 4), stride=2, padding=1, output_padding=1))
    c.append(transpose_case("groups2_stride3_dilation2_output_padding2", 1, (3, 4, 5), (4, 3, 3), stride=3, padding=2,
                            output_padding=2, dilation=2, groups=2))
    c.append(transpose_case("stride2_pad1_output_padding1", 2, (2, 3, 4, 5), (3, 4, 3, 3), stride=2, padding=1, output_padding=1))
    c.append(transpose_case("per_axis", 2, (1, 2, 4, 3), (2, 3, 2, 3), stride=(2, 3), padding=(0, 1), output_padding=(1, 0),
                            dilation=(1, 2), bias=False))
    c.append(transpose_case("depthwise_stride2", 2, (2, 3, 4, 3), (3, 1, 3, 3), stride=2, groups=3))
    c.append(transpose_case("output_padding_below_dilation", 2, (1, 2, 4, 4), (2, 2, 3, 3), dilation=2, output_padding=1))
    c.append(transpose_case("stride2_pad1_output_padding1", 3, (1, 2, 3, 4, 3), (2, 3, 2, 3, 2), stride=2, padding=1, output_padding=1))
    c.append(transpose_case("groups2", 3, (2, 4, 2, 3, 3), (4, 1, 3, 2, 2), padding=(1, 0, 1), groups=2, bias=False))
    return c


def pad_case(name, xs, pads, mode="constant", value=0.0):
    inputs = [("input", rand(*xs, low=-1.0, high=1.0))]

    def fn(x):
        return F.pad(x, pads, mode=mode, value=value) if mode == "constant" else F.pad(x, pads, mode=mode)

    return case("pad_" + name, "pad", fn, inputs, {"pads": list(pads), "mode": mode, "value": value})


def convolution_pad():
    c = []
    c.append(pad_case("constant_1d_value", (2, 3, 5), (2, 1), value=1.5))
    c.append(pad_case("constant_2d_crop", (2, 2, 4, 5), (-1, 2, 1, -2)))
    c.append(pad_case("constant_3d", (1, 2, 2, 3, 2), (1, 0, 0, 2, 1, 1), value=-0.25))
    c.append(pad_case("constant_last_dim_of_4d", (2, 2, 3, 4), (1, 2)))
    c.append(pad_case("reflect_1d", (2, 3, 6), (2, 3), mode="reflect"))
    c.append(pad_case("reflect_2d", (2, 2, 5, 4), (1, 3, 2, 1), mode="reflect"))
    c.append(pad_case("reflect_3d", (1, 2, 3, 4, 5), (1, 2, 2, 0, 1, 2), mode="reflect"))
    c.append(pad_case("reflect_crop", (1, 2, 6), (-1, 2), mode="reflect"))
    c.append(pad_case("replicate_1d_wider_than_input", (2, 2, 3), (4, 5), mode="replicate"))
    c.append(pad_case("replicate_2d", (2, 2, 4, 3), (2, 1, 0, 3), mode="replicate"))
    c.append(pad_case("replicate_3d", (1, 2, 2, 3, 2), (1, 1, 2, 0, 0, 2), mode="replicate"))
    c.append(pad_case("circular_1d_full_wrap", (2, 2, 4), (4, 3), mode="circular"))
    c.append(pad_case("circular_2d", (2, 2, 4, 5), (2, 1, 1, 3), mode="circular"))
    c.append(pad_case("circular_3d", (1, 2, 3, 3, 4), (1, 2, 0, 1, 2, 1), mode="circular"))
    c.append(pad_case("circular_crop_then_wrap", (1, 2, 5), (-1, 2), mode="circular"))
    return c


def main():
    write("convolution.json", convolution())
    write("convolution_transpose.json", convolution_transpose())
    write("convolution_pad.json", convolution_pad())


if __name__ == "__main__":
    main()
