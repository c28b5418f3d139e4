#!/usr/bin/env python3
"""Generates the PyTorch golden fixtures of the convolution algorithms (conv_algorithms.json).

Run from the repository root:

    /usr/bin/python3 tests/Striate.Tests/Fixtures/generate_conv_algorithms.py

Same precision contract and case layout as generate_fixtures.py (whose helpers this imports):
4-decimal float32 inputs, float64 PyTorch results with 9 significant digits, and for every input
the gradient after output.backward(upstream). PyTorch has one conv2d; the shapes are chosen so
each of Striate's algorithms applies (Winograd: 3x3, stride 1, dilation 1, with output tiles of
both sizes; direct: few channels, strides; FFT: large and dilated kernels, stride 1; separable:
frozen rank-1 filters), and the test runs every case with every algorithm listed in "algorithms".

File "conv_algorithms.json", op "conv2d_algo", params:
    stride, padding, dilation, groups   F.conv2d's arguments (ints)
    relu                                 true: the output is F.relu(F.conv2d(...)) (the fused Conv2dRelu)
    algorithms                           Striate algorithms to force: "im2col", "direct", "winograd", "fft", "separable"
    frozen                               true: the weight carries no gradient (separable filters are frozen filters)
"""

import os
import sys

import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from generate_fixtures import case, quantize, rand, write  # noqa: E402  (the shared helpers, guarded by __main__)

torch.manual_seed(20241122)


def conv_case(name, n, c, k, h, w, r, s, stride=1, padding=0, dilation=1, groups=1, relu=False, algorithms=(), weight=None):
    x = rand(n, c, h, w)
    frozen = weight is not None
    wt = weight if frozen else rand(k, c // groups, r, s, low=-0.5, high=0.5)
    b = rand(k, low=-0.5, high=0.5)

    def fn(x_, w_, b_):
        y = F.conv2d(x_, w_, b_, stride=stride, padding=padding, dilation=dilation, groups=groups)
        return F.relu(y) if relu else y

    params = {"stride": stride, "padding": padding, "dilation": dilation, "groups": groups, "relu": relu,
              "algorithms": list(algorithms), "frozen": frozen}
    return case(name, "conv2d_algo", fn, [("x", x), ("w", wt), ("b", b)], params,
                differentiable=[True, not frozen, True])


def gaussian(k):
    """A frozen depthwise 5x5 binomial (Gaussian) blur per channel, 0.01·(1 4 6 4 1)ᵀ(1 4 6 4 1): rank 1 and
    exact at 4 decimals (dividing by 256 instead would round the taps and break the rank)."""
    g = torch.tensor([1.0, 4.0, 6.0, 4.0, 1.0], dtype=torch.float64)
    f = torch.outer(g, g) * 0.01
    return quantize(f.expand(k, 1, 5, 5).clone())


def sobel(k):
    """Frozen Sobel-x filters (1, 2, 1)ᵀ·(−1, 0, 1), one per output channel over one input channel."""
    f = torch.outer(torch.tensor([1.0, 2.0, 1.0], dtype=torch.float64), torch.tensor([-1.0, 0.0, 1.0], dtype=torch.float64))
    return f.expand(k, 1, 3, 3).clone()


def cases():
    all_3x3 = ("im2col", "direct", "winograd", "fft")
    return [
        conv_case("winograd_f4_8to8_10x9_pad1", 1, 8, 8, 10, 9, 3, 3, padding=1, algorithms=all_3x3),
        conv_case("winograd_f2_5to4_7x9_pad1", 3, 5, 4, 7, 6, 3, 3, padding=1, algorithms=all_3x3),
        conv_case("winograd_groups2_10x10_pad0", 1, 4, 6, 10, 10, 3, 3, groups=2, algorithms=all_3x3),
        conv_case("winograd_pad2_prime_11x13", 1, 3, 5, 11, 13, 3, 3, padding=2, algorithms=all_3x3),
        conv_case("direct_lenet_c1_16x16", 1, 1, 6, 16, 16, 5, 5, padding=2, algorithms=("im2col", "direct", "fft")),
        conv_case("direct_7x7_stride2_pad3", 1, 3, 4, 15, 13, 7, 7, stride=2, padding=3, algorithms=("im2col", "direct")),
        conv_case("direct_1x1_stride3", 2, 5, 3, 10, 11, 1, 1, stride=3, algorithms=("im2col", "direct")),
        conv_case("fft_11x11_pad5", 1, 2, 2, 15, 13, 11, 11, padding=5, algorithms=("im2col", "direct", "fft")),
        conv_case("fft_5x5_dilation2_pad4", 1, 2, 3, 12, 11, 5, 5, padding=4, dilation=2, algorithms=("im2col", "direct", "fft")),
        conv_case("relu_fused_3x3_pad1", 2, 4, 5, 9, 10, 3, 3, padding=1, relu=True, algorithms=all_3x3),
        conv_case("relu_fused_5x5_stride2", 1, 2, 3, 13, 12, 5, 5, stride=2, padding=2, relu=True, algorithms=("im2col", "direct")),
        conv_case("separable_gaussian_depthwise", 1, 3, 3, 13, 11, 5, 5, padding=2, groups=3,
                  algorithms=("im2col", "direct", "fft", "separable"), weight=gaussian(3)),
        conv_case("separable_sobel_stride2", 1, 1, 2, 12, 13, 3, 3, stride=2, padding=1,
                  algorithms=("im2col", "direct", "separable"), weight=sobel(2)),
    ]


if __name__ == "__main__":
    write("conv_algorithms.json", cases())
