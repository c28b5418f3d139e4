#!/usr/bin/env python3
"""Generates the PyTorch golden fixtures that Striate's op tests compare against.

Run from the repository root:

    /usr/bin/python3 tests/Striate.Tests/Fixtures/generate_fixtures.py

Precision contract (the C# loader relies on it):
  * Inputs and upstream gradients are random values rounded to 4 decimal places, written as
    short decimals. Both sides turn the decimal into a double and then into a float32, so
    Striate and PyTorch start from bit-identical float32 inputs.
  * Expected outputs and gradients are computed by PyTorch in float64 from those float32
    inputs and written with 9 significant digits (relative rounding ≤ 5e-9, an order below
    float32's unit roundoff 6e-8), so the C# tolerance measures Striate's float32 error only.

Each file holds {"torch_version", "precision", "cases": [...]}; a case is
  {"name", "op", "params": {...}, "inputs": [{"name", "shape", "values", "grad"}],
   "upstream": {"shape", "values"}, "output": {"shape", "values"}}
where "grad" is dL/d(input) after output.backward(upstream). Integer arguments that carry no
gradient (class targets) live in "params".
"""

import json
import os

import torch
import torch.nn.functional as F

OUT_DIR = os.path.dirname(os.path.abspath(__file__))
SIG_DIGITS = 9  # relative rounding ≤ 5e-9, an order below float32's unit roundoff 6e-8

torch.manual_seed(20240601)


# ----------------------------------------------------------------------------------------
# Value helpers
# ----------------------------------------------------------------------------------------

def quantize(t):
    """Rounds to 4 decimals and then to float32 (the value both sides start from), as float64."""
    return torch.round(t.double() * 10000.0).div(10000.0).float().double()


def rand(*shape, low=-2.0, high=2.0):
    return quantize(torch.rand(tuple(shape), dtype=torch.float64) * (high - low) + low)


def distinct(*shape, spacing=0.0125):
    """Values without ties (a shuffled arithmetic progression), for max and max-pool."""
    n = 1
    for s in shape:
        n *= s
    perm = torch.randperm(n).double()
    return quantize((perm - n / 2.0) * spacing).reshape(*shape)


def away_from_zero(*shape, low=0.1, high=2.0):
    """|x| in [low, high) with random sign: keeps ReLU's kink and division's pole away."""
    mag = torch.rand(tuple(shape), dtype=torch.float64) * (high - low) + low
    sign = torch.where(torch.rand(tuple(shape)) < 0.5, -1.0, 1.0).double()
    return quantize(mag * sign)


def short(values):
    """Inputs: exactly the 4-decimal values (shortest repr of the double)."""
    return [round(float(v), 4) for v in values]


def exact(values):
    """Expected results: float64 rounded to SIG_DIGITS significant digits."""
    return [float("%.*g" % (SIG_DIGITS, float(v))) for v in values]


def flat(t):
    return t.detach().reshape(-1).tolist()


# ----------------------------------------------------------------------------------------
# Case builder
# ----------------------------------------------------------------------------------------

def case(name, op, fn, inputs, params=None, differentiable=None):
    """inputs: list of (name, float64 tensor); fn(*tensors) -> output tensor."""
    leaves = []
    for i, (_, t) in enumerate(inputs):
        leaf = t.detach().clone()
        if differentiable is None or differentiable[i]:
            leaf.requires_grad_(True)
        leaves.append(leaf)
    out = fn(*leaves)
    upstream = rand(*tuple(out.shape), low=-1.0, high=1.0)
    out.backward(upstream)
    entries = []
    for (input_name, t), leaf in zip(inputs, leaves):
        entries.append({
            "name": input_name,
            "shape": list(t.shape),
            "values": short(flat(t)),
            "grad": exact(flat(leaf.grad)) if leaf.grad is not None else None,
        })
    return {
        "name": name,
        "op": op,
        "params": params or {},
        "inputs": entries,
        "upstream": {"shape": list(upstream.shape), "values": short(flat(upstream))},
        "output": {"shape": list(out.shape), "values": exact(flat(out))},
    }


