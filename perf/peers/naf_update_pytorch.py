#!/usr/bin/python3
"""The same NAF update as `naf bench update`, in PyTorch, for a side-by-side comparison.

Network obs -> hidden (ReLU) ... -> head [V | mu pre-tanh (n) | packed L (n(n+1)/2)], Q = V - 1/2 |L^T (u - tanh(mu))|^2
with exp() on L's diagonal, target V'(x') from a Polyak-averaged target network, MSE loss, Adam, Polyak.
Run on Debian 12 with `apt-get install python3-torch libopenblas0-openmp` (the default reference BLAS is ~3x slower):
    python3 perf/peers/naf_update_pytorch.py --batch 64 --seconds 5
Prints one JSON object: updates_per_s at one thread.
"""
import argparse, json, time
import torch

p = argparse.ArgumentParser()
p.add_argument("--obs", type=int, default=20)
p.add_argument("--act", type=int, default=7)
p.add_argument("--hidden", default="100,100")
p.add_argument("--batch", type=int, default=64)
p.add_argument("--seconds", type=float, default=5.0)
p.add_argument("--threads", type=int, default=1)
a = p.parse_args()
torch.set_num_threads(a.threads)
torch.manual_seed(0)
n = a.act
width = 1 + n + n * (n + 1) // 2
sizes = [a.obs] + [int(h) for h in a.hidden.split(",")] + [width]

def mlp():
    layers = []
    for i in range(len(sizes) - 1):
        layers.append(torch.nn.Linear(sizes[i], sizes[i + 1]))
        if i < len(sizes) - 2:
            layers.append(torch.nn.ReLU())
    return torch.nn.Sequential(*layers)

online, target = mlp(), mlp()
target.load_state_dict(online.state_dict())
opt = torch.optim.Adam(online.parameters(), lr=1e-3)
rows, cols = torch.tril_indices(n, n)          # row-major packing: L[i, j] at i(i+1)/2 + j
diag = rows == cols
gamma, tau = 0.99, 0.001

x = torch.rand(a.batch, a.obs) * 2 - 1
x2 = torch.rand(a.batch, a.obs) * 2 - 1
u = torch.rand(a.batch, n) * 2 - 1
r = torch.rand(a.batch) * 2 - 1
done = torch.zeros(a.batch)
done[::10] = 1

def update():
    with torch.no_grad():
        y = r + gamma * (1 - done) * target(x2)[:, 0]
    h = online(x)
    v, mu = h[:, 0], torch.tanh(h[:, 1:1 + n])
    entries = h[:, 1 + n:]
    entries = torch.where(diag, entries.exp(), entries)
    L = torch.zeros(a.batch, n, n)
    L[:, rows, cols] = entries
    z = torch.bmm(L.transpose(1, 2), (u - mu).unsqueeze(2)).squeeze(2)
    q = v - 0.5 * (z * z).sum(1)
    loss = ((q - y) ** 2).mean()
    opt.zero_grad(set_to_none=False)
    loss.backward()
    opt.step()
    with torch.no_grad():
        for pt, po in zip(target.parameters(), online.parameters()):
            pt.mul_(1 - tau).add_(po, alpha=tau)

for _ in range(50):
    update()
count, start = 0, time.perf_counter()
while time.perf_counter() - start < a.seconds:
    update()
    count += 1
elapsed = time.perf_counter() - start
print(json.dumps({"peer": "pytorch", "torch": torch.__version__, "threads": a.threads, "batch": a.batch,
                  "updates_per_s": count / elapsed}))
