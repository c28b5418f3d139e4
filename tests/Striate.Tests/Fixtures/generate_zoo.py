#!/usr/bin/env python3
"""Generates zoo_shapes.json: torchvision's reference models at 3×224×224 and 1000 classes.

Run from the repository root:

    /usr/bin/python3 tests/Striate.Tests/Fixtures/generate_zoo.py

For every model this records the exact parameter count, the multiply-accumulates of its
convolutions and linear layers for one image (conv: K·P·Q·(C/groups)·R·S, linear: in·out;
biases, batch norm, pooling and activations not counted — the same rule as Striate's
Summary), and, in execution order, the output shape (batch excluded) of every call of a
leaf module whose type Striate's zoo models also use as a module: Conv2d, BatchNorm2d,
MaxPool2d, AvgPool2d, AdaptiveAvgPool2d, LocalResponseNorm and Linear. Activations,
dropout and flatten are left out because torchvision applies some of them as functions
(GoogLeNet's F.relu, torch.flatten), which forward hooks cannot see.

Models are built without pretrained weights in evaluation mode and fed one zero image under
torch.no_grad(); no random numbers enter the file, so it regenerates byte-identically.

File layout: {"torch_version", "torchvision_version", "input": [3, 224, 224], "classes": 1000,
"models": [{"name", "torchvision", "parameters", "macs", "layers": [[type, [C, H, W] or [F]], ...]}]}
"""

import json
import os

import torch
import torchvision

OUT_DIR = os.path.dirname(os.path.abspath(__file__))
RECORDED = ("Conv2d", "BatchNorm2d", "MaxPool2d", "AvgPool2d", "AdaptiveAvgPool2d", "LocalResponseNorm", "Linear")

# (Striate zoo name, torchvision builder call, extra arguments)
MODELS = [
    ("alexnet", "alexnet", {}),
    ("vgg11", "vgg11", {}),
    ("vgg11-bn", "vgg11_bn", {}),
    ("vgg13", "vgg13", {}),
    ("vgg13-bn", "vgg13_bn", {}),
    ("vgg16", "vgg16", {}),
    ("vgg16-bn", "vgg16_bn", {}),
    ("vgg19", "vgg19", {}),
    ("vgg19-bn", "vgg19_bn", {}),
    ("googlenet", "googlenet", {"aux_logits": False, "init_weights": False}),
    ("resnet18", "resnet18", {}),
    ("resnet34", "resnet34", {}),
    ("resnet50", "resnet50", {}),
    ("resnet101", "resnet101", {}),
    ("resnet152", "resnet152", {}),
]


def describe(name, builder, kwargs):
    model = getattr(torchvision.models, builder)(weights=None, num_classes=1000, **kwargs).eval()
    layers = []
    macs = [0]

    def hook(module, inputs, output):
        kind = type(module).__name__
        if kind == "Conv2d":
            k = module.kernel_size
            per_position = (module.in_channels // module.groups) * k[0] * k[1]
            macs[0] += output[0].numel() * per_position
        elif kind == "Linear":
            macs[0] += module.in_features * module.out_features
        layers.append([kind, list(output.shape[1:])])

    for module in model.modules():
        if len(list(module.children())) == 0 and type(module).__name__ in RECORDED:
            module.register_forward_hook(hook)
    with torch.no_grad():
        model(torch.zeros(1, 3, 224, 224))
    parameters = sum(p.numel() for p in model.parameters())
    entry = {"name": name, "torchvision": builder, "parameters": parameters, "macs": macs[0], "layers": layers}
    if builder == "googlenet":
        with_aux = torchvision.models.googlenet(weights=None, num_classes=1000, aux_logits=True, init_weights=False)
        entry["parameters_with_aux"] = sum(p.numel() for p in with_aux.parameters())
    return entry


def main():
    document = {
        "torch_version": torch.__version__,
        "torchvision_version": torchvision.__version__,
        "input": [3, 224, 224],
        "classes": 1000,
        "models": [describe(*m) for m in MODELS],
    }
    path = os.path.join(OUT_DIR, "zoo_shapes.json")
    with open(path, "w") as f:
        # One layer per line keeps diffs readable.
        f.write("{\n")
        for key in ("torch_version", "torchvision_version", "input", "classes"):
            f.write(f'  "{key}": {json.dumps(document[key])},\n')
        f.write('  "models": [\n')
        for i, m in enumerate(document["models"]):
            head = {k: v for k, v in m.items() if k != "layers"}
            f.write("    " + json.dumps(head)[:-1] + ', "layers": [\n')
            f.write(",\n".join("      " + json.dumps(layer) for layer in m["layers"]))
            f.write("\n    ]}" + ("," if i + 1 < len(document["models"]) else "") + "\n")
        f.write("  ]\n}\n")
    for m in document["models"]:
        print(f'{m["name"]:10s} {m["parameters"]:>12,d} params {m["macs"] / 1e9:7.3f} GMACs {len(m["layers"])} layers'
              + (f' (with aux: {m["parameters_with_aux"]:,d})' if "parameters_with_aux" in m else ""))


if __name__ == "__main__":
    main()
