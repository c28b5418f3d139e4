#!/usr/bin/env python3
"""Generates the PyTorch golden fixtures of Striate's pooling family (pooling_*.json).

Run from the repository root:

    /usr/bin/python3 tests/Striate.Tests/Fixtures/generate_pooling.py

Same precision contract and JSON layout as generate_fixtures.py (whose helpers this script
imports): 4-decimal float32 inputs, float64 PyTorch results with 9 significant digits. Integer
results (argmax indices) and integer arguments (indices fed to max_unpool) live in "params".

Ops PyTorch 1.13 lacks are composed from PyTorch primitives, so they are still outside ground
truth: lp_pool3d exactly as later PyTorch defines it (avg_pool3d of x^p, times the window volume,
to the power 1/p), avg_pool1d with divisor_override as avg_pool2d over a 1×k window, global
pooling as a mean/max over the flattened spatial axes, and maxout as a max over groups of
consecutive channels (x.view(N, C/k, k, ...).max(2)).
"""

import os
import sys

import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import generate_fixtures as gf  # noqa: E402  (helpers only; its main() is guarded)

torch.manual_seed(20240917)
torch.set_default_dtype(torch.float64)

case, rand, distinct, write = gf.case, gf.rand, gf.distinct, gf.write


def positive(*shape, low=0.1, high=2.0):
    return rand(*shape, low=low, high=high)


def tup(v):
    return list(v) if isinstance(v, (tuple, list)) else v


# ----------------------------------------------------------------------------------------
# Max pooling, with return_indices (indices stored in params)
# ----------------------------------------------------------------------------------------

def max_pool():
    cases = []
    fns = {1: F.max_pool1d, 2: F.max_pool2d, 3: F.max_pool3d}
    specs = [
        # name, dims, x shape, kernel, stride, padding, dilation, ceil_mode
        ("1d_k3_s2_p1", 1, (2, 3, 11), 3, 2, 1, 1, False),
        ("1d_k2_s1_d2", 1, (1, 5, 9), 2, 1, 0, 2, False),
        ("1d_k3_s2_ceil", 1, (2, 3, 10), 3, 2, 0, 1, True),
        ("1d_k4_s3_p2_ceil", 1, (3, 2, 13), 4, 3, 2, 1, True),
        ("2d_k3_s2_p1_d2", 2, (2, 3, 9, 8), 3, 2, 1, 2, False),
        ("2d_k2_s2_ceil_odd", 2, (2, 3, 7, 5), 2, 2, 0, 1, True),
        ("2d_k3_s2_p1_ceil", 2, (1, 3, 8, 6), 3, 2, 1, 1, True),
        ("2d_k3_s3_p1_ceil_drop", 2, (2, 2, 5, 7), 3, 3, 1, 1, True),
        ("2d_rect_k2x3_s2x1_p1x0_d1x2", 2, (2, 2, 7, 9), (2, 3), (2, 1), (1, 0), (1, 2), False),
        ("2d_k2_s2_d2_ceil", 2, (1, 2, 8, 7), 2, 2, 0, 2, True),
        ("3d_k2_s2", 3, (2, 3, 4, 5, 6), 2, 2, 0, 1, False),
        ("3d_k3_s2_p1_ceil", 3, (1, 2, 5, 6, 5), 3, 2, 1, 1, True),
        ("3d_rect_k2x1x3_s1x1x2_p1x0x1_d2", 3, (2, 1, 4, 3, 7), (2, 1, 3), (1, 1, 2), (1, 0, 1), (2, 1, 1), False),
    ]
    for name, dims, xs, k, s, p, d, ceil in specs:
        x = distinct(*xs, spacing=0.0125)
        fn = fns[dims]
        _, indices = fn(x, k, s, p, d, ceil_mode=ceil, return_indices=True)
        cases.append(case("max_pool" + name, "max_pool%dd" % dims,
                          lambda t, fn=fn, k=k, s=s, p=p, d=d, ceil=ceil: fn(t, k, s, p, d, ceil_mode=ceil),
                          [("input", x)],
                          {"kernel_size": tup(k), "stride": tup(s), "padding": tup(p), "dilation": tup(d),
                           "ceil_mode": ceil, "indices": indices.reshape(-1).tolist()}))
    return cases


