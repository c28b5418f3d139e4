#!/usr/bin/env python3
"""Generates the ONNX import fixtures: small PyTorch CNNs exported with torch.onnx.export.

Run from the repository root:

    /usr/bin/python3 tests/Striate.Tests/Fixtures/generate_onnx.py            # committed fixtures
    /usr/bin/python3 tests/Striate.Tests/Fixtures/generate_onnx.py --resnet18 DIR
        # torchvision ResNet-18 (random weights, 45 MB): DIR/resnet18.onnx, DIR/resnet18.pt
        # (its state_dict) and DIR/resnet18.json; run by the tests at test time, never committed.

Writes Fixtures/onnx/<case>.onnx and Fixtures/onnx_models.json. Precision contract as in
generate_fixtures.py: inputs are 4-decimal values (identical float32 on both sides); expected
outputs come from the same float32 weights evaluated in float64 and are written with 9
significant digits, so the C# tolerance measures Striate's float32 error only.

onnx_models.json: {"torch_version", "precision", "cases": [{"name", "file", "opset",
"input": {"shape", "values"}, "output": {"shape", "values"}}]}; plus "torchvision_names": for
resnet18, vgg16 and alexnet, the state_dict names and shapes of torchvision's models (so the name
maps are checked against the real names without committing the weights).
"""

import json
import os
import sys

import torch
import torch.nn as nn
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from generate_fixtures import exact, flat, rand, short  # noqa: E402

OUT_DIR = os.path.dirname(os.path.abspath(__file__))
torch.manual_seed(20261121)


def randomize_batchnorm(model):
    """Random running statistics and affine parameters, so eval-mode batch norm is not the identity."""
    for m in model.modules():
        if isinstance(m, (nn.BatchNorm1d, nn.BatchNorm2d, nn.BatchNorm3d)):
            with torch.no_grad():
                m.running_mean.copy_(torch.rand_like(m.running_mean) - 0.5)
                m.running_var.copy_(torch.rand_like(m.running_var) + 0.5)
                m.weight.copy_(torch.rand_like(m.weight) + 0.5)
                m.bias.copy_(torch.rand_like(m.bias) - 0.5)
    return model


class LeNet(nn.Module):
    """LeNet-5 as in the anchor, flattened with x.view(x.size(0), -1) (Shape/Gather/Unsqueeze/Concat/Reshape glue)."""

    def __init__(self):
        super().__init__()
        self.c1 = nn.Conv2d(1, 6, 5, padding=2)
        self.c2 = nn.Conv2d(6, 16, 5)
        self.f1 = nn.Linear(16 * 5 * 5, 120)
        self.f2 = nn.Linear(120, 84)
        self.f3 = nn.Linear(84, 10)

    def forward(self, x):
        x = F.max_pool2d(F.relu(self.c1(x)), 2)
        x = F.max_pool2d(F.relu(self.c2(x)), 2)
        x = x.view(x.size(0), -1)
        return self.f3(F.relu(self.f2(F.relu(self.f1(x)))))


class ConvVariants(nn.Module):
    """Stride, dilation, groups, asymmetric padding, no bias, transposed convolution, 1-D and 3-D convolution."""

    def __init__(self):
        super().__init__()
        self.a = nn.Conv2d(3, 4, 3, stride=2, padding=1)
        self.b = nn.Conv2d(4, 6, 3, dilation=2, padding=2, groups=2, bias=False)
        self.c = nn.Conv2d(6, 5, (3, 2), stride=(1, 3), padding=(1, 0))
        self.t = nn.ConvTranspose2d(5, 3, 3, stride=2, padding=1, output_padding=1)
        self.d = nn.Conv2d(3, 2, 1)

    def forward(self, x):
        x = self.a(x)
        x = F.pad(x, (1, 2, 0, 1))           # asymmetric zero padding → Pad
        x = torch.tanh(self.b(x))
        x = self.c(x)
        x = self.t(x)
        return self.d(x)


class Pools(nn.Module):
    """Max pooling (ceil mode, dilation, padding), average pooling (padding counted or not, ceil), global pools.
    (torch 1.13 exports Lp pooling as a Pow/Sign/Abs decomposition, so LpPool is checked through Striate's own export.)"""

    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(2, 4, 3, padding=1)

    def forward(self, x):
        x = self.conv(x)
        a = F.max_pool2d(x, 3, stride=2, padding=1, ceil_mode=True)
        b = F.avg_pool2d(x, 3, stride=2, padding=1, count_include_pad=False)
        c = F.avg_pool2d(x, 2, stride=2, ceil_mode=True)
        d = F.max_pool2d(x, 2, stride=1, dilation=2)
        g = F.adaptive_avg_pool2d(x, 1)
        h = F.adaptive_max_pool2d(x, 1)
        return torch.cat([a.flatten(1), b.flatten(1), c.flatten(1), d.flatten(1), g.flatten(1), h.flatten(1)], dim=1)


