#!/usr/bin/python3
"""The SimpleMLP (784-32-10) of the dynamic-batch MLP sample, trained on the same 8,000 MNIST test digits as
mnist.onnx (flattened) and exported to ONNX with a dynamic batch axis, as the seed's export script does
(input 'input' Nx784, output 'output' Nx10, opset 11)."""
import os

import torch
import torch.nn as nn
import torch.nn.functional as F

from train_mnist import load

HERE = os.path.dirname(os.path.abspath(__file__))


class SimpleMLP(nn.Module):
    def __init__(self, input_size=784, hidden_size=32, num_classes=10):
        super().__init__()
        self.fc1 = nn.Linear(input_size, hidden_size)
        self.fc2 = nn.Linear(hidden_size, num_classes)

    def forward(self, x):
        return self.fc2(F.relu(self.fc1(x)))


def main():
    torch.manual_seed(0)
    images, labels = load()
    x = images.reshape(-1, 784)
    model = SimpleMLP()
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    for epoch in range(10):
        order = torch.randperm(8000)
        for start in range(0, 8000, 64):
            batch = order[start:start + 64]
            loss = F.cross_entropy(model(x[batch]), labels[batch])
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
    with torch.no_grad():
        accuracy = (model(x[8000:]).argmax(1) == labels[8000:]).float().mean().item()
    print(f"held-out accuracy {accuracy:.4f}")
    torch.onnx.export(model.eval(), torch.randn(1, 784), os.path.join(HERE, "simple_mlp.onnx"), input_names=["input"],
                      output_names=["output"], opset_version=11,
                      dynamic_axes={"input": {0: "input_batch_size"}, "output": {0: "output_batch_size"}})


if __name__ == "__main__":
    main()
