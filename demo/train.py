"""Logistic regression for the demo's churn table in plain Python (no numpy needed).

It logs metrics with Cairn's helper (`import cairn` works inside `cairn run`), and pickles the
weights to models/churn.pkl.
"""
import csv
import math
import os
import pickle
import random

import cairn


def read_params(path="params.yaml"):
    params = {}
    with open(path) as f:
        for line in f:
            line = line.split("#")[0].strip()
            if ":" in line:
                key, value = (s.strip() for s in line.split(":", 1))
                try:
                    params[key] = float(value) if "." in value or "e" in value else int(value)
                except ValueError:
                    params[key] = value
    return params


params = read_params()
lr = float(params.get("lr", 0.01)) * 10
epochs = int(params.get("epochs", 6))

with open("data/customers.csv") as f:
    rows = list(csv.DictReader(f))
numeric = ["age", "tenure_months", "monthly_charges", "support_calls"]
values = {n: [float(r[n]) for r in rows if r[n] != ""] for n in numeric}
means = {n: sum(v) / len(v) for n, v in values.items()}
stds = {n: math.sqrt(sum((x - means[n]) ** 2 for x in v) / len(v)) or 1.0 for n, v in values.items()}


def features(r):
    xs = [((float(r[n]) - means[n]) / stds[n]) if r[n] != "" else 0.0 for n in numeric]
    xs += [1.0 if r["plan"] == p else 0.0 for p in ("basic", "plus", "pro")]
    return xs + [1.0]


data = [(features(r), int(r["churned"])) for r in rows]
random.seed(0)
random.shuffle(data)
split = int(len(data) * 0.8)
train, val = data[:split], data[split:]
w = [0.0] * len(train[0][0])


def predict(x):
    z = sum(wi * xi for wi, xi in zip(w, x))
    return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, z))))


def evaluate(part):
    loss, correct = 0.0, 0
    for x, y in part:
        p = min(1 - 1e-7, max(1e-7, predict(x)))
        loss -= y * math.log(p) + (1 - y) * math.log(1 - p)
        correct += (p >= 0.5) == (y == 1)
    return loss / len(part), correct / len(part)


for epoch in range(1, epochs + 1):
    for x, y in train[: 20000]:
        g = predict(x) - y
        w = [wi - lr * g * xi for wi, xi in zip(w, x)]
    loss, acc = evaluate(train[:5000])
    val_loss, val_acc = evaluate(val)
    cairn.log(step=epoch, loss=loss, acc=acc, val_loss=val_loss, val_acc=val_acc)

os.makedirs("models", exist_ok=True)
with open("models/churn.pkl", "wb") as f:
    pickle.dump({"weights": w, "means": means, "stds": stds}, f)
print("saved models/churn.pkl")