def write(file_name, cases):
    names = [c["name"] for c in cases]
    assert len(names) == len(set(names)), "duplicate case names in " + file_name
    header = {
        "torch_version": torch.__version__,
        "precision": "inputs: 4-decimal values read as float32; expected: float64 PyTorch, 9 significant digits",
    }
    path = os.path.join(OUT_DIR, file_name)
    with open(path, "w", encoding="utf-8", newline="\n") as f:
        f.write("{\n")
        for key, value in header.items():
            f.write(json.dumps(key) + ": " + json.dumps(value) + ",\n")
        f.write('"cases": [\n')
        f.write(",\n".join(json.dumps(c, separators=(",", ":")) for c in cases))
        f.write("\n]}\n")
    print("%-22s %3d cases %8d bytes" % (file_name, len(cases), os.path.getsize(path)))


# ----------------------------------------------------------------------------------------
# Op families
# ----------------------------------------------------------------------------------------

def elementwise():
    ops = {"add": torch.add, "sub": torch.sub, "mul": torch.mul, "div": torch.div}
    shape_pairs = [
        ("same_2x3", (2, 3), (2, 3)),
        ("2x3x4_3x1", (2, 3, 4), (3, 1)),
        ("4_2x3x4", (4,), (2, 3, 4)),
        ("2x1x4_3x1", (2, 1, 4), (3, 1)),
        ("2x3x4_scalar", (2, 3, 4), ()),
        ("scalar_2x3", (), (2, 3)),
        ("1x3_2x1", (1, 3), (2, 1)),
    ]
    cases = []
    for op, fn in ops.items():
        for label, xs, ys in shape_pairs:
            x = rand(*xs)
            y = away_from_zero(*ys, low=0.5, high=2.0) if op == "div" else rand(*ys)
            cases.append(case(op + "_" + label, op, fn, [("x", x), ("y", y)]))
    return cases


def reductions():
    cases = []
    x3 = (2, 3, 4)
    for op in ("sum", "mean", "max"):
        for dim in (None, 0, 1, 2, -1):
            for keepdim in (False, True):
                if dim is None and keepdim:
                    continue  # Striate's all-element reductions return a scalar only
                x = distinct(*x3) if op == "max" else rand(*x3)
                if dim is None:
                    fn = {"sum": torch.sum, "mean": torch.mean, "max": torch.max}[op]
                else:
                    def fn(t, op=op, dim=dim, keepdim=keepdim):
                        if op == "max":
                            return torch.max(t, dim, keepdim=keepdim).values
                        return getattr(torch, op)(t, dim, keepdim=keepdim)
                label = "all" if dim is None else "dim%d%s" % (dim, "_keep" if keepdim else "")
                cases.append(case("%s_%s" % (op, label.replace("-", "m")), op, fn, [("x", x)],
                                  {"dim": dim, "keepdim": keepdim}))
    # a 2-D reduction along the batch dimension and a 1-D vector
    cases.append(case("sum_dim0_5x7", "sum", lambda t: torch.sum(t, 0), [("x", rand(5, 7))], {"dim": 0, "keepdim": False}))
    cases.append(case("max_dim0_vector", "max", lambda t: torch.max(t, 0).values, [("x", distinct(9))], {"dim": 0, "keepdim": False}))
    return cases


def matmul_linear():
    cases = []
    for m, k, n in [(3, 5, 4), (1, 7, 1), (4, 1, 3), (2, 3, 2), (17, 9, 20)]:
        cases.append(case("matmul_%dx%d_%dx%d" % (m, k, k, n), "matmul", torch.matmul,
                          [("a", rand(m, k)), ("b", rand(k, n))]))
    for n, fin, fout in [(2, 5, 3), (4, 20, 17), (3, 1, 2)]:
        bound = 1.0 / fin ** 0.5
        x, w, b = rand(n, fin), rand(fout, fin, low=-bound, high=bound), rand(fout, low=-bound, high=bound)
        cases.append(case("linear_%dx%d_to_%d_bias" % (n, fin, fout), "linear", F.linear,
                          [("input", x), ("weight", w), ("bias", b)]))
        cases.append(case("linear_%dx%d_to_%d_nobias" % (n, fin, fout), "linear", F.linear,
                          [("input", x), ("weight", w)]))
    return cases


