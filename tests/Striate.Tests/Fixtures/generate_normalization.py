#!/usr/bin/env python3
"""PyTorch golden fixtures for the detector stage and normalization family: the activations
beyond ReLU/tanh/sigmoid, softmax, local response normalization, batch norm and dropout.

Run from the repository root:

    /usr/bin/python3 tests/Striate.Tests/Fixtures/generate_normalization.py

Precision contract and JSON layout: those of generate_fixtures.py (its helpers are reused):
inputs are 4-decimal values read as float32 on both sides, expected values are PyTorch float64
results with 9 significant digits. Files written: activations2.json, normalization_lrn.json,
normalization_batchnorm.json (train and eval mode through F.batch_norm, and running statistics of
nn.BatchNorm1d/2d/3d after several training steps, in a layout of their own like the sgd cases).
"""

import os
import sys

import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from generate_fixtures import away_from_zero, case, exact, flat, quantize, rand, short, write  # noqa: E402

torch.manual_seed(20240615)


def tails(*values):
    """A 2-row tensor of hand-picked values (saturated tails, near-threshold points)."""
    return quantize(torch.tensor(values, dtype=torch.float64).reshape(2, -1))


def activations():
    cases = []
    wide = tails(-12.0, -6.5, -3.0, -1.25, -0.3, 0.3, 1.25, 3.0, 6.5, 12.0)
    for slope in (0.01, 0.2, -0.5):
        label = ("%g" % slope).replace("-", "m").replace(".", "p")
        cases.append(case("leaky_relu_slope%s_2x3x4" % label, "leaky_relu",
                          lambda t, s=slope: F.leaky_relu(t, s),
                          [("x", away_from_zero(2, 3, 4, low=0.05, high=3.0))], {"negative_slope": slope}))

    for label, shape, slopes in [("2x3x4_per_channel", (2, 3, 4), 3), ("2x3x2x2_shared", (2, 3, 2, 2), 1),
                                 ("3x5_per_channel", (3, 5), 5), ("1x4x3x2x2_per_channel", (1, 4, 3, 2, 2), 4)]:
        cases.append(case("prelu_" + label, "prelu", F.prelu,
                          [("x", away_from_zero(*shape, low=0.05, high=3.0)), ("weight", rand(slopes, low=-0.5, high=0.6))]))

    for alpha in (1.0, 0.5):
        cases.append(case("elu_alpha%g_2x3x4" % alpha, "elu", lambda t, a=alpha: F.elu(t, a),
                          [("x", away_from_zero(2, 3, 4, low=0.05, high=4.0))], {"alpha": alpha}))
    cases.append(case("elu_alpha1_tails", "elu", lambda t: F.elu(t, 1.0), [("x", wide)], {"alpha": 1.0}))
    cases.append(case("selu_2x3x4", "selu", F.selu, [("x", away_from_zero(2, 3, 4, low=0.05, high=4.0))]))
    cases.append(case("selu_tails", "selu", F.selu, [("x", wide)]))

    for approximate in ("none", "tanh"):
        cases.append(case("gelu_%s_2x3x4" % approximate, "gelu", lambda t, a=approximate: F.gelu(t, approximate=a),
                          [("x", rand(2, 3, 4, low=-4.0, high=4.0))], {"approximate": approximate}))
        cases.append(case("gelu_%s_tails" % approximate, "gelu", lambda t, a=approximate: F.gelu(t, approximate=a),
                          [("x", wide)], {"approximate": approximate}))

    cases.append(case("silu_2x3x4", "silu", F.silu, [("x", rand(2, 3, 4, low=-5.0, high=5.0))]))
    cases.append(case("silu_tails", "silu", F.silu, [("x", wide)]))

    for beta, threshold in ((1.0, 20.0), (2.0, 5.0), (0.5, 1.0)):
        label = ("beta%g_thr%g" % (beta, threshold)).replace(".", "p")
        # Values on both sides of the linear threshold βx = threshold (kept away from it).
        x = tails(-30.0, -8.0, -1.5, 0.2, 1.0, 1.7, 2.4, 3.1, 9.0, 25.0)
        cases.append(case("softplus_" + label, "softplus", lambda t, b=beta, th=threshold: F.softplus(t, b, th),
                          [("x", x)], {"beta": beta, "threshold": threshold}))

    cases.append(case("softsign_2x3x4", "softsign", F.softsign, [("x", rand(2, 3, 4, low=-6.0, high=6.0))]))
    cases.append(case("softsign_tails", "softsign", F.softsign, [("x", wide)]))

    for lo, hi in ((-1.0, 1.0), (-2.0, 0.5)):
        label = ("%g_%g" % (lo, hi)).replace("-", "m").replace(".", "p")
        x = away_from_zero(2, 3, 4, low=0.05, high=3.0)
        # keep every value at least 0.05 away from the bounds, where the derivative jumps
        x = torch.where((x - lo).abs() < 0.05, x + 0.1, x)
        x = torch.where((x - hi).abs() < 0.05, x + 0.1, x)
        cases.append(case("hardtanh_%s_2x3x4" % label, "hardtanh", lambda t, a=lo, b=hi: F.hardtanh(t, a, b),
                          [("x", quantize(x))], {"min_val": lo, "max_val": hi}))

    for label, shape, dim in [("2x5_dim1", (2, 5), 1), ("3x4_dim0", (3, 4), 0), ("2x3x4_dim1", (2, 3, 4), 1),
                              ("2x3x4_dimm1", (2, 3, 4), -1), ("2x3x2x3_dim1", (2, 3, 2, 3), 1)]:
        cases.append(case("softmax_" + label, "softmax", lambda t, d=dim: F.softmax(t, d),
                          [("x", rand(*shape, low=-4.0, high=4.0))], {"dim": dim}))
    large = quantize(torch.tensor([[1000.0, 1001.0, 999.0, 998.5], [-1000.0, -1001.0, -999.5, -1002.0],
                                   [1000.0, -1000.0, 0.0, 500.0]]))
    cases.append(case("softmax_large_logits", "softmax", lambda t: F.softmax(t, 1), [("x", large)], {"dim": 1}))
    return cases


