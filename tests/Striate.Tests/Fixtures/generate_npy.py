#!/usr/bin/env python3
"""Generates the NumPy-written .npy/.npz fixtures that Striate's Npy/Npz readers and writer are
checked against (tests/Striate.Tests/Serialization/NpyTests.cs, NpzTests.cs).

Run from the repository root:

    /usr/bin/python3 tests/Striate.Tests/Fixtures/generate_npy.py

Writes tests/Striate.Tests/Fixtures/npy/*.npy, *.npz and manifest.json. Every array's values are a
fixed formula (no randomness), so running it again writes byte-identical files (the .npz entries
carry zip timestamps, which are pinned below).

manifest.json holds {"numpy_version", "arrays": [{"file", "key", "descr", "fortran_order",
"version", "shape", "values"}]}: "values" are the array converted to float32 the way Striate
converts it (float32(value); bool -> 0/1), flattened in C order, written as the exact float64 of
each float32 (repr), or for NaN and infinities as the float32's bits in hex ("0x7fc00000": numpy's NaN
is positive, .NET's float.NaN negative), so the C# test compares bit for bit. "key" is null for .npy files and the
array name inside an .npz.

f4_c.npy is also the byte-level reference for Striate's writer: Npy.Write of the same float32
(2, 3) array must produce exactly these bytes (numpy.save output).
"""

import json
import os
import zipfile

import numpy as np

OUT_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "npy")


def f4_values(n, scale=0.25, offset=-1.0):
    """n float32 values i*scale + offset: exact in float32, so every side agrees."""
    return (np.arange(n, dtype=np.float64) * scale + offset).astype(np.float32)


def arrays():
    """(file name, array, save options) of every .npy fixture."""
    a23 = f4_values(6).reshape(2, 3)
    cases = [
        ("f4_c.npy", a23, {}),
        ("f4_scalar.npy", np.array(3.5, dtype=np.float32), {}),
        ("f4_1d.npy", f4_values(5, 1.5, 2.0), {}),
        ("f4_empty.npy", np.zeros((0, 4), dtype=np.float32), {}),
        ("f4_special.npy", np.array([np.nan, np.inf, -np.inf, -0.0, 1e-45, 3.4028235e38], dtype=np.float32), {}),
        ("f4_be.npy", f4_values(6).reshape(3, 2).astype(">f4"), {}),
        # 1/3, 2/3, ... are not float32 numbers: the test checks float64 -> float32 rounds to nearest.
        ("f8.npy", (np.arange(1, 7, dtype=np.float64) / 3.0 - 1.0).reshape(2, 3), {}),
        ("f8_be.npy", (np.arange(1, 5, dtype=np.float64) / 7.0).astype(">f8"), {}),
        ("f2.npy", np.array([0.5, -1.25, 65504.0, 6.1035156e-05, 1.0009766, -0.0], dtype=np.float16).reshape(2, 3), {}),
        ("f2_be.npy", np.array([1.5, -2.0, 0.33325195], dtype=">f2"), {}),
        ("i4.npy", np.array([[-2147483648, -1, 0], [1, 16777217, 2147483647]], dtype=np.int32), {}),
        ("i4_be.npy", np.array([-7, 0, 7, 1000000], dtype=">i4"), {}),
        # 2**40 + 1 and 2**62 + 2**38 + 1 round in float32 (ties and non-ties).
        ("i8.npy", np.array([0, -5, 1 << 40, (1 << 40) + 1, (1 << 62) + (1 << 38) + 1, -(1 << 63)], dtype=np.int64).reshape(3, 2), {}),
        ("i8_be.npy", np.array([3, -3, 1 << 33], dtype=">i8"), {}),
        ("u1.npy", np.array([[0, 1, 127], [128, 200, 255]], dtype=np.uint8), {}),
        ("b1.npy", np.array([True, False, True, True, False], dtype=np.bool_), {}),
        # Column-major storage of a (2, 3, 4) array: Striate must transpose back to C order.
        ("f4_fortran.npy", np.asfortranarray(f4_values(24, 0.5, -3.0).reshape(2, 3, 4)), {}),
        ("f8_fortran.npy", np.asfortranarray((np.arange(12, dtype=np.float64) / 3.0).reshape(4, 3)), {}),
        # docs/interop.md's example: stored as 0, 3, 1, 4, 2, 5; read back as 0 … 5.
        ("doc_fortran.npy", np.asfortranarray(np.arange(6, dtype=np.float64).reshape(2, 3)), {}),
        ("f4_v2.npy", f4_values(6).reshape(3, 2), {"version": (2, 0)}),
        ("f4_v3.npy", f4_values(4).reshape(2, 2), {"version": (3, 0)}),
    ]
    return cases


