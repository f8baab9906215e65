using NafNative.Autodiff;
using NafNative.Naf;
using NafNative.Tests.Autodiff;
using NUnit.Framework;

namespace NafNative.Tests.Naf;

/// <summary>The whole NAF update's gradient — target network, TD target, MLP body, fused Q head, MSE — against
/// central differences in double of an independent double-precision reference, over every online parameter.</summary>
public sealed class NafTrainerGradientTests
{
    private const int Batch = 4;
    private const float Discount = 0.9f;

    [TestCase(3, 2, new[] { 5 })]
    [TestCase(3, 3, new[] { 4, 4 })]
    [TestCase(2, 1, new[] { 3 })]
    public void ComputeGradients_TinyNetwork_MatchesDoubleFiniteDifferencesOfTdLoss(int obs, int act, int[] hidden)
    {
        int seed = TestData.SeedFor(300, obs, act, hidden.Length);
        var options = new NafOptions
        {
            ObservationSize = obs, ActionSize = act, HiddenSizes = hidden, BatchSize = Batch, Discount = Discount, Seed = seed,
        };
        var trainer = new NafTrainer(options);
        var rng = new Random(seed);
        // θ′ ≠ θ, so a bug that reads V′ from the online network (or lets gradient flow into θ′) shows.
        for (int i = 0; i < trainer.Target.Length; i++) trainer.Target[i] = trainer.Online.Values[i] + 0.2f * (2 * rng.NextSingle() - 1);
        var batch = TransitionBatch.Random(options, rng);
        // Both branches of the TD target: bootstrapped (0) and terminal (1).
        batch.Terminated.AsSpan().Clear();
        batch.Terminated[1] = 1f;
        string where = $"NafTrainer obs {obs}, act {act}, hidden [{string.Join(",", hidden)}], batch {Batch} (seed {seed})";

        var reference = new ReferenceNaf(trainer.Network, batch);
        double[] theta = TestData.Widen(trainer.Online.Values);
        double[] thetaTarget = TestData.Widen(trainer.Target);
        double[] y = reference.TdTargets(thetaTarget, Discount);
        // h = 1e-6 moves a pre-activation by at most ~1e-6·(1 + Σ|input|) ≪ 1e-3, so no difference crosses a kink.
        Assert.That(reference.SmallestHiddenPreactivation(theta, batch.Observations), Is.GreaterThan(1e-3),
            $"{where}: an online hidden pre-activation sits near ReLU's kink; pick another seed");
        Assert.That(reference.SmallestHiddenPreactivation(thetaTarget, batch.NextObservations), Is.GreaterThan(1e-3),
            $"{where}: a target hidden pre-activation sits near ReLU's kink; pick another seed");
        double[] numeric = GradientCheck.CentralDifferences(t => reference.Loss(t, y), theta);

        float[] valuesBefore = (float[])trainer.Online.Values.Clone(), targetBefore = (float[])trainer.Target.Clone();
        float loss = batch.ComputeGradientsOn(trainer);

        // Tolerances: GradientCheck's engine bounds (rtol 1e-4, atol 1e-5). Every float32 sum here is short (GEMM depth
        // ≤ 5, batch 4, ≤ 3 terms per z_j), and the engine's y is the float32 image of the reference's (relative error
        // ~1e-7, moving each gradient entry by ~2/B·1e-7·|∂Q/∂θ|); double central differences are accurate to ~1e-9.
        GradientCheck.AssertClose([loss], [reference.Loss(theta, y)], GradientCheck.EngineRtol, GradientCheck.EngineAtol, $"{where}: TD loss");
        GradientCheck.AssertClose(trainer.Online.Gradients, numeric, GradientCheck.EngineRtol, GradientCheck.EngineAtol,
            $"{where}: ∂loss/∂θ over all {trainer.Online.Length} online parameters");
        BitExact.AssertEqual(trainer.Online.Values, valuesBefore, $"{where}: ComputeGradients must not move θ");
        BitExact.AssertEqual(trainer.Target, targetBefore, $"{where}: ComputeGradients must not move θ′");
        Assert.That(trainer.Steps, Is.Zero, $"{where}: ComputeGradients is not a step");
    }

