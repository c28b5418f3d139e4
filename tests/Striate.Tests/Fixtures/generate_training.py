#!/usr/bin/env python3
"""PyTorch golden values for Striate's optimizers and learning-rate schedules.

Run from the repository root:  /usr/bin/python3 tests/Striate.Tests/Fixtures/generate_training.py

optimizers.json: for each case, float32 parameters and a fixed gradient sequence; PyTorch's
optimizer (float32, as Striate) applies `steps` updates; the parameters after each step are
recorded with 9 significant digits. Parameters are split into groups as `groups` says; a
parameter listed in `frozen` has requires_grad=False and must not move.
schedules.json: the learning rate after each of `steps` scheduler steps (SGD, base lr 0.1).
"""
import json
import os

import torch

OUT_DIR = os.path.dirname(os.path.abspath(__file__))
torch.manual_seed(20241121)


def q(t):
    return torch.round(t * 10000.0) / 10000.0


def r9(xs):
    return [float(f"{x:.9g}") for x in xs]


def optimizer_case(name, make, steps=4, groups=None, frozen=()):
    shapes = [(3, 4), (5,), (2, 3)]
    init = [q(torch.rand(s) * 2 - 1).float() for s in shapes]
    grads = [[q(torch.rand(s) * 2 - 1).float() for s in shapes] for _ in range(steps)]
    params = [torch.nn.Parameter(x.clone()) for x in init]
    for i in frozen:
        params[i].requires_grad_(False)
    groups = groups or [{"params": [0, 1, 2]}]
    torch_groups = [dict({k: v for k, v in g.items() if k != "params"}, params=[params[i] for i in g["params"]]) for g in groups]
    opt = make(torch_groups)
    history = []
    for t in range(steps):
        opt.zero_grad()
        for i, p in enumerate(params):
            if p.requires_grad:
                p.grad = grads[t][i].clone()
        opt.step()
        history.append([r9(p.detach().flatten().tolist()) for p in params])
    return {
        "name": name,
        "groups": groups,
        "frozen": list(frozen),
        "shapes": [list(s) for s in shapes],
        "init": [x.flatten().tolist() for x in init],
        "grads": [[g.flatten().tolist() for g in step] for step in grads],
        "after": history,
    }


cases = [
    optimizer_case("adam", lambda g: torch.optim.Adam(g, lr=0.01)),
    optimizer_case("adam_wd", lambda g: torch.optim.Adam(g, lr=0.01, betas=(0.8, 0.99), eps=1e-6, weight_decay=0.1)),
    optimizer_case("adamw", lambda g: torch.optim.AdamW(g, lr=0.01)),
    optimizer_case("adamw_wd", lambda g: torch.optim.AdamW(g, lr=0.05, weight_decay=0.2)),
    optimizer_case("rmsprop", lambda g: torch.optim.RMSprop(g, lr=0.01)),
    optimizer_case("rmsprop_momentum_centered_wd", lambda g: torch.optim.RMSprop(g, lr=0.01, alpha=0.9, momentum=0.5, centered=True, weight_decay=0.05)),
    optimizer_case("adagrad", lambda g: torch.optim.Adagrad(g, lr=0.1)),
    optimizer_case("adagrad_decay_init_wd", lambda g: torch.optim.Adagrad(g, lr=0.1, lr_decay=0.01, weight_decay=0.1, initial_accumulator_value=0.5)),
    optimizer_case("sgd_groups", lambda g: torch.optim.SGD(g, lr=0.1, momentum=0.9),
                   groups=[{"params": [0], "lr": 0.5}, {"params": [1, 2], "weight_decay": 0.3}]),
    optimizer_case("adam_frozen", lambda g: torch.optim.Adam(g, lr=0.01), frozen=(1,)),
]


def schedule_case(name, make, steps=12, metrics=None):
    p = torch.nn.Parameter(torch.zeros(1))
    opt = torch.optim.SGD([p], lr=0.1)
    sched = make(opt)
    rates = [opt.param_groups[0]["lr"]]
    for t in range(steps):
        opt.step()
        if metrics is None:
            sched.step()
        else:
            sched.step(metrics[t])
        rates.append(opt.param_groups[0]["lr"])
    return {"name": name, "rates": r9(rates), "metrics": metrics}


S = torch.optim.lr_scheduler
schedules = [
    schedule_case("step", lambda o: S.StepLR(o, step_size=3, gamma=0.5)),
    schedule_case("multistep", lambda o: S.MultiStepLR(o, milestones=[2, 5, 9], gamma=0.3)),
    schedule_case("exponential", lambda o: S.ExponentialLR(o, gamma=0.9)),
    schedule_case("cosine", lambda o: S.CosineAnnealingLR(o, T_max=10, eta_min=0.001), steps=10),
    schedule_case("linear", lambda o: S.LinearLR(o, start_factor=0.25, end_factor=1.0, total_iters=4)),
    schedule_case("onecycle", lambda o: S.OneCycleLR(o, max_lr=1.0, total_steps=13, pct_start=0.3, cycle_momentum=False)),
    schedule_case("plateau", lambda o: S.ReduceLROnPlateau(o, mode="min", factor=0.5, patience=2, cooldown=1),
                  metrics=[1.0, 0.9, 0.95, 0.95, 0.95, 0.95, 0.8, 0.85, 0.85, 0.85, 0.85, 0.85]),
]

with open(os.path.join(OUT_DIR, "optimizers.json"), "w") as f:
    json.dump({"torch_version": torch.__version__, "cases": cases}, f, separators=(",", ":"))
with open(os.path.join(OUT_DIR, "schedules.json"), "w") as f:
    json.dump({"torch_version": torch.__version__, "cases": schedules}, f, separators=(",", ":"))
