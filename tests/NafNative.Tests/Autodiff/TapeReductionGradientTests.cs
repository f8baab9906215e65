using NafNative.Autodiff;
using NafNative.Tensors;
using NUnit.Framework;

namespace NafNative.Tests.Autodiff;

/// <summary>Sum, Mean, SumRows, GatherColumns and MeanSquaredError: values and gradients against a double reference
/// and its central differences.</summary>
public sealed class TapeReductionGradientTests
{
    [TestCase(3, 5)]
    [TestCase(7, 1)]
    [TestCase(1, 17)]
    public void Sum_RandomInput_GradientMatchesDoubleReference(int rows, int cols)
    {
        int seed = TestData.SeedFor(30, rows, cols);
        var shape = new Shape(rows, cols);
        var op = new OpCase($"Tape.Sum {shape}", [shape], Shape.Scalar,
            x => [Reference.Sum(x[0])],
            (x, w) => [Reference.Map(x[0], _ => w[0])],
            (tape, v) => tape.Sum(v[0]));
        GradientCheck.Check(op, [TestData.Uniform(new Random(seed), shape.Length)], seed);
    }

    [TestCase(3, 5)]
    [TestCase(7, 1)]
    [TestCase(1, 17)]
    public void Mean_RandomInput_GradientMatchesDoubleReference(int rows, int cols)
    {
        int seed = TestData.SeedFor(31, rows, cols);
        var shape = new Shape(rows, cols);
        var op = new OpCase($"Tape.Mean {shape}", [shape], Shape.Scalar,
            x => [Reference.Sum(x[0]) / shape.Length],
            (x, w) => [Reference.Map(x[0], _ => w[0] / shape.Length)],
            (tape, v) => tape.Mean(v[0]));
        GradientCheck.Check(op, [TestData.Uniform(new Random(seed), shape.Length)], seed);
    }

    [TestCase(3, 5)]
    [TestCase(7, 1)]
    [TestCase(1, 17)]
    public void SumRows_RandomInput_GradientMatchesDoubleReference(int rows, int cols)
    {
        int seed = TestData.SeedFor(32, rows, cols);
        var shape = new Shape(rows, cols);
        var op = new OpCase($"Tape.SumRows {shape}", [shape], new Shape(rows, 1),
            x =>
            {
                var y = new double[rows];
                for (int i = 0; i < x[0].Length; i++) y[i / cols] += x[0][i];
                return y;
            },
            (x, w) =>
            {
                var da = new double[shape.Length];
                for (int i = 0; i < da.Length; i++) da[i] = w[i / cols];
                return [da];
            },
            (tape, v) => tape.SumRows(v[0]));
        GradientCheck.Check(op, [TestData.Uniform(new Random(seed), shape.Length)], seed);
    }

    [TestCase(3, 5)]
    [TestCase(7, 1)]
    [TestCase(1, 17)]
    public void GatherColumns_RepeatsAndZeros_GradientMatchesDoubleReference(int rows, int cols)
    {
        // Every column once, the last one three times (gradients add), and −1 (zero) entries between.
        int[] index = [.. Enumerable.Range(0, cols).Reverse(), -1, cols - 1, -1, cols - 1, 0];
        int seed = TestData.SeedFor(33, rows, cols);
        var shape = new Shape(rows, cols);
        var op = new OpCase($"Tape.GatherColumns {shape} by [{string.Join(", ", index)}]", [shape], new Shape(rows, index.Length),
            x => Reference.GatherColumns(x[0], rows, cols, index),
            (x, w) => [Reference.GatherColumnsBackward(w, rows, cols, index)],
            (tape, v) => tape.GatherColumns(v[0], index));
        GradientCheck.Check(op, [TestData.Uniform(new Random(seed), shape.Length)], seed);
    }

    [TestCase(3, 5)]
    [TestCase(7, 1)]
    [TestCase(1, 17)]
    public void MeanSquaredError_PredictionAndTargetNeedGradients_GradientsMatchDoubleReference(int rows, int cols)
    {
        int seed = TestData.SeedFor(34, rows, cols);
        var rng = new Random(seed);
        var shape = new Shape(rows, cols);
        int n = shape.Length;
        var op = new OpCase($"Tape.MeanSquaredError {shape}", [shape, shape], Shape.Scalar,
            x => [Reference.MeanSquaredError(x[0], x[1])],
            (x, w) =>
            {
                double[] dp = Reference.Zip(x[0], x[1], (p, t) => w[0] * 2 * (p - t) / n);
                return [dp, Reference.Map(dp, d => -d)];
            },
            (tape, v) => tape.MeanSquaredError(v[0], v[1]));
        GradientCheck.Check(op, [TestData.Uniform(rng, n), TestData.Uniform(rng, n)], seed);
    }