def activations():
    cases = []
    for op, fn in (("relu", torch.relu), ("tanh", torch.tanh), ("sigmoid", torch.sigmoid)):
        cases.append(case(op + "_2x3x4", op, fn, [("x", away_from_zero(2, 3, 4, low=0.05, high=3.0))]))
        # saturated tails: the derivative is tiny but must not turn into NaN or a wrong sign
        tails = quantize(torch.tensor([[-20.0, -8.5, -0.25, 0.25, 8.5, 20.0], [-3.0, -1.0, 0.5, 1.5, 4.0, 12.0]]))
        cases.append(case(op + "_tails", op, fn, [("x", tails)]))
    return cases


def softmax_losses():
    cases = []
    for label, shape, dim in [("2x5_dim1", (2, 5), 1), ("3x4_dim0", (3, 4), 0),
                              ("2x3x4_dim1", (2, 3, 4), 1), ("2x3x4_dimm1", (2, 3, 4), -1)]:
        cases.append(case("log_softmax_" + label, "log_softmax", lambda t, dim=dim: F.log_softmax(t, dim),
                          [("x", rand(*shape, low=-4.0, high=4.0))], {"dim": dim}))
    large = quantize(torch.tensor([[1000.0, 1001.0, 999.0, 998.5], [-1000.0, -1001.0, -999.5, -1002.0],
                                   [1000.0, -1000.0, 0.0, 500.0]]))
    cases.append(case("log_softmax_large_logits", "log_softmax", lambda t: F.log_softmax(t, 1),
                      [("x", large)], {"dim": 1}))

    for label, (n, c) in [("4x5", (4, 5)), ("2x10", (2, 10)), ("3x3", (3, 3))]:
        targets = torch.randint(0, c, (n,))
        cases.append(case("cross_entropy_" + label, "cross_entropy", lambda t, tg=targets: F.cross_entropy(t, tg),
                          [("logits", rand(n, c, low=-3.0, high=3.0))], {"targets": targets.tolist()}))
    large_targets = torch.tensor([1, 2, 3])
    cases.append(case("cross_entropy_large_logits", "cross_entropy",
                      lambda t: F.cross_entropy(t, large_targets), [("logits", large)],
                      {"targets": large_targets.tolist()}))

    for label, (n, c) in [("3x4", (3, 4)), ("5x2", (5, 2))]:
        targets = torch.randint(0, c, (n,))
        log_probs = quantize(F.log_softmax(rand(n, c, low=-3.0, high=3.0), 1))
        cases.append(case("nll_loss_" + label, "nll_loss", lambda t, tg=targets: F.nll_loss(t, tg),
                          [("log_probs", log_probs)], {"targets": targets.tolist()}))
    return cases


def reshape():
    cases = []
    for start in (0, 1, 2):
        cases.append(case("flatten_2x3x2x2_start%d" % start, "flatten",
                          lambda t, s=start: torch.flatten(t, s), [("x", rand(2, 3, 2, 2))], {"start_dim": start}))
    return cases


def conv2d():
    cases = []
    specs = [
        # name, x shape, w shape, stride, padding, bias
        ("c3k4_s1_p0_bias", (2, 3, 7, 6), (4, 3, 3, 3), 1, 0, True),
        ("c3k4_s1_p1_bias", (2, 3, 7, 6), (4, 3, 3, 3), 1, 1, True),
        ("c3k4_s2_p1_bias", (2, 3, 7, 6), (4, 3, 3, 3), 2, 1, True),
        ("c3k4_s2_p0_nobias", (2, 3, 8, 5), (4, 3, 3, 3), 2, 0, False),
        ("c3k4_s1_p2_nobias", (2, 3, 5, 8), (4, 3, 3, 3), 1, 2, False),
        ("c3k4_s2_p2_bias", (2, 3, 9, 7), (4, 3, 3, 3), 2, 2, True),
        ("c3k4_kernel3x2_s1_p1_bias", (2, 3, 6, 5), (4, 3, 3, 2), 1, 1, True),
        ("c3k4_1x1_s1_p0_bias", (2, 3, 4, 5), (4, 3, 1, 1), 1, 0, True),
        ("c3k4_1x1_s2_p0_nobias", (2, 3, 5, 5), (4, 3, 1, 1), 2, 0, False),
        ("c3k4_kernel_equals_input", (2, 3, 3, 3), (4, 3, 3, 3), 1, 0, True),
        ("lenet_c1_1to6_5x5_p2_28x28", (2, 1, 28, 28), (6, 1, 5, 5), 1, 2, True),
    ]
    for name, xs, ws, stride, padding, bias in specs:
        fan_in = ws[1] * ws[2] * ws[3]
        bound = 1.0 / fan_in ** 0.5
        inputs = [("input", rand(*xs, low=-1.0, high=1.0)), ("weight", rand(*ws, low=-bound, high=bound))]
        if bias:
            inputs.append(("bias", rand(ws[0], low=-bound, high=bound)))
        fn = (lambda x, w, b, s=stride, p=padding: F.conv2d(x, w, b, stride=s, padding=p)) if bias else \
             (lambda x, w, s=stride, p=padding: F.conv2d(x, w, None, stride=s, padding=p))
        cases.append(case("conv2d_" + name, "conv2d", fn, inputs,
                          {"stride": stride, "padding": padding}))
    return cases


