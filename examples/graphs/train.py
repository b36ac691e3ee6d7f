"""Train the two example networks of examples/graphs and export them to ONNX.

Usage: /usr/bin/python3 train.py DIGITS.csv.gz   (Debian's python3-torch)

The data are the 8x8 scikit-learn digits (../shared/data/digits.csv.gz:
64 pixels 0..16, then the label; BSD licence, copied from Debian's
python3-sklearn). Both networks take pixel/16 as a [1, 1, 8, 8] tensor:

  cnn.onnx     Conv 1->4 (3x3, pad 1) + BatchNorm + ReLU + AveragePool 2x2
               + Linear 64->10 (torch folds the BatchNorm into the Conv
               when it exports in eval mode)
  resnet.onnx  Conv 1->4 + ReLU, then a residual block
               x -> Conv + ReLU + Conv -> + x -> ReLU, then
               AveragePool 2x2 + Linear 64->10

Weights are float32: polyverify reads each as the exact dyadic rational its
bits encode. Fixed seeds; the shipped .onnx files were made with torch
1.13.1 (Debian 12), so a rerun may differ in the last bits elsewhere.
"""
import gzip
import sys

import torch
import torch.nn as nn


class CNN(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(1, 4, 3, padding=1)
        self.bn = nn.BatchNorm2d(4)
        self.pool = nn.AvgPool2d(2)
        self.fc = nn.Linear(64, 10)

    def forward(self, x):
        h = self.pool(torch.relu(self.bn(self.conv(x))))
        return self.fc(h.flatten(1))


class ResNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.stem = nn.Conv2d(1, 4, 3, padding=1)
        self.c1 = nn.Conv2d(4, 4, 3, padding=1)
        self.c2 = nn.Conv2d(4, 4, 3, padding=1)
        self.pool = nn.AvgPool2d(2)
        self.fc = nn.Linear(64, 10)

    def forward(self, x):
        h = torch.relu(self.stem(x))
        y = torch.relu(self.c2(torch.relu(self.c1(h))) + h)
        return self.fc(self.pool(y).flatten(1))


def load(path):
    xs, ys = [], []
    with gzip.open(path, 'rt') as f:
        for line in f:
            v = [int(t) for t in line.strip().split(',')]
            ys.append(v[64])          # 64 pixels, then the label
            xs.append(v[:64])
    x = torch.tensor(xs, dtype=torch.float32).reshape(-1, 1, 8, 8) / 16
    return x, torch.tensor(ys), xs, ys


def train(model, x, y, epochs=300):
    opt = torch.optim.Adam(model.parameters(), lr=1e-2)
    for _ in range(epochs):
        opt.zero_grad()
        nn.functional.cross_entropy(model(x), y).backward()
        opt.step()
    model.eval()
    return (model(x).argmax(1) == y).float().mean().item()


def main():
    x, y, xs, ys = load(sys.argv[1])
    for name, cls in (('cnn', CNN), ('resnet', ResNet)):
        torch.manual_seed(0)
        model = cls()
        acc = train(model, x, y)
        print('%s: training accuracy %.3f' % (name, acc))
        torch.onnx.export(model, x[:1], name + '.onnx', input_names=['image'],
                          output_names=['logits'], opset_version=13)
    with open('digits10.csv', 'w') as f:     # row k: the first image of digit k
        for k in range(10):
            i = ys.index(k)
            f.write(','.join(str(v) for v in [k] + xs[i]) + '\n')


if __name__ == '__main__':
    main()
