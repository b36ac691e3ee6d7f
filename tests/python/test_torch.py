"""Network.from_torch: exact parameters, shape, and codes against torch float64."""
import copy
from fractions import Fraction

import numpy as np
import pytest
import torch
import torch.nn as nn

import polyverify as pv
import pvtest_util as U


def linears(module):
    return [c for c in module if isinstance(c, nn.Linear)]


def test_shape(moons_net):
    module = moons_net[0]
    net = pv.Network.from_torch(module, (2,))
    assert net.input_dim == 2
    assert net.neurons == 16
    assert net.nlayers == 3
    acts = [l.activation for l in net.layers]
    assert acts == ["relu", "relu", "linear"]
    assert [(l.in_dim, l.out_dim) for l in net.layers] == [(2, 8), (8, 8), (8, 2)]
    assert [l.first_neuron for l in net.layers[:2]] == [0, 8]
    assert [l.relus for l in net.layers] == [8, 8, 0]


def test_float32_weights_exact(moons_net):
    """weights(k) equals the float32 parameters' exact values: Fraction(float(w))
    and our own decoding of the IEEE-754 bit fields."""
    module = moons_net[0]
    net = pv.Network.from_torch(module, (2,))
    for k, lin in enumerate(linears(module)):
        W, b = net.weights(k)
        w32 = lin.weight.detach().numpy()
        b32 = lin.bias.detach().numpy()
        assert w32.dtype == np.float32
        assert len(W) == w32.shape[0] and all(len(r) == w32.shape[1] for r in W)
        assert len(b) == b32.shape[0]
        wbits = w32.view(np.uint32)
        for i in range(w32.shape[0]):
            for j in range(w32.shape[1]):
                assert isinstance(W[i][j], Fraction)
                assert W[i][j] == Fraction(float(w32[i, j])), (k, i, j)
                assert W[i][j] == U.f32_bits_value(int(wbits[i, j])), (k, i, j)
        bbits = b32.view(np.uint32)
        for i in range(b32.shape[0]):
            assert b[i] == Fraction(float(b32[i]))
            assert b[i] == U.f32_bits_value(int(bbits[i]))


def test_float64_weights_exact(moons_net):
    """module.double() with parameters that are not float32 values: read bit for bit."""
    m64 = copy.deepcopy(moons_net[0]).double()
    g = torch.Generator().manual_seed(5)
    with torch.no_grad():
        for p in m64.parameters():
            p.add_(torch.randn(p.shape, generator=g, dtype=torch.float64) * 1e-9)
    net = pv.Network.from_torch(m64, (2,))
    not_f32 = 0
    for k, lin in enumerate(linears(m64)):
        W, b = net.weights(k)
        w64 = lin.weight.detach().numpy()
        b64 = lin.bias.detach().numpy()
        assert w64.dtype == np.float64
        wbits = w64.view(np.uint64)
        for i in range(w64.shape[0]):
            for j in range(w64.shape[1]):
                exact = U.f64_bits_value(int(wbits[i, j]))
                assert exact == Fraction(float(w64[i, j]))
                assert W[i][j] == exact, (k, i, j)
                not_f32 += float(np.float32(w64[i, j])) != w64[i, j]
        bbits = b64.view(np.uint64)
        for i in range(b64.shape[0]):
            assert b[i] == U.f64_bits_value(int(bbits[i]))
    assert not_f32 > 50      # the test does tell float64 from float32 reading


def test_own_ieee_decoder():
    """The decoder the tests rely on, on known values."""
    for v in [0.0, 1.0, -2.5, 0.1, 1e-40, -3.4e38, 2 ** -149]:
        u = int(np.array([v], dtype=np.float32).view(np.uint32)[0])
        assert U.f32_bits_value(u) == Fraction(float(np.float32(v)))
    for v in [0.0, 1.0, -2.5, 0.1, 5e-324, 1.7e308]:
        u = int(np.array([v], dtype=np.float64).view(np.uint64)[0])
        assert U.f64_bits_value(u) == Fraction(v)


