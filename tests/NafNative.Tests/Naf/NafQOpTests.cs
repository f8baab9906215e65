using NafNative.Autodiff;
using NafNative.Kernels.Cpu;
using NafNative.Tensors;
using NafNative.Tests.Autodiff;
using NUnit.Framework;

namespace NafNative.Tests.Naf;

/// <summary>Check (c) of the conventions for <see cref="Tape.NafQ"/>: the fused op against the same Q built from
/// primitive tape ops, values and ∂loss/∂head, plus its shape checks.</summary>
/// <remarks>
/// The unfused graph forms dense L [B × n·n] (off-diagonal entries gathered as they are, diagonal entries gathered,
/// exponentiated and scattered onto the diagonal), d = u − tanh(μ pre), tiles d so column i·n + j holds d_i,
/// z = (L ⊙ tile(d))·S with S[i·n + j, j′] = [j = j′] (so z_j = Σ_i L_ij·d_i = (Lᵀd)_j), and Q = V − ½·Σ_j z_j².
/// Both sides are float32 and sum in different orders; each differs from exact by the kernel bound of
/// NafAdvantageTests (≲ (n + 8)·2⁻²³·Σ|terms|, here Σ|terms| ≤ ~50 for n = 12), so rtol 1e-4 with atol 1e-5
/// (<see cref="GradientCheck.EngineRtol"/>, <see cref="GradientCheck.EngineAtol"/>) holds with room: measured, every
/// check still passes at 10× tighter.
/// </remarks>
public sealed class NafQOpTests
{
    public static IEnumerable<object[]> Shapes()
    {
        foreach (int n in new[] { 1, 2, 7, 12 })
            foreach (int batch in new[] { 1, 5 })
                yield return [n, batch];
    }

    [TestCaseSource(nameof(Shapes))]
    public void NafQ_RandomHeadAndActions_ValueMatchesUnfusedOps(int n, int batch)
    {
        int seed = TestData.SeedFor(90, n, batch);
        var (head, actions, _) = RandomInputs(seed, n, batch);

        var fusedTape = new Tape();
        Var fused = fusedTape.NafQ(fusedTape.Input(head), fusedTape.Input(actions));
        var unfusedTape = new Tape();
        Var unfused = Unfused(unfusedTape, unfusedTape.Input(head), unfusedTape.Input(actions), n);

        Assert.That(fused.Shape, Is.EqualTo(new Shape(batch, 1)), $"seed {seed}: Q's shape");
        GradientCheck.AssertClose(fusedTape.Value(fused), TestData.Widen(unfusedTape.Value(unfused)),
            GradientCheck.EngineRtol, GradientCheck.EngineAtol, $"seed {seed}, n={n}, batch={batch}: fused Q vs unfused Q");
    }

    [TestCaseSource(nameof(Shapes))]
    public void NafQ_WeightedSumLoss_HeadGradientMatchesUnfusedOps(int n, int batch)
    {
        int seed = TestData.SeedFor(91, n, batch);
        var (head, actions, weights) = RandomInputs(seed, n, batch);

        float[] fused = HeadGradient(head, actions, weights, n, (tape, h, u) => tape.NafQ(h, u));
        float[] unfused = HeadGradient(head, actions, weights, n, (tape, h, u) => Unfused(tape, h, u, n));

        GradientCheck.AssertClose(fused, TestData.Widen(unfused), GradientCheck.EngineRtol, GradientCheck.EngineAtol,
            $"seed {seed}, n={n}, batch={batch}: fused ∂loss/∂head vs unfused");
    }

    [Test]
    public void NafQ_HeadAlsoFeedsAnotherOp_GradientsAccumulate()
    {
        // loss = Σ Q ⊙ w + Σ head ⊙ w2: the fused backward must add to head's gradient, not overwrite it.
        const int n = 7, batch = 5;
        int seed = TestData.SeedFor(92, n, batch);
        var (head, actions, weights) = RandomInputs(seed, n, batch);
        var headWeights = new Tensor(TestData.Uniform(new Random(seed + 1), head.Length), 0, head.Shape);

        float[] fused = HeadGradient(head, actions, weights, n, (tape, h, u) => tape.NafQ(h, u), headWeights);
        float[] unfused = HeadGradient(head, actions, weights, n, (tape, h, u) => Unfused(tape, h, u, n), headWeights);

        GradientCheck.AssertClose(fused, TestData.Widen(unfused), GradientCheck.EngineRtol, GradientCheck.EngineAtol,
            $"seed {seed}: fused ∂loss/∂head vs unfused, with a second use of head");
    }