def tf_local_response_normalization(x, depth_radius, bias, alpha, beta):
    """tf.nn.local_response_normalization written out over dimension 1 (TensorFlow uses the last of NHWC):
    sqr_sum[c] = sum(x[c - r : c + r + 1] ** 2); output = x / (bias + alpha * sqr_sum) ** beta."""
    channels = x.shape[1]
    squares = x * x
    sums = []
    for c in range(channels):
        lo, hi = max(0, c - depth_radius), min(channels, c + depth_radius + 1)
        sums.append(squares[:, lo:hi].sum(dim=1))
    sqr_sum = torch.stack(sums, dim=1)
    return x / (bias + alpha * sqr_sum) ** beta


def local_response_norm():
    cases = []
    specs = [
        # name, x shape, size, alpha, beta, k
        ("alexnet_2x7x3x3", (2, 7, 3, 3), 5, 1e-4, 0.75, 2.0),
        ("strong_size3_2x5x3x2", (2, 5, 3, 2), 3, 0.5, 0.75, 1.0),
        ("even_size4_2x6x2x3", (2, 6, 2, 3), 4, 0.8, 0.6, 1.5),
        ("size1_1x3x2x2", (1, 3, 2, 2), 1, 1.0, 0.5, 1.0),
        ("window_wider_than_channels_2x4x2x2", (2, 4, 2, 2), 9, 2.0, 1.0, 0.5),
        ("ncl_3x5x6", (3, 5, 6), 3, 0.3, 0.75, 1.0),
        ("ncdhw_1x4x2x3x3", (1, 4, 2, 3, 3), 3, 0.3, 0.75, 1.0),
        ("beta_negative_1x5x2x2", (1, 5, 2, 2), 3, 0.4, -0.5, 1.0),
    ]
    for name, shape, size, alpha, beta, k in specs:
        cases.append(case("lrn_" + name, "local_response_norm",
                          lambda t, n=size, a=alpha, b=beta, kk=k: F.local_response_norm(t, n, a, b, kk),
                          [("input", rand(*shape, low=-2.0, high=2.0))],
                          {"size": size, "alpha": alpha, "beta": beta, "k": k}))
    tf_specs = [
        # name, x shape, depth_radius, bias, alpha, beta
        ("tf_defaults_2x12x2x2", (2, 12, 2, 2), 5, 1.0, 1.0, 0.5),
        ("tf_cifar10_2x7x3x3", (2, 7, 3, 3), 4, 1.0, 0.001 / 9.0, 0.75),
        ("tf_radius1_2x5x3x2", (2, 5, 3, 2), 1, 2.0, 0.25, 0.75),
        ("tf_radius0_1x3x2x2", (1, 3, 2, 2), 0, 1.0, 0.5, 1.0),
    ]
    for name, shape, r, bias, alpha, beta in tf_specs:
        cases.append(case("lrn_" + name, "local_response_normalization",
                          lambda t, r=r, b=bias, a=alpha, be=beta: tf_local_response_normalization(t, r, b, a, be),
                          [("input", rand(*shape, low=-2.0, high=2.0))],
                          {"depth_radius": r, "bias": bias, "alpha": alpha, "beta": beta}))
    return cases


