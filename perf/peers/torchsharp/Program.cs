// The same NAF update as `naf bench update` and perf/peers/naf_update_pytorch.py, in TorchSharp, for a side-by-side
// comparison:  dotnet run -c Release --project perf/peers/torchsharp -- BATCH SECONDS   (one JSON line, 1 thread).
// TorchSharp-cpu 0.107 (the only version the NuGet mirror serves) bundles a libtorch that needs GLIBCXX_3.4.32, i.e.
// libstdc++ from GCC 13+, which needs glibc ≥ 2.38: it runs as is on Debian 13 / Ubuntu 24.04. On Debian 12 (glibc
// 2.36, GLIBCXX_3.4.30) run it with run-on-debian12.sh, which gives this one process Debian 13's glibc and libstdc++.
using System.Diagnostics;
using TorchSharp;
using static TorchSharp.torch;

int batch = args.Length > 0 ? int.Parse(args[0]) : 64;
double seconds = args.Length > 1 ? double.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 5;
const int obs = 20, n = 7;
int width = 1 + n + n * (n + 1) / 2;
torch.set_num_threads(1);
torch.manual_seed(0);

nn.Module<Tensor, Tensor> Mlp() => nn.Sequential(
    ("l0", nn.Linear(obs, 100)), ("r0", nn.ReLU()),
    ("l1", nn.Linear(100, 100)), ("r1", nn.ReLU()),
    ("l2", nn.Linear(100, width)));

var online = Mlp();
var target = Mlp();
target.load_state_dict(online.state_dict());
var opt = torch.optim.Adam(online.parameters(), lr: 1e-3);
var tril = torch.tril_indices(n, n);
var rows = tril[0];
var cols = tril[1];
var diag = rows.eq(cols);
const double gamma = 0.99, tau = 0.001;

var x = torch.rand(batch, obs) * 2 - 1;
var x2 = torch.rand(batch, obs) * 2 - 1;
var u = torch.rand(batch, n) * 2 - 1;
var r = torch.rand(batch) * 2 - 1;
var done = torch.zeros(batch);
done[TensorIndex.Slice(0, null, 10)] = torch.tensor(1f);
var onlineParams = online.parameters().ToArray();
var targetParams = target.parameters().ToArray();

void Update()
{
    using var scope = torch.NewDisposeScope();
    Tensor y;
    using (torch.no_grad())
        y = r + gamma * (1 - done) * target.forward(x2)[TensorIndex.Colon, 0];
    var h = online.forward(x);
    var v = h[TensorIndex.Colon, 0];
    var mu = torch.tanh(h[TensorIndex.Colon, TensorIndex.Slice(1, 1 + n)]);
    var entries = h[TensorIndex.Colon, TensorIndex.Slice(1 + n, null)];
    entries = torch.where(diag, entries.exp(), entries);
    var L = torch.zeros(batch, n, n);
    L.index_put_(entries, TensorIndex.Colon, TensorIndex.Tensor(rows), TensorIndex.Tensor(cols));
    var z = torch.bmm(L.transpose(1, 2), (u - mu).unsqueeze(2)).squeeze(2);
    var q = v - 0.5 * (z * z).sum(1);
    var loss = (q - y).pow(2).mean();
    opt.zero_grad();
    loss.backward();
    opt.step();
    using (torch.no_grad())
        for (int i = 0; i < onlineParams.Length; i++)
            targetParams[i].mul_(1 - tau).add_(onlineParams[i], alpha: tau);
}

for (int i = 0; i < 50; i++) Update();
long count = 0;
var sw = Stopwatch.StartNew();
while (sw.Elapsed.TotalSeconds < seconds)
{
    Update();
    count++;
}
Console.WriteLine($"{{\"peer\":\"torchsharp-cpu\",\"version\":\"0.107.0\",\"threads\":1,\"batch\":{batch},\"updates_per_s\":{(count / sw.Elapsed.TotalSeconds).ToString(System.Globalization.CultureInfo.InvariantCulture)}}}");
