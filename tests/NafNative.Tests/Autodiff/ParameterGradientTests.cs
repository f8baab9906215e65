using NafNative.Autodiff;
using NafNative.Tensors;
using NUnit.Framework;

namespace NafNative.Tests.Autodiff;

/// <summary>Parameters read from a flat <see cref="ParameterVector"/>: gradients land at their slices' offsets and
/// accumulate across Backward calls until <see cref="ParameterVector.ZeroGradients"/>.</summary>
public sealed class ParameterGradientTests
{
    private const int Batch = 5, Inputs = 7, Outputs = 11;

    /// <summary>A layout with unused slices before, between and after the layer's weight and bias, so wrong offsets
    /// show up as gradients in the padding.</summary>
    private sealed class Fixture
    {
        public readonly ParameterLayout Layout = new();
        public readonly ParameterSlice Head, Weight, Gap, Bias, Tail;
        public readonly ParameterVector Parameters;
        public readonly float[] Upstream;

        public Fixture(int seed)
        {
            Head = Layout.Add("head", new Shape(2, 3));
            Weight = Layout.Add("layer.weight", new Shape(Inputs, Outputs));
            Gap = Layout.Add("gap", Shape.Vector(4));
            Bias = Layout.Add("layer.bias", Shape.Vector(Outputs));
            Tail = Layout.Add("tail", new Shape(3, 1));
            Parameters = new ParameterVector(Layout);
            var rng = new Random(seed);
            TestData.Uniform(rng, Parameters.Length).CopyTo(Parameters.Values, 0);
            Upstream = TestData.Uniform(rng, Batch * Outputs);
        }

        /// <summary>Records loss = Σ Linear(x, W, b) ⊙ upstream and returns it with the weight and bias vars.</summary>
        public (Var Loss, Var Weight, Var Bias) Record(Tape tape, float[] x)
        {
            Var w = tape.Parameter(Parameters, Weight);
            Var b = tape.Parameter(Parameters, Bias);
            Var y = tape.Linear(tape.Input(new Tensor(x, 0, new Shape(Batch, Inputs))), w, b);
            return (tape.Sum(tape.Multiply(y, tape.Input(new Tensor(Upstream, 0, y.Shape)))), w, b);
        }

        /// <summary>The double reference's (dW, db) at x (its MatMul backward is checked against central
        /// differences in <see cref="TapeProductGradientTests"/>).</summary>
        public (double[] DW, double[] DB) Expected(float[] x)
        {
            double[] w = TestData.Widen(Upstream);
            var (_, dWeight) = Reference.MatMulBackward(TestData.Widen(x), TestData.Widen(Parameters.Value(Weight)), w, Batch, Inputs, Outputs);
            return (dWeight, Reference.SumColumns(w, Batch, Outputs));
        }

        public void AssertPaddingZero(string where)
        {
            foreach (ParameterSlice pad in (ParameterSlice[])[Head, Gap, Tail])
                Assert.That(Parameters.Gradient(pad).ToArray(), Is.All.EqualTo(0f), $"{where}: no gradient may land in unused slice {pad}");
        }
    }

    [Test]
    public void Backward_LinearOnParameters_GradientsLandAtSliceOffsets()
    {
        int seed = TestData.SeedFor(40);
        var f = new Fixture(seed);
        float[] x = TestData.Uniform(new Random(seed + 1), Batch * Inputs);
        var tape = new Tape();
        var (loss, w, b) = f.Record(tape, x);
        tape.Backward(loss);

        var (dw, db) = f.Expected(x);
        string where = $"seed {seed}";
        GradientCheck.AssertClose(f.Parameters.Gradient(f.Weight), dw, GradientCheck.EngineRtol, GradientCheck.EngineAtol, $"{where}: weight gradient at {f.Weight}");
        GradientCheck.AssertClose(f.Parameters.Gradient(f.Bias), db, GradientCheck.EngineRtol, GradientCheck.EngineAtol, $"{where}: bias gradient at {f.Bias}");
        f.AssertPaddingZero(where);
        Assert.That(tape.Gradient(w).ToArray(), Is.EqualTo(f.Parameters.Gradient(f.Weight).ToArray()).AsCollection,
            $"{where}: Tape.Gradient of a parameter is its slice of ParameterVector.Gradients");
        Assert.That(tape.Gradient(b).ToArray(), Is.EqualTo(f.Parameters.Gradient(f.Bias).ToArray()).AsCollection, where);
    }

    [Test]
    public void Backward_CalledTwiceWithoutZeroGradients_ParameterGradientsAccumulate()
    {
        int seed = TestData.SeedFor(41);
        var f = new Fixture(seed);
        float[] x = TestData.Uniform(new Random(seed + 1), Batch * Inputs);
        var tape = new Tape();
        var (loss, _, _) = f.Record(tape, x);
        tape.Backward(loss);
        float[] once = (float[])f.Parameters.Gradients.Clone();
        tape.Backward(loss);

        // The second pass adds the same float32 gradient again: 2g up to one rounding per element (and per GEMM
        // partial sum), well inside 1e-6 relative.
        double[] twice = TestData.Widen(once).Select(g => 2 * g).ToArray();
        GradientCheck.AssertClose(f.Parameters.Gradients, twice, 1e-6, 1e-7, $"seed {seed}: gradients after two Backward calls");
        f.AssertPaddingZero($"seed {seed}");
    }