# ----------------------------------------------------------------------------------------
# Average and sum pooling
# ----------------------------------------------------------------------------------------

def avg_pool1d_override(t, k, s, p, ceil, include_pad, divisor):
    return F.avg_pool2d(t.unsqueeze(2), (1, k), (1, s), (0, p), ceil, include_pad, divisor).squeeze(2)


def avg_pool():
    cases = []
    specs = [
        # name, dims, x shape, kernel, stride, padding, ceil, count_include_pad, divisor_override
        ("1d_k3_s2_p1_incl", 1, (2, 3, 11), 3, 2, 1, False, True, None),
        ("1d_k3_s2_p1_excl", 1, (2, 3, 11), 3, 2, 1, False, False, None),
        ("1d_k4_s3_p2_ceil_incl", 1, (3, 2, 13), 4, 3, 2, True, True, None),
        ("1d_k4_s3_p2_ceil_excl", 1, (3, 2, 13), 4, 3, 2, True, False, None),
        ("1d_k3_s1_sum", 1, (2, 3, 7), 3, 1, 0, False, True, 1),
        ("2d_k2_s2", 2, (2, 3, 8, 6), 2, 2, 0, False, True, None),
        ("2d_k3_s2_p1_incl", 2, (2, 3, 7, 6), 3, 2, 1, False, True, None),
        ("2d_k3_s2_p1_excl", 2, (2, 3, 7, 6), 3, 2, 1, False, False, None),
        ("2d_k3_s2_p1_ceil_incl", 2, (1, 3, 8, 6), 3, 2, 1, True, True, None),
        ("2d_k3_s2_p1_ceil_excl", 2, (1, 3, 8, 6), 3, 2, 1, True, False, None),
        ("2d_k2_s2_ceil_odd", 2, (2, 2, 7, 5), 2, 2, 0, True, True, None),
        ("2d_k3_s1_p1_divisor5", 2, (2, 2, 5, 5), 3, 1, 1, False, True, 5),
        ("2d_k2_s2_sum", 2, (2, 3, 6, 4), 2, 2, 0, False, True, 1),
        ("2d_rect_k2x3_s1x2_p1x1_excl", 2, (2, 2, 5, 7), (2, 3), (1, 2), (1, 1), False, False, None),
        ("3d_k2_s2", 3, (2, 3, 4, 5, 6), 2, 2, 0, False, True, None),
        ("3d_k3_s2_p1_ceil_incl", 3, (1, 2, 5, 6, 5), 3, 2, 1, True, True, None),
        ("3d_k3_s2_p1_ceil_excl", 3, (1, 2, 5, 6, 5), 3, 2, 1, True, False, None),
        ("3d_k2_s1_sum", 3, (1, 2, 3, 4, 3), 2, 1, 0, False, True, 1),
    ]
    for name, dims, xs, k, s, p, ceil, incl, div in specs:
        x = rand(*xs)
        if dims == 1:
            fn = lambda t, k=k, s=s, p=p, ceil=ceil, incl=incl, div=div: avg_pool1d_override(t, k, s, p, ceil, incl, div)
        elif dims == 2:
            fn = lambda t, k=k, s=s, p=p, ceil=ceil, incl=incl, div=div: F.avg_pool2d(t, k, s, p, ceil, incl, div)
        else:
            fn = lambda t, k=k, s=s, p=p, ceil=ceil, incl=incl, div=div: F.avg_pool3d(t, k, s, p, ceil, incl, div)
        cases.append(case("avg_pool" + name, "avg_pool%dd" % dims, fn, [("input", x)],
                          {"kernel_size": tup(k), "stride": tup(s), "padding": tup(p), "ceil_mode": ceil,
                           "count_include_pad": incl, "divisor_override": div}))
    return cases


# ----------------------------------------------------------------------------------------
# Power-average (Lp) pooling
# ----------------------------------------------------------------------------------------