def _codes_agree(net, module, X):
    pre = U.torch_preacts64(module, X)
    assert pre.shape == (X.shape[0], net.neurons)
    keep = np.abs(pre).min(axis=1) >= U.MARGIN
    assert keep.sum() >= 0.9 * X.shape[0]
    bits, zero = net.code(X)
    assert bits.shape == (X.shape[0], net.neurons) and bits.dtype == np.uint8
    assert zero.shape == bits.shape and zero.dtype == bool
    want = (pre > 0).astype(np.uint8)
    bad = np.nonzero((bits != want).any(axis=1) & keep)[0]
    assert len(bad) == 0, f"codes differ from torch float64 at rows {bad[:10]}"
    assert not zero[keep].any()


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_codes_vs_torch_mlp(moons_net, dtype):
    module, Xd, _ = moons_net
    if dtype == "float64":
        module = copy.deepcopy(module).double()
        g = torch.Generator().manual_seed(6)
        with torch.no_grad():
            for p in module.parameters():
                p.add_(torch.randn(p.shape, generator=g, dtype=torch.float64) * 1e-9)
    net = pv.Network.from_torch(module, (2,))
    rng = np.random.RandomState(3)
    X = np.concatenate([rng.uniform(-3, 3, (400, 2)), Xd])
    _codes_agree(net, module, X)
    # exact forward pass of our own (Fractions of the torch parameters) on a few points
    layers = U.torch_mlp_layers_exact(module)
    bits, zero = net.code(X[:25])
    for p in range(25):
        z = U.exact_preacts(layers, X[p])
        assert [int(v > 0) for v in z] == list(bits[p])
        assert [v == 0 for v in z] == list(zero[p])


def conv_module(square_var=False):
    """Conv2d + BatchNorm2d + ReLU + Flatten + Linear + ReLU + Linear, eval mode.
    square_var: eps = 0 and running variances 1/4, 9/4 (1/sqrt(var + eps)
    rational); otherwise a trained-looking BN (random variances, eps 1e-5)."""
    torch.manual_seed(1)
    bn = nn.BatchNorm2d(2, eps=0.0) if square_var else nn.BatchNorm2d(2)
    seq = nn.Sequential(nn.Conv2d(1, 2, 3), bn, nn.ReLU(), nn.Flatten(),
                        nn.Linear(32, 6), nn.ReLU(), nn.Linear(6, 2))
    with torch.no_grad():
        bn.running_mean.copy_(torch.randn(2) * 0.3)
        if square_var:
            bn.running_var.copy_(torch.tensor([0.25, 2.25]))
        else:
            bn.running_var.copy_(torch.rand(2) + 0.5)
        bn.weight.copy_(torch.randn(2))
        bn.bias.copy_(torch.randn(2) * 0.2)
    return seq.eval()


@pytest.mark.parametrize("square_var", [False, True], ids=["bn_random_var", "bn_square_var"])
def test_conv_bn_codes_vs_torch(square_var):
    seq = conv_module(square_var)
    if not square_var:
        # 1/sqrt(var + eps) is irrational: no exact network exists; refused
        # (never read rounded), naming the node
        with pytest.raises(pv.BadInput, match="BatchNormalization.*square"):
            pv.Network.from_torch(seq, (1, 6, 6))
        return
    net = pv.Network.from_torch(seq, (1, 6, 6))
    assert net.input_dim == 36
    assert net.neurons == 2 * 4 * 4 + 6
    rng = np.random.RandomState(4)
    X = rng.randn(300, 36)
    pre = U.torch_preacts64(seq, X.reshape(-1, 1, 6, 6))
    assert pre.shape == (300, net.neurons)
    keep = np.abs(pre).min(axis=1) >= U.MARGIN
    bits, zero = net.code(X)
    want = (pre > 0).astype(np.uint8)
    bad = np.nonzero((bits != want).any(axis=1) & keep)[0]
    assert len(bad) == 0, f"codes differ from torch float64 at rows {bad[:10]}"
    assert seq.training is False


def test_conv_training_mode_restored():
    seq = conv_module(square_var=True).train()
    pv.Network.from_torch(seq, (1, 6, 6))
    assert seq.training is True


class Square(nn.Module):
    def forward(self, x):
        return x * x


