"""Train a small ReLU MLP on the scikit-learn digits, export ONNX, run stats.

Usage: python3 train_digits.py [POLYVERIFY]   (needs python3-torch, python3-sklearn)

The data are the 8x8 digits shipped with scikit-learn (pixels 0..16); the
network takes pixel/16, so `polyverify stats` runs with `--scale 1/16` on
the integer CSV written here (label first). Weights are float32: polyverify
reads each as the exact dyadic rational it encodes.
"""

import subprocess
import sys

import torch
from sklearn.datasets import load_digits


def main():
    polyverify = sys.argv[1] if len(sys.argv) > 1 else 'polyverify'
    digits = load_digits()
    x = torch.tensor(digits.data / 16.0, dtype=torch.float32)
    y = torch.tensor(digits.target, dtype=torch.long)
    torch.manual_seed(0)
    model = torch.nn.Sequential(
        torch.nn.Linear(64, 32), torch.nn.ReLU(),
        torch.nn.Linear(32, 16), torch.nn.ReLU(),
        torch.nn.Linear(16, 10))
    opt = torch.optim.Adam(model.parameters(), lr=1e-2)
    for epoch in range(200):
        opt.zero_grad()
        loss = torch.nn.functional.cross_entropy(model(x), y)
        loss.backward()
        opt.step()
    accuracy = (model(x).argmax(1) == y).float().mean().item()
    print('training accuracy %.3f' % accuracy)
    torch.onnx.export(model, x[:1], 'digits_mlp.onnx', input_names=['x'],
                      output_names=['logits'])
    with open('digits.csv', 'w') as f:
        for label, row in zip(digits.target, digits.data.astype(int)):
            f.write(','.join([str(label)] + [str(v) for v in row]) + '\n')
    subprocess.run([polyverify, 'stats', 'digits_mlp.onnx', '--data', 'digits.csv',
                    '--label-column', '0', '--scale', '1/16'], check=True)


if __name__ == '__main__':
    main()
