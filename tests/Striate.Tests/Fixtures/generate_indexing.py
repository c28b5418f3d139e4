#!/usr/bin/env python3
"""Generates the PyTorch golden fixtures for Striate's indexing ops: torch.permute, slicing along one
dimension (x[..., start:end:step, ...], out-of-range and negative bounds) and torch.index_select
(repeated and unordered indices, whose gradients add up).

Run from the repository root:

    /usr/bin/python3 tests/Striate.Tests/Fixtures/generate_indexing.py

It follows generate_fixtures.py's precision contract and JSON format (and uses its helpers):
inputs are 4-decimal values read as float32 by both sides, expected values are PyTorch float64
results with 9 significant digits. Writes indexing.json.

Parameters: permute {"dims"}; slice {"dim", "start", "end", "step"} (end null: to the end, written
as int.MaxValue on the C# side); index_select {"dim", "indices"}. PyTorch has no negative slice
steps, so those are checked in the C# tests against x.flip instead.
"""

import torch

import generate_fixtures as gf

torch.manual_seed(20240611)


def permute():
    cases = []
    specs = [
        ("nchw_to_nhwc", (2, 3, 4, 5), [0, 2, 3, 1]),
        ("transpose_2d", (3, 7), [1, 0]),
        ("reverse_3d", (2, 3, 4), [2, 1, 0]),
        ("negative_dims", (2, 3, 4), [-1, 0, -2]),
        ("channel_shuffle_5d", (1, 2, 3, 2, 2), [0, 2, 1, 3, 4]),
        ("identity", (2, 5), [0, 1]),
    ]
    for name, shape, dims in specs:
        x = gf.rand(*shape)
        cases.append(gf.case("permute_" + name, "permute", lambda t, dims=dims: t.permute(*dims), [("input", x)], {"dims": dims}))
    return cases


def slices():
    cases = []
    # (name, shape, dim, start, end or None, step)
    specs = [
        ("inner_rows", (2, 3, 6, 5), 2, 1, -1, 1),
        ("every_second_column", (2, 3, 4, 7), 3, 0, None, 2),
        ("step3_from1", (1, 2, 9, 3), 2, 1, None, 3),
        ("channels", (2, 5, 3, 3), 1, 1, 4, 1),
        ("batch_odd", (3, 2, 4), 0, 1, 3, 1),
        ("negative_start", (2, 7), 1, -3, None, 1),
        ("end_past_size", (2, 5), 1, 2, 100, 2),
        ("start_before_zero", (4, 3), 0, -10, 2, 1),
        ("empty", (2, 4), 1, 3, 1, 1),
        ("last_dim_negative", (2, 3, 8), -1, 2, 7, 2),
    ]
    for name, shape, dim, start, end, step in specs:
        x = gf.rand(*shape)

        def fn(t, dim=dim, start=start, end=end, step=step):
            index = [slice(None)] * t.dim()
            index[dim] = slice(start, end, step)
            return t[tuple(index)]

        cases.append(gf.case("slice_" + name, "slice", fn, [("input", x)],
                             {"dim": dim, "start": start, "end": end, "step": step}))
    return cases


def index_select():
    cases = []
    specs = [
        ("channels", (2, 5, 3, 3), 1, [4, 0, 2]),
        ("repeated", (2, 4, 3), 1, [1, 1, 3, 1, 0]),
        ("batch", (5, 2, 3), 0, [4, 0, 4]),
        ("last_dim", (2, 3, 7), 2, [6, 5, 0, 6]),
        ("negative_dim", (3, 4), -1, [2, 2]),
        ("empty_selection", (2, 3), 1, []),
    ]
    for name, shape, dim, indices in specs:
        x = gf.rand(*shape)

        def fn(t, dim=dim, indices=indices):
            return torch.index_select(t, dim, torch.tensor(indices, dtype=torch.long))

        cases.append(gf.case("index_select_" + name, "index_select", fn, [("input", x)], {"dim": dim, "indices": indices}))
    return cases


def main():
    gf.write("indexing.json", permute() + slices() + index_select())


if __name__ == "__main__":
    main()
