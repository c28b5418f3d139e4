#!/usr/bin/env python3
"""Generates the PyTorch checkpoints (torch.save files) that Striate's TorchCheckpoint loader and
restricted unpickler are tested against (tests/Striate.Tests/Serialization/TorchCheckpointTests.cs,
PickleTests.cs).

Run from the repository root:

    /usr/bin/python3 tests/Striate.Tests/Fixtures/generate_torch_checkpoints.py

Writes tests/Striate.Tests/Fixtures/torch/:
  lenet5.pt            state_dict of the anchor's LeNet-5 (../shared/anchors/torch_lenet_fmnist.py:
                       c1/c2/f1/f2/f3) with torch.manual_seed(0) weights
  lenet5_expected.json a fixed input (2, 1, 28, 28) and PyTorch's logits for it, with the precision
                       contract of generate_fixtures.py: inputs are 4-decimal values (both sides start
                       from the same float32), logits are computed in float64 from the float32
                       weights and written with 9 significant digits
  views.pt             tensors sharing one storage: a transposed (non-contiguous) view, two slices
                       at storage offsets 2 and 5 that overlap, an expanded (stride 0) view, and an
                       unrelated contiguous tensor; views.json holds their values in C order
  dtypes.pt            float64, float16, int64 (incl. a scalar like num_batches_tracked), int32,
                       uint8 and bool tensors, and an nn.Parameter (torch._utils._rebuild_parameter)
  dtypes_proto4.pt     the same, pickled with protocol 4 (FRAME, SHORT_BINUNICODE, MEMOIZE, STACK_GLOBAL)
  dtypes.json          the values of dtypes.pt converted to float32 (bool -> 0/1), C order
  training_checkpoint.pt  {"model": a Linear(3, 2) state dict, "epoch": 3, "lr": 0.125, "milestones": [10, 20],
                       "best": None}; training_checkpoint.json holds the state dict's values
  legacy.pt            views' contents in the pre-1.6 non-zip format (_use_new_zipfile_serialization=False);
                       the only file that differs on regeneration: the legacy format keys storages by address
  whole_model.pt       torch.save(model): a pickled nn.Module, which references __main__.LeNet5
  malicious_os_system.pt   a torch zip whose data.pkl calls os.system("touch <marker>") on unpickling
  malicious_posix.pt   torch.save of an object whose __reduce__ is os.system (pickled as posix.system)
  malicious_eval.pt    a pickle calling builtins.eval
  malicious_load_from_bytes.pt  torch.storage._load_from_bytes (a legitimate torch global that itself
                       unpickles arbitrary bytes: not allowed)

The malicious files would create MALICIOUS_MARKER if they were ever executed; the C# tests check it
does not exist after loading is refused. Seeds are fixed; the zip records carry no timestamps
(torch writes none), so regenerating writes byte-identical files.
"""

import collections
import io
import json
import os
import pickle
import zipfile

import torch
import torch.nn as nn
import torch.nn.functional as F

OUT_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "torch")
SIG_DIGITS = 9
MALICIOUS_MARKER = "/tmp/striate-pickle-was-executed.marker"


class LeNet5(nn.Module):
    """Exactly the anchor's model (../shared/anchors/torch_lenet_fmnist.py)."""

    def __init__(self):
        super().__init__()
        self.c1 = nn.Conv2d(1, 6, 5, padding=2); self.c2 = nn.Conv2d(6, 16, 5)
        self.f1 = nn.Linear(16 * 5 * 5, 120); self.f2 = nn.Linear(120, 84); self.f3 = nn.Linear(84, 10)

    def forward(self, x):
        x = F.max_pool2d(F.relu(self.c1(x)), 2); x = F.max_pool2d(F.relu(self.c2(x)), 2)
        x = x.flatten(1); x = F.relu(self.f1(x)); x = F.relu(self.f2(x)); return self.f3(x)


def exact(values):
    return [float("%.*g" % (SIG_DIGITS, float(v))) for v in values]


def as_float32_list(t):
    return [float(v) for v in t.detach().contiguous().to(torch.float32).reshape(-1).tolist()]


def lenet5():
    torch.manual_seed(0)
    model = LeNet5()
    torch.save(model.state_dict(), os.path.join(OUT_DIR, "lenet5.pt"))
    x = torch.round(torch.rand(2, 1, 28, 28, dtype=torch.float64) * 10000.0) / 10000.0
    x = x.float()
    with torch.no_grad():
        logits = model.double()(x.double())
    with open(os.path.join(OUT_DIR, "lenet5_expected.json"), "w") as f:
        json.dump({"torch_version": torch.__version__,
                   "input": {"shape": list(x.shape), "values": [round(float(v), 4) for v in x.reshape(-1).tolist()]},
                   "logits": {"shape": list(logits.shape), "values": exact(logits.reshape(-1).tolist())}}, f)
        f.write("\n")
    torch.save(model.float(), os.path.join(OUT_DIR, "whole_model.pt"))


