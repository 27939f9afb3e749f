"""Milliseconds per training step of the MNIST-1D models, numpy (cnnmotiv.learning) vs PyTorch.

One step is what :func:`cnnmotiv.learning.train` does per batch: forward,
softmax cross-entropy, backward, Adam update. Models (:mod:`cnnmotiv.learning.models`):
``paper_cnn`` (5,210 parameters), ``mlp`` (15,210) and ``locally_connected_net``
(32,610), at batch sizes 32, 100 and 250, on random MNIST-1D-shaped inputs
(``(N, 40)``, ten classes), in float64 and in float32 (what the notebook's runs use,
and PyTorch's default).

Where ``torch`` is importable (it is not a dependency), the same model is
built in PyTorch (``torch.set_num_threads(1)``; ``Conv1d``/``Linear``, the
locally connected layer as ``unfold`` + ``einsum``), loaded with the numpy
model's weights and checked to compute the same loss and gradients before
timing; its step is ``zero_grad``, forward, ``cross_entropy``, ``backward``,
``Adam.step``. The ratio is numpy time / torch time, measured round-robin in
the same run (CPU time, median over rounds, see :mod:`benchmarks`).
Goal: numpy no slower than torch (ratio <= 1). BLAS runs on one thread.
"""

from __future__ import annotations

import numpy as np

from benchmarks import format_table, time_interleaved

BATCHES = (32, 100, 250)
DTYPES = ("float64", "float32")
#: Agreement of the torch twin's loss and gradients with ours, per dtype (rtol).
_TOLERANCE = {"float64": (1e-10, 1e-8), "float32": (1e-5, 1e-4)}
MODELS = ("paper_cnn", "mlp", "locally_connected_net")
GOAL = 1.0


def numpy_step(model, x, y):
    """One training step of the numpy model (returns the loss)."""
    from cnnmotiv.learning import Adam, softmax_cross_entropy

    opt = Adam(1e-3)
    theta, grad = model.parameter_vector(), model.gradient_vector()

    def step():
        loss, g = softmax_cross_entropy(model.forward(x), y)
        model.backward(g, input_grad=False)
        opt.step(theta, grad)
        return loss

    return step


def _torch_model(name: str, model):
    """The PyTorch twin of a numpy model, with the same weights (and the same dtype)."""
    import torch
    from torch import nn

    dtype = getattr(torch, model.parameter_vector().dtype.name)

    from cnnmotiv.learning import Conv1d, Dense, LocallyConnected1d

    class LocallyConnected(nn.Module):
        def __init__(self, layer):
            super().__init__()
            self.k, self.s, self.p = layer.kernel_size[0], layer.stride[0], layer.pad_width[0]
            # ours (L_out, k, C_in, C_out); here (L_out, C_in, k, C_out) for unfold's order
            self.weight = nn.Parameter(torch.tensor(layer.params["weight"].transpose(0, 2, 1, 3)))
            self.bias = nn.Parameter(torch.tensor(layer.params["bias"].T.copy()))  # (C_out, L_out)

        def forward(self, x):  # (N, C, L)
            windows = nn.functional.pad(x, (self.p, self.p)).unfold(2, self.k, self.s)
            return torch.einsum("nclk,lcko->nol", windows, self.weight) + self.bias

    modules = [nn.Unflatten(1, (1, 40))] if name != "mlp" else []
    length, channels = 40, 1
    for layer in model.layers:
        if isinstance(layer, Conv1d):
            conv = nn.Conv1d(layer.in_channels, layer.out_channels, layer.kernel_size[0],
                             stride=layer.stride[0], padding=layer.pad_width[0]).to(dtype)
            with torch.no_grad():
                conv.weight.copy_(torch.tensor(layer.params["weight"].transpose(2, 1, 0)))
                conv.bias.copy_(torch.tensor(layer.params["bias"]))
            modules.append(conv)
            length, channels = layer.output_shape((length,))[0], layer.out_channels
        elif isinstance(layer, LocallyConnected1d):
            modules.append(LocallyConnected(layer))
            length, channels = layer.out_shape[0], layer.out_channels
        elif isinstance(layer, Dense):
            linear = nn.Linear(layer.in_features, layer.out_features).to(dtype)
            w = layer.params["weight"]
            if name != "mlp":  # torch flattens (C, L), ours (L, C): permute the rows
                w = w.reshape(length, channels, -1).transpose(1, 0, 2).reshape(w.shape)
            with torch.no_grad():
                linear.weight.copy_(torch.tensor(w.T))
                linear.bias.copy_(torch.tensor(layer.params["bias"]))
            modules.append(linear)
        elif type(layer).__name__ == "ReLU":
            modules.append(nn.ReLU())
        elif type(layer).__name__ == "Flatten":
            modules.append(nn.Flatten())
    return nn.Sequential(*modules)