def lp_pool3d(t, p, k, s, ceil):
    kd, kh, kw = k if isinstance(k, tuple) else (k, k, k)
    out = F.avg_pool3d(t.pow(p), k, s, 0, ceil)
    return (torch.sign(out) * F.relu(torch.abs(out))).mul(kd * kh * kw).pow(1.0 / p)


def lp_pool():
    cases = []
    specs = [
        # name, dims, x shape, norm p, kernel, stride, ceil, positive inputs
        ("1d_p2_k3_s2", 1, (2, 3, 11), 2.0, 3, 2, False, False),
        ("1d_p1_k2_s2_sum", 1, (2, 3, 8), 1.0, 2, None, False, False),
        ("1d_p3_k3_s1", 1, (1, 4, 7), 3.0, 3, 1, False, True),
        ("1d_p2_k4_s3_ceil", 1, (2, 2, 12), 2.0, 4, 3, True, False),
        ("2d_p2_k2_s2", 2, (2, 3, 6, 8), 2.0, 2, None, False, False),
        ("2d_p2_k3_s2_ceil", 2, (2, 3, 7, 5), 2.0, 3, 2, True, False),
        ("2d_p1.5_k2_s1", 2, (1, 2, 5, 4), 1.5, 2, 1, False, True),
        ("2d_p3_rect_k2x3_s1x2", 2, (2, 2, 5, 7), 3.0, (2, 3), (1, 2), False, True),
        ("3d_p2_k2_s2", 3, (2, 2, 4, 5, 4), 2.0, 2, 2, False, False),
        ("3d_p2_k2_s2_ceil", 3, (1, 3, 5, 3, 5), 2.0, 2, 2, True, False),
    ]
    for name, dims, xs, p, k, s, ceil, pos in specs:
        x = positive(*xs) if pos else rand(*xs)
        if dims == 1:
            fn = lambda t, p=p, k=k, s=s, ceil=ceil: F.lp_pool1d(t, p, k, s, ceil)
        elif dims == 2:
            fn = lambda t, p=p, k=k, s=s, ceil=ceil: F.lp_pool2d(t, p, k, s, ceil)
        else:
            fn = lambda t, p=p, k=k, s=s, ceil=ceil: lp_pool3d(t, p, k, s if s is not None else k, ceil)
        cases.append(case("lp_pool" + name, "lp_pool%dd" % dims, fn, [("input", x)],
                          {"norm_type": p, "kernel_size": tup(k), "stride": tup(s), "ceil_mode": ceil}))
    return cases


# ----------------------------------------------------------------------------------------
# Adaptive and global pooling
# ----------------------------------------------------------------------------------------

def adaptive():
    cases = []
    avg = {1: F.adaptive_avg_pool1d, 2: F.adaptive_avg_pool2d, 3: F.adaptive_avg_pool3d}
    mx = {1: F.adaptive_max_pool1d, 2: F.adaptive_max_pool2d, 3: F.adaptive_max_pool3d}
    specs = [
        ("1d_10_to_3", 1, (2, 3, 10), 3),
        ("1d_5_to_7", 1, (1, 2, 5), 7),
        ("2d_7x9_to_3x4", 2, (2, 3, 7, 9), (3, 4)),
        ("2d_6x6_to_3", 2, (2, 2, 6, 6), 3),
        ("2d_5x7_to_1", 2, (2, 3, 5, 7), 1),
        ("2d_3x4_to_5x6", 2, (1, 2, 3, 4), (5, 6)),
        ("3d_5x6x7_to_2x3x4", 3, (1, 2, 5, 6, 7), (2, 3, 4)),
    ]
    for name, dims, xs, out in specs:
        x = rand(*xs)
        cases.append(case("adaptive_avg_pool" + name, "adaptive_avg_pool%dd" % dims,
                          lambda t, fn=avg[dims], out=out: fn(t, out), [("input", x)], {"output_size": tup(out)}))
        xd = distinct(*xs, spacing=0.0125)
        _, indices = mx[dims](xd, out, return_indices=True)
        cases.append(case("adaptive_max_pool" + name, "adaptive_max_pool%dd" % dims,
                          lambda t, fn=mx[dims], out=out: fn(t, out), [("input", xd)],
                          {"output_size": tup(out), "indices": indices.reshape(-1).tolist()}))
    for name, xs in [("2d", (2, 3, 5, 4)), ("1d", (2, 3, 7)), ("3d", (1, 2, 3, 4, 2))]:
        cases.append(case("global_avg_pool_" + name, "global_avg_pool",
                          lambda t: t.flatten(2).mean(2), [("input", rand(*xs))]))
        cases.append(case("global_max_pool_" + name, "global_max_pool",
                          lambda t: t.flatten(2).max(2).values, [("input", distinct(*xs, spacing=0.0125))]))
    return cases


