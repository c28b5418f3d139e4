#!/usr/bin/env python3
"""Generates the PyTorch golden fixtures for Striate's standalone erf (torch.erf, ONNX's Erf).

Run from the repository root:

    /usr/bin/python3 tests/Striate.Tests/Fixtures/generate_erf.py

It follows generate_fixtures.py's precision contract and JSON format (and uses its helpers):
inputs are 4-decimal values read as float32 by both sides, expected values are PyTorch float64
results with 9 significant digits. Writes erf.json: random values over [-2, 2] and [-6, 6], tiny
arguments (where 1 - erfc would lose relative accuracy), the series/erfc switch at |x| = 0.5, and
saturated tails.
"""

import torch

import generate_fixtures as gf

torch.manual_seed(20240612)


def main():
    special = torch.tensor([0.0, 0.0001, -0.0001, 0.0003, -0.0012, 0.01, -0.05, 0.4999, 0.5, -0.5, 0.5001,
                            1.0, -1.0, 2.5, -2.5, 3.9, -4.2, 6.0, -9.0, 12.0], dtype=torch.float64).reshape(4, 5)
    cases = [
        gf.case("erf_uniform", "erf", torch.erf, [("input", gf.rand(3, 4, 5))]),
        gf.case("erf_wide", "erf", torch.erf, [("input", gf.rand(2, 3, 7, low=-6.0, high=6.0))]),
        gf.case("erf_tiny_switch_tails", "erf", torch.erf, [("input", gf.quantize(special))]),
    ]
    gf.write("erf.json", cases)


if __name__ == "__main__":
    main()