class Norms(nn.Module):
    """Batch norm (2-D maps and 1-D features), dropout in inference form. (torch 1.13 exports local response
    normalization as a decomposition with an If node, so LRN import is checked through Striate's own export.)"""

    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(3, 5, 3)
        self.bn = nn.BatchNorm2d(5)
        self.drop = nn.Dropout(0.5)
        self.fc = nn.Linear(5 * 6 * 6, 7)
        self.bn1 = nn.BatchNorm1d(7)

    def forward(self, x):
        x = F.relu(self.bn(self.conv(x)))
        x = self.drop(torch.flatten(x, 1))
        return self.bn1(self.fc(x))


class Activations(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(2, 4, 1)
        self.prelu = nn.PReLU(4)

    def forward(self, x):
        x = self.conv(x)
        parts = [
            F.leaky_relu(x, 0.1), F.elu(x, 0.7), F.selu(x), torch.sigmoid(x), torch.tanh(x), F.softplus(x),
            F.softsign(x), F.hardtanh(x, -0.5, 0.5), F.relu6(x * 4), self.prelu(x), F.gelu(x),
        ]
        y = torch.cat(parts, dim=1)
        return torch.cat([F.softmax(y, dim=1), F.log_softmax(y, dim=1)], dim=1)


class Inception(nn.Module):
    """An Inception-style block (1×1, 3×3, 5×5, pool branches, concatenated) and a residual block."""

    def __init__(self):
        super().__init__()
        self.b1 = nn.Conv2d(4, 3, 1)
        self.b2 = nn.Sequential(nn.Conv2d(4, 2, 1), nn.ReLU(), nn.Conv2d(2, 3, 3, padding=1))
        self.b3 = nn.Sequential(nn.Conv2d(4, 2, 1), nn.ReLU(), nn.Conv2d(2, 2, 5, padding=2))
        self.b4 = nn.Sequential(nn.MaxPool2d(3, stride=1, padding=1), nn.Conv2d(4, 2, 1))
        self.res = nn.Sequential(nn.Conv2d(10, 10, 3, padding=1, bias=False), nn.BatchNorm2d(10), nn.ReLU(), nn.Conv2d(10, 10, 3, padding=1))

    def forward(self, x):
        y = torch.cat([self.b1(x), self.b2(x), self.b3(x), self.b4(x)], dim=1)
        return F.relu(y + self.res(y))


class Resample(nn.Module):
    """Nearest and bilinear upsampling, reflection/replication/constant padding."""

    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(2, 2, 3)

    def forward(self, x):
        a = F.interpolate(x, scale_factor=2, mode="nearest")
        b = F.interpolate(x, size=(9, 7), mode="bilinear", align_corners=False)
        c = F.interpolate(x, scale_factor=2, mode="bilinear", align_corners=True)
        d = F.pad(x, (1, 2, 2, 1), mode="reflect")
        e = F.pad(x, (2, 1, 1, 2), mode="replicate")
        f = F.pad(x, (1, 1, 1, 1), value=0.5)
        return torch.cat([self.conv(a).flatten(1), self.conv(b).flatten(1), self.conv(c).flatten(1),
                          d.flatten(1), e.flatten(1), f.flatten(1)], dim=1)


class Sequence1d(nn.Module):
    """1-D convolution, pooling and batch norm; transposed 1-D convolution."""

    def __init__(self):
        super().__init__()
        self.c = nn.Conv1d(2, 4, 3, stride=2, padding=1)
        self.bn = nn.BatchNorm1d(4)
        self.t = nn.ConvTranspose1d(4, 2, 4, stride=2, padding=1)

    def forward(self, x):
        y = F.max_pool1d(F.relu(self.bn(self.c(x))), 2)
        y = F.avg_pool1d(self.t(y), 3, stride=1, padding=1)
        return y


class Volume3d(nn.Module):
    def __init__(self):
        super().__init__()
        self.c = nn.Conv3d(1, 3, 3, padding=1)

    def forward(self, x):
        return F.avg_pool3d(F.max_pool3d(F.relu(self.c(x)), 2), 2, ceil_mode=True)


class Indexing(nn.Module):
    """Permute, slicing and index_select on activations, so the imported graph needs gradients through them:
    a channel shuffle (view, transpose(1, 2), reshape: Reshape/Transpose), x[:, :, 1:-1, ::2] (Slice with steps),
    index_select with a repeated index and p[..., 1] (Gather), permute to channels-last (Transpose)."""

    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(3, 6, 3, padding=1)
        self.fc = nn.Linear(4 * 5 * 4 + 5 * 4, 5)

    def forward(self, x):
        x = self.conv(x)
        n, c, h, w = x.shape
        x = x.view(n, 2, c // 2, h, w).transpose(1, 2).reshape(n, c, h, w)
        y = x[:, :, 1:-1, ::2]
        z = torch.index_select(y, 1, torch.tensor([5, 0, 2, 2]))
        p = z.permute(0, 2, 3, 1)
        q = p[..., 1]
        return self.fc(torch.cat([p.flatten(1), q.flatten(1)], 1))


class Erf(nn.Module):
    """A standalone erf (not the GELU chain), over a wide range of values."""

    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(2, 3, 1)

    def forward(self, x):
        return torch.erf(3 * self.conv(x))


CASES = [
    ("lenet", LeNet, (2, 1, 28, 28)),
    ("conv_variants", ConvVariants, (2, 3, 11, 13)),
    ("pools", Pools, (1, 2, 9, 10)),
    ("norms", Norms, (3, 3, 8, 8)),
    ("activations", Activations, (2, 2, 3, 4)),
    ("inception", Inception, (2, 4, 7, 6)),
    ("resample", Resample, (1, 2, 5, 4)),
    ("sequence1d", Sequence1d, (2, 2, 17)),
    ("volume3d", Volume3d, (1, 1, 6, 7, 5)),
]


def export(model, x, path, opset=13):
    torch.onnx.export(model, x, path, opset_version=opset, input_names=["input"], output_names=["output"],
                      dynamic_axes={"input": {0: "batch"}, "output": {0: "batch"}}, do_constant_folding=True)


def run_case(name, make, shape, out_dir, opset=13):
    model = randomize_batchnorm(make()).eval()
    x = rand(*shape)
    path = os.path.join(out_dir, name + ".onnx")
    export(model, x.float(), path, opset)
    with torch.no_grad():
        y = model.double()(x)
    return {"name": name, "file": "onnx/" + os.path.basename(path), "opset": opset,
            "input": {"shape": list(shape), "values": short(flat(x))},
            "output": {"shape": list(y.shape), "values": exact(flat(y))}}


def torchvision_names():
    import torchvision.models as tvm
    names = {}
    for arch, make in (("resnet18", tvm.resnet18), ("vgg16", tvm.vgg16), ("alexnet", tvm.alexnet)):
        # Shapes only; building the full-size models takes a moment but nothing is written but names.
        sd = make().state_dict()
        names[arch] = [[k, list(v.shape)] for k, v in sd.items()]
    return names


def resnet18(out_dir):
    import torchvision.models as tvm
    model = randomize_batchnorm(tvm.resnet18(num_classes=10)).eval()
    x = rand(1, 3, 64, 64)
    export(model, x.float(), os.path.join(out_dir, "resnet18.onnx"))
    torch.save(model.state_dict(), os.path.join(out_dir, "resnet18.pt"))
    with torch.no_grad():
        y = model.double()(x)
    with open(os.path.join(out_dir, "resnet18.json"), "w") as f:
        json.dump({"input": {"shape": list(x.shape), "values": short(flat(x))},
                   "output": {"shape": list(y.shape), "values": exact(flat(y))}}, f)


def main():
    if len(sys.argv) == 3 and sys.argv[1] == "--resnet18":
        os.makedirs(sys.argv[2], exist_ok=True)
        resnet18(sys.argv[2])
        return
    out_dir = os.path.join(OUT_DIR, "onnx")
    os.makedirs(out_dir, exist_ok=True)
    cases = [run_case(name, make, shape, out_dir) for name, make, shape in CASES]
    # The same LeNet at opset 11 (Unsqueeze/Squeeze axes as attributes) and 17.
    cases.append(run_case("lenet_opset11", LeNet, (1, 1, 28, 28), out_dir, opset=11))
    cases.append(run_case("inception_opset17", Inception, (1, 4, 5, 5), out_dir, opset=17))
    # Cases added after the first release come last, so the random draws of the earlier ones stay the same.
    cases.append(run_case("indexing", Indexing, (2, 3, 7, 8), out_dir))
    cases.append(run_case("erf", Erf, (2, 2, 3, 5), out_dir))
    doc = {"torch_version": torch.__version__,
           "precision": "inputs: 4 decimals; outputs: float64 from the float32 weights, 9 significant digits",
           "cases": cases, "torchvision_names": torchvision_names()}
    with open(os.path.join(OUT_DIR, "onnx_models.json"), "w") as f:
        json.dump(doc, f, separators=(",", ":"))


if __name__ == "__main__":
    main()