# ----------------------------------------------------------------------------------------
# Max unpooling (indices from max pooling with return_indices) and maxout
# ----------------------------------------------------------------------------------------

def unpool():
    cases = []
    pools = {1: F.max_pool1d, 2: F.max_pool2d, 3: F.max_pool3d}
    unpools = {1: F.max_unpool1d, 2: F.max_unpool2d, 3: F.max_unpool3d}
    specs = [
        # name, dims, pooled input shape, kernel, stride, padding, output_size
        ("1d_k2_s2", 1, (2, 3, 9), 2, 2, 0, None),
        ("1d_k2_s2_size9", 1, (2, 3, 9), 2, 2, 0, [9]),
        ("1d_k3_s2_p1_size10", 1, (1, 2, 10), 3, 2, 1, [10]),
        ("2d_k2_s2", 2, (2, 3, 6, 4), 2, 2, 0, None),
        ("2d_k2_s2_size5x5", 2, (2, 2, 5, 5), 2, 2, 0, [5, 5]),
        ("2d_k3_s2_p1_size7x6", 2, (1, 2, 7, 6), 3, 2, 1, [7, 6]),
        ("2d_k3_s1_overlap", 2, (1, 2, 5, 5), 3, 1, 0, None),
        ("3d_k2_s2", 3, (1, 2, 4, 4, 6), 2, 2, 0, None),
        ("3d_k2_s2_size5x4x7", 3, (2, 1, 5, 4, 7), 2, 2, 0, [5, 4, 7]),
    ]
    for name, dims, xs, k, s, p, size in specs:
        source = distinct(*xs, spacing=0.0125)
        pooled, indices = pools[dims](source, k, s, p, return_indices=True)
        x = rand(*pooled.shape)
        fn = lambda t, fn=unpools[dims], ind=indices, k=k, s=s, p=p, size=size: fn(t, ind, k, s, p, size)
        cases.append(case("max_unpool" + name, "max_unpool%dd" % dims, fn, [("input", x)],
                          {"kernel_size": k, "stride": s, "padding": p, "output_size": size,
                           "indices": indices.reshape(-1).tolist()}))
    return cases


def maxout():
    cases = []
    for name, xs, k in [("2x6x5_k2", (2, 6, 5), 2), ("2x6x5_k3", (2, 6, 5), 3), ("2x6x3x4_k3", (2, 6, 3, 4), 3),
                        ("1x4x2x3x2_k2", (1, 4, 2, 3, 2), 2), ("2x3x4_k1", (2, 3, 4), 1), ("3x8x7x5_k4", (3, 8, 7, 5), 4)]:
        x = distinct(*xs, spacing=0.0125)

        def fn(t, k=k):
            n, c = t.shape[0], t.shape[1]
            return t.reshape(n, c // k, k, *t.shape[2:]).max(2).values

        cases.append(case("maxout_" + name, "maxout", fn, [("input", x)], {"pool_size": k}))
    return cases


def main():
    write("pooling_max.json", max_pool())
    write("pooling_avg.json", avg_pool())
    write("pooling_lp.json", lp_pool())
    write("pooling_adaptive.json", adaptive())
    write("pooling_unpool_maxout.json", unpool() + maxout())


if __name__ == "__main__":
    main()