def batch_norm():
    cases = []
    specs = [
        # name, x shape, affine, momentum, eps, offset (added to x: a mean far from 0 tests the two-pass variance)
        ("1d_nc_4x3", (4, 3), True, 0.1, 1e-5, 0.0),
        ("1d_ncl_3x4x5", (3, 4, 5), True, 0.1, 1e-5, 0.0),
        ("2d_2x3x4x5", (2, 3, 4, 5), True, 0.1, 1e-5, 0.0),
        ("2d_batch1_1x3x4x4", (1, 3, 4, 4), True, 0.3, 1e-3, 0.0),
        ("2d_no_affine_3x2x3x3", (3, 2, 3, 3), False, 0.1, 1e-5, 0.0),
        ("2d_mean_100_2x3x3x3", (2, 3, 3, 3), True, 0.1, 1e-5, 100.0),
        ("3d_2x3x2x3x4", (2, 3, 2, 3, 4), True, 0.1, 1e-5, 0.0),
        ("1d_two_values_2x5", (2, 5), True, 0.5, 1e-5, 0.0),
    ]
    for name, shape, affine, momentum, eps, offset in specs:
        channels = shape[1]
        x = quantize(rand(*shape, low=-2.0, high=2.0) + offset)
        running_mean = rand(channels, low=-0.5, high=0.5)
        running_var = rand(channels, low=0.5, high=2.0)
        rm, rv = running_mean.clone(), running_var.clone()
        inputs = [("input", x)]
        if affine:
            inputs += [("weight", rand(channels, low=0.5, high=1.5)), ("bias", rand(channels, low=-0.5, high=0.5))]
        fn = (lambda t, w, b, m=momentum, e=eps: F.batch_norm(t, rm, rv, w, b, training=True, momentum=m, eps=e)) if affine else \
             (lambda t, m=momentum, e=eps: F.batch_norm(t, rm, rv, None, None, training=True, momentum=m, eps=e))
        c = case("batch_norm_train_" + name, "batch_norm", fn, inputs,
                 {"training": True, "momentum": momentum, "eps": eps,
                  "running_mean": short(flat(running_mean)), "running_var": short(flat(running_var))})
        c["params"]["running_mean_after"] = exact(flat(rm))
        c["params"]["running_var_after"] = exact(flat(rv))
        cases.append(c)

    for name, shape, affine in [("2d_2x3x4x5", (2, 3, 4, 5), True), ("1d_nc_5x4", (5, 4), True),
                                ("3d_1x2x2x2x3", (1, 2, 2, 2, 3), False), ("2d_batch1_1x3x2x2", (1, 3, 2, 2), True)]:
        channels = shape[1]
        running_mean = rand(channels, low=-0.5, high=0.5)
        running_var = rand(channels, low=0.5, high=2.0)
        inputs = [("input", rand(*shape, low=-2.0, high=2.0))]
        if affine:
            inputs += [("weight", rand(channels, low=0.5, high=1.5)), ("bias", rand(channels, low=-0.5, high=0.5))]
        fn = (lambda t, w, b, rm=running_mean, rv=running_var: F.batch_norm(t, rm, rv, w, b, training=False)) if affine else \
             (lambda t, rm=running_mean, rv=running_var: F.batch_norm(t, rm, rv, None, None, training=False))
        cases.append(case("batch_norm_eval_" + name, "batch_norm", fn, inputs,
                          {"training": False, "momentum": 0.1, "eps": 1e-5,
                           "running_mean": short(flat(running_mean)), "running_var": short(flat(running_var))}))

    # Layers trained for three steps (running statistics after each), then evaluated on a new batch.
    for name, layer, shape, momentum in [("BatchNorm2d_momentum0p1", "BatchNorm2d", (4, 3, 3, 3), 0.1),
                                         ("BatchNorm1d_cumulative", "BatchNorm1d", (6, 4), None),
                                         ("BatchNorm3d_momentum0p3", "BatchNorm3d", (2, 2, 2, 2, 3), 0.3)]:
        channels = shape[1]
        module = getattr(torch.nn, layer)(channels, momentum=momentum).double()
        weight, bias = rand(channels, low=0.5, high=1.5), rand(channels, low=-0.5, high=0.5)
        with torch.no_grad():
            module.weight.copy_(weight)
            module.bias.copy_(bias)
        module.train()
        batches, after = [], []
        for step in range(3):
            x = rand(*shape, low=-2.0, high=2.0) * (1.0 + step) + 0.5 * step
            x = quantize(x)
            module(x)
            batches.append({"shape": list(shape), "values": short(flat(x))})
            after.append({"running_mean": exact(flat(module.running_mean)), "running_var": exact(flat(module.running_var)),
                          "num_batches_tracked": int(module.num_batches_tracked)})
        module.eval()
        eval_input = rand(*shape, low=-2.0, high=2.0)
        eval_output = module(eval_input)
        cases.append({
            "name": "batch_norm_steps_" + name, "op": "batch_norm_steps",
            "params": {"layer": layer, "num_features": channels, "momentum": momentum, "eps": 1e-5,
                       "weight": short(flat(weight)), "bias": short(flat(bias))},
            "batches": batches, "after_each_step": after,
            "eval_input": {"shape": list(shape), "values": short(flat(eval_input))},
            "eval_output": {"shape": list(shape), "values": exact(flat(eval_output))},
        })
    return cases


def main():
    write("activations2.json", activations())
    write("normalization_lrn.json", local_response_norm())
    write("normalization_batchnorm.json", batch_norm())


if __name__ == "__main__":
    main()