    [Test]
    public void ComputeGradients_TargetDiffersFromOnline_LossUsesTargetNetworkForBootstrap()
    {
        // Moving θ′ alone must change the loss (V′ is read from θ′), while a batch of terminal transitions must not
        // depend on θ′ at all.
        int seed = TestData.SeedFor(301);
        var options = new NafOptions { ObservationSize = 3, ActionSize = 2, HiddenSizes = [5], BatchSize = Batch, Seed = seed };
        var trainer = new NafTrainer(options);
        var batch = TransitionBatch.Random(options, new Random(seed), terminatedProbability: 0f);
        float before = batch.ComputeGradientsOn(trainer);
        for (int i = 0; i < trainer.Target.Length; i++) trainer.Target[i] += 0.1f;
        float shifted = batch.ComputeGradientsOn(trainer);
        Assert.That(shifted, Is.Not.EqualTo(before), $"seed {seed}: the loss ignores θ′");

        Array.Fill(batch.Terminated, 1f);
        float terminal = batch.ComputeGradientsOn(trainer);
        for (int i = 0; i < trainer.Target.Length; i++) trainer.Target[i] -= 0.3f;
        Assert.That(batch.ComputeGradientsOn(trainer), Is.EqualTo(terminal), $"seed {seed}: terminal transitions must not bootstrap from θ′");
    }

    /// <summary>The NAF loss in double, from the definitions and sharing no code with the engine: MLP with ReLU hidden
    /// layers; head [V | μ pre-tanh (n) | L packed row by row, L[i, j] at i(i+1)/2 + j, exp on the diagonal];
    /// Q = V − ½ dᵀ(L Lᵀ)d with d = u − tanh(pre); loss = mean (Q − y)².</summary>
    private sealed class ReferenceNaf(NafNetwork network, TransitionBatch batch)
    {
        private readonly int _n = network.ActionSize, _width = network.HeadWidth;
        private readonly double[] _x = TestData.Widen(batch.Observations), _next = TestData.Widen(batch.NextObservations);
        private readonly double[] _u = TestData.Widen(batch.Actions);

        /// <summary>y = r + γ(1 − terminated)·V′(x′), V′ from θ′ (a constant of the loss).</summary>
        public double[] TdTargets(double[] thetaTarget, float discount)
        {
            double[] head = Head(thetaTarget, _next, out _);
            var y = new double[Batch];
            for (int b = 0; b < Batch; b++) y[b] = batch.Rewards[b] + (double)discount * (1 - batch.Terminated[b]) * head[b * _width];
            return y;
        }

        public double Loss(double[] theta, double[] y)
        {
            double[] head = Head(theta, _x, out _);
            var q = new double[Batch];
            for (int b = 0; b < Batch; b++) q[b] = Q(head.AsSpan(b * _width, _width), _u.AsSpan(b * _n, _n));
            return Reference.MeanSquaredError(q, y);
        }

        public double SmallestHiddenPreactivation(double[] theta, float[] x)
        {
            Head(theta, TestData.Widen(x), out double smallest);
            return smallest;
        }

        private double Q(ReadOnlySpan<double> head, ReadOnlySpan<double> u)
        {
            var lower = new double[_n, _n];
            for (int i = 0, t = 1 + _n; i < _n; i++)
                for (int j = 0; j <= i; j++, t++) lower[i, j] = i == j ? Math.Exp(head[t]) : head[t];
            var d = new double[_n];
            for (int i = 0; i < _n; i++) d[i] = u[i] - Math.Tanh(head[1 + i]);
            // A = −½ dᵀ P d with P = L Lᵀ formed explicitly (the engine never forms P).
            double quadratic = 0;
            for (int i = 0; i < _n; i++)
                for (int k = 0; k < _n; k++)
                {
                    double p = 0;
                    for (int j = 0; j < _n; j++) p += lower[i, j] * lower[k, j];
                    quadratic += d[i] * p * d[k];
                }
            return head[0] - 0.5 * quadratic;
        }

        private double[] Head(double[] theta, double[] x, out double smallestHidden)
        {
            IReadOnlyList<int> sizes = network.Body.Sizes;
            smallestHidden = double.PositiveInfinity;
            double[] h = x;
            for (int l = 0; l < sizes.Count - 1; l++)
            {
                h = Reference.Linear(h, Slice(theta, $"naf.{l}.weight"), Slice(theta, $"naf.{l}.bias"), Batch, sizes[l], sizes[l + 1]);
                if (l < sizes.Count - 2)
                {
                    foreach (double z in h) smallestHidden = Math.Min(smallestHidden, Math.Abs(z));
                    h = Reference.Map(h, z => Math.Max(z, 0));
                }
            }
            return h;
        }

        private double[] Slice(double[] theta, string name)
        {
            ParameterSlice slice = network.Layout.Slices.Single(s => s.Name == name);
            return theta.AsSpan(slice.Offset, slice.Length).ToArray();
        }
    }
}