def max_pool2d():
    cases = []
    specs = [
        # name, x shape, kernel, stride (None = kernel), padding
        ("k2_s2_2x3x8x6", (2, 3, 8, 6), 2, None, 0),
        ("k2_s2_odd_2x3x7x5", (2, 3, 7, 5), 2, 2, 0),
        ("k3_s2_p1_2x3x9x9", (2, 3, 9, 9), 3, 2, 1),
        ("k3_s2_p1_odd_2x2x7x6", (2, 2, 7, 6), 3, 2, 1),
        ("k2_s1_overlap_2x3x5x4", (2, 3, 5, 4), 2, 1, 0),
        ("k3_s1_p1_overlap_2x2x5x5", (2, 2, 5, 5), 3, 1, 1),
        ("k2_s2_2x6x12x12", (2, 6, 12, 12), 2, 2, 0),
    ]
    for name, xs, k, s, p in specs:
        # Negative values matter: with padding, a window's max must ignore the padded cells.
        x = distinct(*xs, spacing=0.0125 if xs[0] * xs[1] * xs[2] * xs[3] < 1000 else 0.005)
        cases.append(case("max_pool2d_" + name, "max_pool2d",
                          lambda t, k=k, s=s, p=p: F.max_pool2d(t, k, stride=s, padding=p),
                          [("input", x)], {"kernel_size": k, "stride": s, "padding": p}))
    return cases


def sgd():
    """SGD steps from torch.optim.SGD: params after each step for a fixed sequence of gradients."""
    cases = []
    for name, lr, momentum, wd, nesterov in [("plain", 0.1, 0.0, 0.0, False),
                                             ("momentum", 0.1, 0.9, 0.0, False),
                                             ("momentum_weight_decay", 0.05, 0.9, 0.01, False),
                                             ("nesterov", 0.1, 0.9, 0.0, True),
                                             ("nesterov_weight_decay", 0.05, 0.5, 0.1, True)]:
        p0 = rand(2, 3)
        grads = [rand(2, 3) for _ in range(3)]
        p = p0.clone().requires_grad_(True)
        opt = torch.optim.SGD([p], lr=lr, momentum=momentum, weight_decay=wd, nesterov=nesterov)
        after = []
        for g in grads:
            opt.zero_grad()
            p.grad = g.clone()
            opt.step()
            after.append(exact(flat(p)))
        cases.append({
            "name": "sgd_" + name, "op": "sgd",
            "params": {"lr": lr, "momentum": momentum, "weight_decay": wd, "nesterov": nesterov},
            "shape": [2, 3], "initial": short(flat(p0)),
            "grads": [short(flat(g)) for g in grads], "after_each_step": after,
        })
    return cases


def main():
    write("elementwise.json", elementwise())
    write("reductions.json", reductions())
    write("matmul_linear.json", matmul_linear())
    write("activations.json", activations())
    write("softmax_losses.json", softmax_losses())
    write("reshape.json", reshape())
    write("conv2d.json", conv2d())
    write("max_pool2d.json", max_pool2d())
    write("sgd.json", sgd())


if __name__ == "__main__":
    main()