    [Test]
    public void Backward_TwoStepsWithResetBetween_ParameterGradientsAreTheSumOfBoth()
    {
        int seed = TestData.SeedFor(42);
        var f = new Fixture(seed);
        var rng = new Random(seed + 1);
        float[] x1 = TestData.Uniform(rng, Batch * Inputs), x2 = TestData.Uniform(rng, Batch * Inputs);
        var tape = new Tape();
        tape.Backward(f.Record(tape, x1).Loss);
        tape.Reset();
        tape.Backward(f.Record(tape, x2).Loss);

        var (dw1, db1) = f.Expected(x1);
        var (dw2, db2) = f.Expected(x2);
        string where = $"seed {seed}";
        GradientCheck.AssertClose(f.Parameters.Gradient(f.Weight), Reference.Zip(dw1, dw2, (p, q) => p + q),
            GradientCheck.EngineRtol, GradientCheck.EngineAtol, $"{where}: accumulated weight gradient");
        GradientCheck.AssertClose(f.Parameters.Gradient(f.Bias), Reference.Zip(db1, db2, (p, q) => p + q),
            GradientCheck.EngineRtol, GradientCheck.EngineAtol, $"{where}: accumulated bias gradient");
        f.AssertPaddingZero(where);
    }

    [Test]
    public void ZeroGradients_AfterBackward_ClearsEveryGradient()
    {
        int seed = TestData.SeedFor(43);
        var f = new Fixture(seed);
        var tape = new Tape();
        tape.Backward(f.Record(tape, TestData.Uniform(new Random(seed + 1), Batch * Inputs)).Loss);
        Assert.That(f.Parameters.Gradients, Has.Some.Not.EqualTo(0f), "fixture: backward left gradients to clear");
        f.Parameters.ZeroGradients();
        Assert.That(f.Parameters.Gradients, Is.All.EqualTo(0f));
    }

    [Test]
    public void Parameter_UsedTwiceInOneGraph_GradientSumsBothUses()
    {
        // y = (x·W)·W with W square: ∂/∂W Σ y⊙w = (x·W)ᵀ·w + xᵀ·(w·Wᵀ).
        const int n = 5;
        int seed = TestData.SeedFor(44);
        var rng = new Random(seed);
        var layout = new ParameterLayout();
        layout.Add("pad", Shape.Vector(3));
        ParameterSlice slice = layout.Add("w", new Shape(n, n));
        var parameters = new ParameterVector(layout);
        TestData.Uniform(rng, parameters.Length).CopyTo(parameters.Values, 0);
        float[] x = TestData.Uniform(rng, 3 * n), upstream = TestData.Uniform(rng, 3 * n);

        var tape = new Tape();
        Var vx = tape.Input(new Tensor(x, 0, new Shape(3, n)));
        Var h = tape.MatMul(vx, tape.Parameter(parameters, slice));
        Var y = tape.MatMul(h, tape.Parameter(parameters, slice));
        tape.Backward(tape.Sum(tape.Multiply(y, tape.Input(new Tensor(upstream, 0, y.Shape)))));

        double[] xd = TestData.Widen(x), wd = TestData.Widen(parameters.Value(slice)), u = TestData.Widen(upstream);
        double[] hd = Reference.MatMul(xd, wd, 3, n, n);
        var (dh, dW2) = Reference.MatMulBackward(hd, wd, u, 3, n, n);
        var (_, dW1) = Reference.MatMulBackward(xd, wd, dh, 3, n, n);
        GradientCheck.AssertClose(parameters.Gradient(slice), Reference.Zip(dW1, dW2, (p, q) => p + q),
            GradientCheck.EngineRtol, GradientCheck.EngineAtol, $"seed {seed}: W used twice");
        Assert.That(parameters.Gradients.AsSpan(0, 3).ToArray(), Is.All.EqualTo(0f), $"seed {seed}: pad untouched");
    }

    [Test]
    public void Parameter_ValueChangedBetweenSteps_ForwardReadsVectorInPlace()
    {
        var layout = new ParameterLayout();
        ParameterSlice slice = layout.Add("b", Shape.Vector(3));
        var parameters = new ParameterVector(layout);
        var tape = new Tape();
        parameters.Value(slice).Fill(2f);
        Assert.That(tape.Value(tape.Sum(tape.Parameter(parameters, slice)))[0], Is.EqualTo(6f));
        tape.Reset();
        parameters.Value(slice).Fill(-1f);
        Assert.That(tape.Value(tape.Sum(tape.Parameter(parameters, slice)))[0], Is.EqualTo(-3f), "no stale copy of the parameters");
    }

    [Test]
    public void Parameter_AfterInputOverSameVector_StillReceivesGradient()
    {
        // A parameter vector first read as a constant input (e.g. a frozen copy of a layer) and then as parameters
        // in the same step: both share one storage slot, which must still carry the gradient array.
        var layout = new ParameterLayout();
        ParameterSlice a = layout.Add("a", Shape.Vector(3));
        ParameterSlice b = layout.Add("b", Shape.Vector(3));
        var parameters = new ParameterVector(layout);
        parameters.Values.AsSpan().Fill(1.5f);
        var tape = new Tape();
        Var constant = tape.Input(parameters.ValueTensor(a));
        Var learned = tape.Parameter(parameters, b);
        tape.Backward(tape.Sum(tape.Multiply(constant, learned)));
        Assert.That(parameters.Gradient(b).ToArray(), Is.All.EqualTo(1.5f), "∂/∂b Σ a⊙b = a");
        Assert.That(parameters.Gradient(a).ToArray(), Is.All.EqualTo(0f), "the constant read gets no gradient");
    }
}