def views():
    base = torch.arange(12, dtype=torch.float32) * 0.5 - 2.0       # one storage of 12 floats
    state = collections.OrderedDict()
    state["transposed"] = base.view(3, 4).t()                      # (4, 3), strides (1, 4)
    state["slice_a"] = base[2:8].view(2, 3)                        # offset 2
    state["slice_b"] = base[5:9]                                   # offset 5, overlaps slice_a
    state["every_other"] = base[1::2]                              # offset 1, stride 2
    state["expanded"] = base[:3].view(1, 3).expand(2, 3)           # strides (0, 1)
    state["own"] = torch.tensor([[1.5, -2.5]])                     # its own storage
    torch.save(state, os.path.join(OUT_DIR, "views.pt"))
    with open(os.path.join(OUT_DIR, "views.json"), "w") as f:
        json.dump({k: {"shape": list(v.shape), "stride": list(v.stride()), "offset": v.storage_offset(),
                       "values": as_float32_list(v)} for k, v in state.items()}, f)
        f.write("\n")
    torch.save(state, os.path.join(OUT_DIR, "legacy.pt"), _use_new_zipfile_serialization=False)


def dtypes():
    torch.manual_seed(1)
    state = collections.OrderedDict()
    state["f64"] = (torch.arange(1, 7, dtype=torch.float64) / 3.0).view(2, 3)
    state["f16"] = torch.tensor([0.5, -1.25, 65504.0, 6.1035156e-05, 0.33325195], dtype=torch.float16)
    state["i64"] = torch.tensor([[0, -5], [1 << 40, (1 << 40) + 1]], dtype=torch.int64)
    state["num_batches_tracked"] = torch.tensor(7, dtype=torch.int64)   # 0-d, as BatchNorm saves it
    state["i32"] = torch.tensor([-7, 0, 16777217], dtype=torch.int32)
    state["u8"] = torch.tensor([0, 128, 255], dtype=torch.uint8)
    state["bool"] = torch.tensor([True, False, True])
    state["param"] = nn.Parameter(torch.tensor([[0.25, -0.75, 1.0]]))
    state["empty"] = torch.zeros(0, 3)
    torch.save(state, os.path.join(OUT_DIR, "dtypes.pt"))
    torch.save(state, os.path.join(OUT_DIR, "dtypes_proto4.pt"), pickle_protocol=4)
    # A training checkpoint: the state dict is one entry among plain values (BININT, BINFLOAT, lists).
    linear = nn.Linear(3, 2)
    torch.save({"model": linear.state_dict(), "epoch": 3, "lr": 0.125, "milestones": [10, 20], "best": None},
               os.path.join(OUT_DIR, "training_checkpoint.pt"))
    with open(os.path.join(OUT_DIR, "training_checkpoint.json"), "w") as f:
        json.dump({k: {"shape": list(v.shape), "values": as_float32_list(v)} for k, v in linear.state_dict().items()}, f)
        f.write("\n")
    with open(os.path.join(OUT_DIR, "dtypes.json"), "w") as f:
        json.dump({k: {"shape": list(v.shape), "dtype": str(v.dtype), "values": as_float32_list(v)} for k, v in state.items()}, f)
        f.write("\n")


def torch_like_zip(path, pickle_bytes):
    """A zip laid out as torch.save lays it out (archive/data.pkl, archive/version), holding a crafted pickle."""
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_STORED) as z:
        for name, data in [("archive/data.pkl", pickle_bytes), ("archive/version", b"3\n")]:
            info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
            z.writestr(info, data)


class PosixSystem:
    def __reduce__(self):
        return (os.system, ("touch " + MALICIOUS_MARKER,))


def malicious():
    command = ("touch " + MALICIOUS_MARKER).encode()
    # The classic exploit, by hand: GLOBAL 'os system', the command string, TUPLE1, REDUCE, STOP.
    os_system = b"\x80\x02cos\nsystem\nq\x00X" + len(command).to_bytes(4, "little") + command + b"q\x01\x85q\x02Rq\x03."
    torch_like_zip(os.path.join(OUT_DIR, "malicious_os_system.pt"), os_system)
    # A state dict whose first value is computed by builtins.eval.
    code = b"__import__('os').system('touch " + MALICIOUS_MARKER.encode() + b"')"
    evil_dict = (b"\x80\x02}q\x00X\x06\x00\x00\x00weightq\x01c__builtin__\neval\nq\x02X"
                 + len(code).to_bytes(4, "little") + code + b"\x85Rs.")
    torch_like_zip(os.path.join(OUT_DIR, "malicious_eval.pt"), evil_dict)
    load_from_bytes = (b"\x80\x02}X\x01\x00\x00\x00wctorch.storage\n_load_from_bytes\nC\x04abcd\x85Rs.")
    torch_like_zip(os.path.join(OUT_DIR, "malicious_load_from_bytes.pt"), load_from_bytes)
    torch.save(PosixSystem(), os.path.join(OUT_DIR, "malicious_posix.pt"))
    # Sanity: the crafted pickles really are what they claim (pickle.loads would run them; dis does not).
    import pickletools
    for data in (os_system, evil_dict, load_from_bytes):
        pickletools.dis(data, out=io.StringIO())


def main():
    os.makedirs(OUT_DIR, exist_ok=True)
    lenet5()
    views()
    dtypes()
    malicious()


if __name__ == "__main__":
    main()