    [TestCase(3, 5)]
    [TestCase(7, 1)]
    [TestCase(1, 17)]
    public void WeightedMeanSquaredError_PredictionAndTargetNeedGradients_GradientsMatchDoubleReference(int rows, int cols)
    {
        int seed = TestData.SeedFor(36, rows, cols);
        var rng = new Random(seed);
        var shape = new Shape(rows, cols);
        int n = shape.Length;
        // Importance weights in (0, 1], as prioritised replay's normalised ones are; a constant input of the op.
        float[] weights = [.. Enumerable.Range(0, n).Select(_ => 0.05f + 0.95f * rng.NextSingle())];
        double[] w64 = TestData.Widen(weights);
        var op = new OpCase($"Tape.WeightedMeanSquaredError {shape}", [shape, shape], Shape.Scalar,
            x =>
            {
                double sum = 0;
                for (int i = 0; i < n; i++) sum += w64[i] * (x[0][i] - x[1][i]) * (x[0][i] - x[1][i]);
                return [sum / n];
            },
            (x, g) =>
            {
                var dp = new double[n];
                for (int i = 0; i < n; i++) dp[i] = g[0] * 2 * w64[i] * (x[0][i] - x[1][i]) / n;
                return [dp, Reference.Map(dp, d => -d)];
            },
            (tape, v) => tape.WeightedMeanSquaredError(v[0], v[1], tape.Input(new Tensor(weights, 0, shape))));
        GradientCheck.Check(op, [TestData.Uniform(rng, n), TestData.Uniform(rng, n)], seed);
    }

    [Test]
    public void WeightedMeanSquaredError_UnitWeights_EqualsMeanSquaredError()
    {
        var rng = new Random(TestData.SeedFor(37));
        var shape = new Shape(6, 1);
        float[] p = TestData.Uniform(rng, 6), t = TestData.Uniform(rng, 6), ones = [1, 1, 1, 1, 1, 1];
        var tape = new Tape();
        float plain = tape.Value(tape.MeanSquaredError(tape.Input(new Tensor(p, 0, shape)), tape.Input(new Tensor(t, 0, shape))))[0];
        float weighted = tape.Value(tape.WeightedMeanSquaredError(tape.Input(new Tensor(p, 0, shape)), tape.Input(new Tensor(t, 0, shape)),
            tape.Input(new Tensor(ones, 0, shape))))[0];
        Assert.That(weighted, Is.EqualTo(plain).Within(1e-6f));
        var bad = new Tensor(new float[] { 1, 1, float.NaN, 1, 1, 1 }, 0, shape);
        var e = Assert.Throws<ArgumentException>(() => tape.WeightedMeanSquaredError(tape.Input(new Tensor(p, 0, shape)),
            tape.Input(new Tensor(t, 0, shape)), tape.Input(bad)));
        Assert.That(e!.Message, Does.Contain("weight"));
    }

    [Test]
    public void MeanSquaredError_ConstantTarget_OnlyPredictionGetsGradient()
    {
        int seed = TestData.SeedFor(35);
        var rng = new Random(seed);
        var shape = new Shape(4, 3);
        float[] p = TestData.Uniform(rng, shape.Length), t = TestData.Uniform(rng, shape.Length);
        var tape = new Tape();
        Var prediction = tape.Input(new Tensor(p, 0, shape), requiresGradient: true);
        Var target = tape.Input(new Tensor(t, 0, shape));
        Var loss = tape.MeanSquaredError(prediction, target);
        tape.Backward(loss);
        double[] expected = Reference.Zip(TestData.Widen(p), TestData.Widen(t), (a, b) => 2 * (a - b) / shape.Length);
        GradientCheck.AssertClose(tape.Gradient(prediction), expected, GradientCheck.EngineRtol, GradientCheck.EngineAtol,
            $"Tape.MeanSquaredError ∂/∂prediction (seed {seed})");
        Assert.Throws<InvalidOperationException>(() => tape.Gradient(target), "a constant target has no gradient");
    }
}