def torch_step(name, model, x, y):
    """The PyTorch twin's training step, after checking it computes the same loss and gradients."""
    import torch

    torch.set_num_threads(1)
    net = _torch_model(name, model)
    xt, yt = torch.tensor(x), torch.tensor(y)
    loss = torch.nn.functional.cross_entropy(net(xt), yt)
    loss.backward()
    from cnnmotiv.learning import softmax_cross_entropy

    expected, g = softmax_cross_entropy(model.forward(x), y)
    model.backward(g)
    loss_rtol, grad_rtol = _TOLERANCE[model.parameter_vector().dtype.name]
    np.testing.assert_allclose(loss.item(), expected, rtol=loss_rtol,
                               err_msg=f"torch {name} computes another loss")
    theirs = sum(float(p.grad.abs().sum()) for p in net.parameters())
    ours = float(np.abs(model.gradient_vector()).sum())
    np.testing.assert_allclose(theirs, ours, rtol=grad_rtol,
                               err_msg=f"torch {name} computes other gradients")
    opt = torch.optim.Adam(net.parameters(), lr=1e-3)

    def step():
        opt.zero_grad()
        out = torch.nn.functional.cross_entropy(net(xt), yt)
        out.backward()
        opt.step()
        return out

    return step


def _have_torch() -> bool:
    try:
        import torch  # noqa: F401
    except ImportError:
        return False
    return True


def measure(rounds: int = 9):
    """Rows of (model, dtype, batch, Timing, has_torch)."""
    from cnnmotiv import learning

    has_torch = _have_torch()
    rows = []
    for dtype in DTYPES:
        for name in MODELS:
            for batch in BATCHES:
                rng = np.random.default_rng(batch)
                x = rng.standard_normal((batch, 40)).astype(dtype)
                y = rng.integers(0, 10, batch)
                make = getattr(learning, name)
                funcs = {"numpy": numpy_step(make(rng=0, dtype=dtype), x, y)}
                if has_torch:
                    funcs["torch"] = torch_step(name, make(rng=0, dtype=dtype), x, y)
                rows.append((name, dtype, batch,
                             time_interleaved(funcs, rounds=rounds, max_seconds=4.0), has_torch))
    return rows


def run(rounds: int = 9) -> str:
    lines = ["Training step (forward, loss, backward, Adam), 1 thread, CPU time; "
             "ratio = numpy / torch in the same rounds (lower is better)."]
    table, misses = [], []
    for name, dtype, batch, timing, has_torch in measure(rounds):
        ms = timing.median("numpy") * 1e3
        if has_torch:
            ratio = timing.ratio("numpy", "torch")
            ok = ratio <= GOAL
            if not ok:
                misses.append(f"MISS {name} {dtype} batch {batch}: numpy is {ratio:.2f}x torch")
            table.append([name, dtype, batch, f"{ms:.3f}", f"{timing.median('torch') * 1e3:.3f}",
                          f"{ratio:.2f}", f"<= {GOAL:g}", "PASS" if ok else "MISS"])
        else:
            table.append([name, dtype, batch, f"{ms:.3f}", "-", "-", f"<= {GOAL:g}", "no torch"])
    lines.append(format_table(["model", "dtype", "batch", "numpy ms", "torch ms", "numpy/torch", "goal",
                               "status"], table))
    if not any(row[-1] == "no torch" for row in table):
        lines.append(f"{len(table) - len(misses)} of {len(table)} goals met")
    else:
        lines.append("torch is not importable: no reference, numpy times only")
    lines.extend(misses)
    return "\n".join(lines)


if __name__ == "__main__":
    from benchmarks import single_threaded

    with single_threaded():
        print(run())