    [TestCase(5, 35, 5, 7, "[5×35]", "[5×7]")]
    [TestCase(5, 37, 5, 7, "[5×37]", "[5×7]")]
    [TestCase(4, 36, 5, 7, "[4×36]", "[5×7]")]
    [TestCase(5, 1, 5, 0, "[5×1]", "[5×0]")]
    public void NafQ_ShapesDoNotFit_ThrowsArgumentExceptionNamingBothShapes(int headRows, int headCols, int rows, int n, string headShape, string actionShape)
    {
        var tape = new Tape();
        Var head = tape.Input(new Tensor(headRows, headCols), requiresGradient: true);
        Var actions = tape.Input(new Tensor(rows, n));
        var ex = Assert.Throws<ArgumentException>(() => tape.NafQ(head, actions));
        Assert.That(ex.Message, Does.StartWith("Tape.NafQ:").And.Contain(headShape).And.Contain(actionShape));
        Assert.That(ex.ParamName, Is.EqualTo("actions"));
    }

    [Test]
    public void NafQ_MoreThanMaxActions_ThrowsArgumentExceptionNamingLimit()
    {
        const int n = Tape.NafMaxActions + 1;
        var tape = new Tape();
        Var head = tape.Input(new Tensor(1, NafAdvantage.HeadWidth(n)), requiresGradient: true);
        Var actions = tape.Input(new Tensor(1, n));
        var ex = Assert.Throws<ArgumentException>(() => tape.NafQ(head, actions));
        Assert.That(ex.Message, Does.StartWith("Tape.NafQ:").And.Contain($"[1×{n}]").And.Contain($"n ≤ {Tape.NafMaxActions}"));
    }

    /// <summary>Head rows uniform in [−1, 1) (so exp(diagonal) ∈ [1/e, e)), actions in [−1, 1), loss weights in
    /// [−1.5, 1.5).</summary>
    private static (Tensor Head, Tensor Actions, Tensor Weights) RandomInputs(int seed, int n, int batch)
    {
        var rng = new Random(seed);
        int width = NafAdvantage.HeadWidth(n);
        return (new Tensor(TestData.Uniform(rng, batch * width), 0, new Shape(batch, width)),
            new Tensor(TestData.Uniform(rng, batch * n), 0, new Shape(batch, n)),
            new Tensor(TestData.Uniform(rng, batch, -1.5f, 1.5f), 0, new Shape(batch, 1)));
    }

    /// <summary>∂/∂head of Σ Q ⊙ w (+ Σ head ⊙ w2 when given), on a fresh tape.</summary>
    private static float[] HeadGradient(Tensor head, Tensor actions, Tensor weights, int n,
        Func<Tape, Var, Var, Var> q, Tensor? headWeights = null)
    {
        var tape = new Tape();
        Var h = tape.Input(head, requiresGradient: true);
        Var loss = tape.Sum(tape.Multiply(q(tape, h, tape.Input(actions)), tape.Input(weights)));
        if (headWeights is not null) loss = tape.Add(loss, tape.Sum(tape.Multiply(h, tape.Input(headWeights))));
        tape.Backward(loss);
        return tape.Gradient(h).ToArray();
    }

    /// <summary>Q = V − ½‖Lᵀ(u − tanh(μ pre))‖² from primitive tape ops only.</summary>
    private static Var Unfused(Tape tape, Var head, Var actions, int n)
    {
        int entries = 1 + n; // head column of packed entry 0
        int[] lower = LowerTriangular.GatherIndex(n);
        int[] diagonalEntries = LowerTriangular.DiagonalIndex(n);
        var offDiagonal = new int[n * n];
        var onDiagonal = new int[n * n];
        var tile = new int[n * n];
        var sum = new float[n * n * n];
        for (int k = 0; k < n * n; k++)
        {
            int i = k / n, j = k % n;
            offDiagonal[k] = j < i ? entries + lower[k] : -1;
            onDiagonal[k] = j == i ? i : -1;
            tile[k] = i;
            sum[k * n + j] = 1f;
        }
        for (int i = 0; i < n; i++) diagonalEntries[i] += entries;
        var muColumns = new int[n];
        for (int i = 0; i < n; i++) muColumns[i] = 1 + i;

        Var v = tape.GatherColumns(head, [0]);
        Var d = tape.Subtract(actions, tape.Tanh(tape.GatherColumns(head, muColumns)));
        Var l = tape.Add(tape.GatherColumns(head, offDiagonal),
            tape.GatherColumns(tape.Exp(tape.GatherColumns(head, diagonalEntries)), onDiagonal));
        Var z = tape.MatMul(tape.Multiply(l, tape.GatherColumns(d, tile)), tape.Input(new Tensor(sum, 0, new Shape(n * n, n))));
        return tape.Add(v, tape.Scale(tape.SumRows(tape.Multiply(z, z)), -0.5f));
    }
}
