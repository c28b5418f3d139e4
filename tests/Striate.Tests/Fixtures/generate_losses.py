#!/usr/bin/env python3
"""PyTorch golden values for Striate's losses (losses.json), in generate_fixtures.py's format
and precision contract (4-decimal float32 inputs, float64 expected values).

Run from the repository root:  /usr/bin/python3 tests/Striate.Tests/Fixtures/generate_losses.py
"""
import os
import sys

import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from generate_fixtures import case, quantize, rand, write  # noqa: E402

torch.manual_seed(20241122)


def targets(n, classes):
    return torch.randint(0, classes, (n,))


def main():
    cases = []
    for red in ["mean", "sum", "none"]:
        x, y = rand(3, 5), rand(3, 5)
        cases.append(case(f"mse_{red}", "mse", lambda a, b, r=red: F.mse_loss(a, b, reduction=r), [("input", x), ("target", y)], {"reduction": red}))
        cases.append(case(f"l1_{red}", "l1", lambda a, b, r=red: F.l1_loss(a, b, reduction=r), [("input", x), ("target", y)], {"reduction": red}))
        for beta in [1.0, 0.5]:
            cases.append(case(f"smooth_l1_beta{beta}_{red}", "smooth_l1", lambda a, b, r=red, be=beta: F.smooth_l1_loss(a, b, beta=be, reduction=r),
                              [("input", x), ("target", y)], {"reduction": red, "beta": beta}))
        logits = rand(4, 3, low=-30.0, high=30.0)
        probs = rand(4, 3, low=0.0, high=1.0)
        cases.append(case(f"bce_logits_{red}", "bce_with_logits", lambda a, b, r=red: F.binary_cross_entropy_with_logits(a, b, reduction=r),
                          [("input", logits), ("target", probs)], {"reduction": red}))
        pw = rand(3, low=0.5, high=3.0)
        cases.append(case(f"bce_logits_posweight_{red}", "bce_with_logits", lambda a, b, p, r=red: F.binary_cross_entropy_with_logits(a, b, pos_weight=p, reduction=r),
                          [("input", logits), ("target", probs), ("pos_weight", pw)], {"reduction": red}, differentiable=[True, True, False]))
        t = targets(5, 4)
        z = rand(5, 4, low=-5.0, high=5.0)
        w = rand(4, low=0.2, high=2.0)
        for smoothing in [0.0, 0.1]:
            cases.append(case(f"ce_weighted_ls{smoothing}_{red}", "cross_entropy_ext",
                              lambda a, ww, r=red, s=smoothing, tt=t: F.cross_entropy(a, tt, weight=ww, label_smoothing=s, reduction=r),
                              [("logits", z), ("weight", w)], {"reduction": red, "label_smoothing": smoothing, "targets": t.tolist()}, differentiable=[True, False]))
            cases.append(case(f"ce_unweighted_ls{smoothing}_{red}", "cross_entropy_ext",
                              lambda a, r=red, s=smoothing, tt=t: F.cross_entropy(a, tt, label_smoothing=s, reduction=r),
                              [("logits", z)], {"reduction": red, "label_smoothing": smoothing, "targets": t.tolist()}))
        lp = quantize(torch.log_softmax(rand(5, 4), dim=1))
        cases.append(case(f"nll_weighted_{red}", "nll_loss_ext", lambda a, ww, r=red, tt=t: F.nll_loss(a, tt, weight=ww, reduction=r),
                          [("log_probs", lp), ("weight", w)], {"reduction": red, "targets": t.tolist()}, differentiable=[True, False]))
    write("losses.json", cases)


if __name__ == "__main__":
    main()
