#!/usr/bin/python3
"""Trains the samples' small MNIST CNN with Debian's python3-torch on the CPU and exports it to ONNX.

Honest provenance: it trains on the first 8,000 digits of the MNIST *test* set (the only MNIST data bundled with
kiln, in samples/data/mnist) and measures accuracy on the remaining 2,000, which it never sees while training.
Writes samples/models/mnist.onnx (dynamic batch axis, input 'input' Nx1x28x28 in [0, 1], output 'logits' Nx10)
and samples/models/mnist_accuracy.txt.
"""
import gzip
import os

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

HERE = os.path.dirname(os.path.abspath(__file__))
DATA = os.path.join(HERE, "..", "data", "mnist")


def load():
    with gzip.open(os.path.join(DATA, "t10k-images-idx3-ubyte.gz")) as f:
        images = np.frombuffer(f.read(), np.uint8, offset=16).reshape(-1, 1, 28, 28).astype(np.float32) / 255.0
    with gzip.open(os.path.join(DATA, "t10k-labels-idx1-ubyte.gz")) as f:
        labels = np.frombuffer(f.read(), np.uint8, offset=8).astype(np.int64)
    return torch.from_numpy(images), torch.from_numpy(labels)


class MnistNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 8, 5, padding=2)
        self.conv2 = nn.Conv2d(8, 16, 5, padding=2)
        self.fc1 = nn.Linear(16 * 7 * 7, 64)
        self.fc2 = nn.Linear(64, 10)

    def forward(self, x):
        x = F.max_pool2d(F.relu(self.conv1(x)), 2)
        x = F.max_pool2d(F.relu(self.conv2(x)), 2)
        x = torch.flatten(x, 1)
        return self.fc2(F.relu(self.fc1(x)))


def main():
    torch.manual_seed(0)
    images, labels = load()
    train_x, train_y = images[:8000], labels[:8000]
    test_x, test_y = images[8000:], labels[8000:]
    model = MnistNet()
    optimizer = torch.optim.Adam(model.parameters(), lr=2e-3)
    for epoch in range(10):
        model.train()
        order = torch.randperm(len(train_x))
        for start in range(0, len(order), 64):
            batch = order[start:start + 64]
            loss = F.cross_entropy(model(train_x[batch]), train_y[batch])
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
        model.eval()
        with torch.no_grad():
            accuracy = (model(test_x).argmax(1) == test_y).float().mean().item()
        print(f"epoch {epoch + 1}: held-out accuracy {accuracy:.4f}")
    torch.onnx.export(model, torch.zeros(1, 1, 28, 28), os.path.join(HERE, "mnist.onnx"), input_names=["input"],
                      output_names=["logits"], opset_version=13,
                      dynamic_axes={"input": {0: "batch"}, "logits": {0: "batch"}})
    with open(os.path.join(HERE, "mnist_accuracy.txt"), "w") as f:
        f.write(f"trained on MNIST test digits 0-7999, evaluated on digits 8000-9999 (never trained on)\n")
        f.write(f"accuracy on the 2,000 held-out digits: {accuracy:.4f} ({round(accuracy * 2000)} / 2000)\n")
    print("wrote", os.path.join(HERE, "mnist.onnx"))


if __name__ == "__main__":
    main()