def to_striate_values(a):
    """The float32 values Striate must produce, C order, as exact float64s."""
    f32 = np.ascontiguousarray(a).astype(np.float32).reshape(-1)
    return [float(v) if np.isfinite(v) else "0x%08x" % int(v.view(np.uint32)) for v in f32]


def save_npy(path, a, options):
    version = options.get("version")
    with open(path, "wb") as f:
        if version is None:
            np.save(f, a)
        else:
            np.lib.format.write_array(f, a, version=version)


def pin_zip_times(path):
    """Rewrites an .npz with fixed entry timestamps so regenerating gives identical bytes."""
    with zipfile.ZipFile(path) as z:
        entries = [(info, z.read(info.filename)) for info in z.infolist()]
    with zipfile.ZipFile(path, "w") as z:
        for info, data in entries:
            info.date_time = (2000, 1, 1, 0, 0, 0)
            z.writestr(info, data, compress_type=info.compress_type)


def main():
    os.makedirs(OUT_DIR, exist_ok=True)
    manifest = []
    for name, a, options in arrays():
        save_npy(os.path.join(OUT_DIR, name), a, options)
        with open(os.path.join(OUT_DIR, name), "rb") as f:
            version = "%d.%d" % tuple(f.read(8)[6:8])
        manifest.append({"file": name, "key": None, "descr": a.dtype.descr[0][1], "fortran_order": bool(a.flags.f_contiguous and a.ndim > 1),
                         "version": version, "shape": list(a.shape), "values": to_striate_values(a)})

    npz_arrays = {"weight": f4_values(6, 0.5, -1.0).reshape(2, 3),
                  "bias": (np.arange(4, dtype=np.float64) / 3.0),
                  "labels": np.array([3, 1, 4, 1, 5], dtype=np.int64)}
    for name, save in [("stored.npz", np.savez), ("compressed.npz", np.savez_compressed)]:
        path = os.path.join(OUT_DIR, name)
        save(path, **npz_arrays)
        pin_zip_times(path)
        for key, a in npz_arrays.items():
            manifest.append({"file": name, "key": key, "descr": a.dtype.descr[0][1], "fortran_order": False,
                             "version": "1.0", "shape": list(a.shape), "values": to_striate_values(a)})
    # Positional arrays get numpy's default names arr_0, arr_1.
    path = os.path.join(OUT_DIR, "positional.npz")
    np.savez(path, f4_values(3), f4_values(2, 2.0, 1.0).reshape(1, 2))
    pin_zip_times(path)
    for key, a in [("arr_0", f4_values(3)), ("arr_1", f4_values(2, 2.0, 1.0).reshape(1, 2))]:
        manifest.append({"file": "positional.npz", "key": key, "descr": "<f4", "fortran_order": False,
                         "version": "1.0", "shape": list(a.shape), "values": to_striate_values(a)})

    with open(os.path.join(OUT_DIR, "manifest.json"), "w") as f:
        json.dump({"numpy_version": np.__version__, "arrays": manifest}, f, indent=1)
        f.write("\n")


if __name__ == "__main__":
    main()