@pytest.mark.parametrize("make", [
    lambda: nn.Sequential(nn.Linear(2, 4), nn.Tanh(), nn.Linear(4, 1)),
    lambda: nn.Sequential(nn.Linear(2, 4), Square(), nn.Linear(4, 1)),
], ids=["tanh", "square"])
def test_unsupported_module(make):
    with pytest.raises(pv.Error) as ei:
        pv.Network.from_torch(make(), (2,))
    assert str(ei.value).strip()


def test_wrong_input_shape(moons_net):
    with pytest.raises(pv.BadInput) as ei:
        pv.Network.from_torch(moons_net[0], (3,))
    assert str(ei.value).strip()


def test_zero_bias_conv_exact_zeros_filtered(tmp_path):
    """A convolution with zero biases over black patches (a net at its
    Xavier/zero-bias initialisation on images with a black background): z is
    exactly 0 there. The float filter proves those zeros without rounding,
    so every point is settled by it, with the codes and zero flags of the
    exact passes; the zero flags of the first conv layer are exactly the
    positions whose padded 3x3 patch is all black, per channel."""
    torch.manual_seed(5)
    model = nn.Sequential(nn.Conv2d(1, 3, 3, padding=1), nn.ReLU(),
                          nn.Conv2d(3, 4, 3, padding=1, stride=2), nn.ReLU(),
                          nn.Flatten(), nn.Linear(4 * 5 * 5, 6), nn.ReLU(), nn.Linear(6, 2))
    for mod in model.modules():
        if isinstance(mod, (nn.Conv2d, nn.Linear)):
            nn.init.zeros_(mod.bias)
    model.eval()
    net = pv.Network.from_torch(model, (1, 10, 10))
    rng = np.random.RandomState(2)
    X = np.zeros((12, 10, 10))
    for img in X:                          # a random blob on black
        r, c = rng.randint(2, 6, size=2)
        img[r:r + 3, c:c + 4] = rng.randint(1, 256, size=(3, 4))
    pvnet = tmp_path / "z.pvnet"
    net.save(pvnet)
    csv = U.write_csv(tmp_path / "z.csv", X.reshape(12, -1).astype(int))
    fast = U.cli_json("code", pvnet, "--points", csv, "--scale", "1/255")
    exact = U.cli_json("code", pvnet, "--points", csv, "--scale", "1/255", "--no-filter")
    assert fast == exact
    stats = U.run_cli("stats", pvnet, "--data", csv, "--scale", "1/255").stdout
    assert "12 points proved by the float filter, 0 exactly" in stats
    bits, zero = net.code(X.reshape(12, -1) / 255)
    padded = np.pad(X, ((0, 0), (1, 1), (1, 1)))
    black = np.array([[[not padded[p, i:i + 3, j:j + 3].any() for j in range(10)]
                       for i in range(10)] for p in range(12)])
    assert np.array_equal(zero[:, :300].reshape(12, 3, 10, 10),
                          np.repeat(black[:, None], 3, axis=1))


def test_zero_bias_dense_zero_input_filtered(tmp_path):
    """The same rule for dense rows: at the input 0, a zero-bias MLP has z = 0
    exactly in every neuron (no truncated weight matters: every input is 0),
    settled by the filter with every zero flag set, as the exact pass says."""
    torch.manual_seed(6)
    model = nn.Sequential(nn.Linear(3, 4), nn.ReLU(), nn.Linear(4, 2), nn.ReLU(), nn.Linear(2, 1))
    for mod in model.modules():
        if isinstance(mod, nn.Linear):
            nn.init.zeros_(mod.bias)
    net = pv.Network.from_torch(model, (3,))
    pvnet = tmp_path / "d.pvnet"
    net.save(pvnet)
    csv = U.write_csv(tmp_path / "d.csv", [[0, 0, 0], [0, 0, 0]])
    fast = U.cli_json("code", pvnet, "--points", csv)
    assert fast == U.cli_json("code", pvnet, "--points", csv, "--no-filter")
    assert "2 points proved by the float filter, 0 exactly" in \
        U.run_cli("stats", pvnet, "--data", csv).stdout
    bits, zero = net.code([[0, 0, 0]])
    assert not bits.any() and zero.all()
