using NafNative.Autodiff;
using NafNative.Tensors;
using NUnit.Framework;

namespace NafNative.Tests.Autodiff;

/// <summary>One tape op under test: its engine form, a double-precision reference forward, and the reference's
/// analytic backward for the scalar loss Σ op(x) ⊙ upstream.</summary>
internal sealed record OpCase(
    string Name,
    Shape[] InputShapes,
    Shape OutputShape,
    Func<double[][], double[]> Reference,
    Func<double[][], double[], double[][]> ReferenceBackward,
    Func<Tape, Var[], Var> Engine);

/// <summary>The three-way gradient check of the conventions: (a) the double reference's analytic gradient against
/// central differences of the double reference forward; (b) the engine's float32 value and gradient against the
/// double reference.</summary>
internal static class GradientCheck
{
    /// <summary>Central-difference step, and gradcheck's tolerances for reference vs. finite differences (torch
    /// gradcheck defaults: |analytic − numeric| ≤ atol + rtol·|numeric|).</summary>
    public const double Step = 1e-6, ReferenceRtol = 1e-3, ReferenceAtol = 1e-5;

    /// <summary>Engine (float32) vs. the double reference: |engine − ref| ≤ EngineAtol + EngineRtol·|ref|.</summary>
    /// <remarks>
    /// Inputs are O(1) and every engine value or gradient element checked with these is a float32 sum of at most
    /// K ≤ 17 products (the longest GEMM depth or reduction in these fixtures). Its rounding error is bounded by
    /// K·2⁻²³·Σ|terms| ≈ 2e-6·Σ|terms|, and is in practice (random-walk rounding) nearer √K·2⁻²⁴·Σ|terms|. So rtol
    /// 1e-4 (the conventions', from micrograd vs. PyTorch) covers the sizeable entries, and atol 1e-5 covers entries
    /// that nearly cancel, whose relative error is unbounded but absolute error is not. Measured margin: every check
    /// still passes at 10× tighter (rtol 1e-5, atol 1e-6).
    /// </remarks>
    public const double EngineRtol = 1e-4, EngineAtol = 1e-5;

    /// <summary>∂loss/∂x by central differences in double, perturbing every element of <paramref name="x"/>.</summary>
    public static double[] CentralDifferences(Func<double[], double> loss, double[] x, double h = Step)
    {
        var gradient = new double[x.Length];
        var probe = (double[])x.Clone();
        for (int i = 0; i < x.Length; i++)
        {
            double original = probe[i];
            probe[i] = original + h;
            double plus = loss(probe);
            probe[i] = original - h;
            double minus = loss(probe);
            probe[i] = original;
            gradient[i] = (plus - minus) / (2 * h);
        }
        return gradient;
    }

    public static double Dot(double[] a, double[] b)
    {
        Assert.That(a, Has.Length.EqualTo(b.Length), "Dot: lengths differ");
        double sum = 0;
        for (int i = 0; i < a.Length; i++) sum += a[i] * b[i];
        return sum;
    }

    /// <summary>Asserts |actual − expected| ≤ atol + rtol·|expected| element-wise, naming the first bad element.</summary>
    public static void AssertClose(ReadOnlySpan<float> actual, double[] expected, double rtol, double atol, string what)
    {
        Assert.That(actual.Length, Is.EqualTo(expected.Length), $"{what}: length");
        for (int i = 0; i < expected.Length; i++)
        {
            double error = Math.Abs(actual[i] - expected[i]);
            double allowed = atol + rtol * Math.Abs(expected[i]);
            if (!(error <= allowed))
                Assert.Fail($"{what}: element {i} is {actual[i]:R}, expected {expected[i]:R} (error {error:E3} > allowed {allowed:E3}).");
        }
    }

    /// <summary>As above, for double results (reference vs. finite differences).</summary>
    public static void AssertClose(double[] actual, double[] expected, double rtol, double atol, string what)
    {
        Assert.That(actual, Has.Length.EqualTo(expected.Length), $"{what}: length");
        for (int i = 0; i < expected.Length; i++)
        {
            double error = Math.Abs(actual[i] - expected[i]);
            double allowed = atol + rtol * Math.Abs(expected[i]);
            if (!(error <= allowed))
                Assert.Fail($"{what}: element {i} is {actual[i]:R}, expected {expected[i]:R} (error {error:E3} > allowed {allowed:E3}).");
        }
    }

    /// <summary>Runs checks (a) and (b) for <paramref name="op"/> at <paramref name="inputs"/>, with a random fixed
    /// upstream weight w drawn from <paramref name="seed"/>: loss = Sum(Multiply(op(x), w)).</summary>
    public static void Check(OpCase op, float[][] inputs, int seed)
    {
        string where = $"{op.Name} (seed {seed})";
        Assert.That(inputs, Has.Length.EqualTo(op.InputShapes.Length), $"{where}: input count");
        var rng = new Random(seed);
        float[] upstream = TestData.Uniform(rng, op.OutputShape.Length, -1.5f, 1.5f);
        double[] w = TestData.Widen(upstream);
        var x = new double[inputs.Length][];
        for (int i = 0; i < inputs.Length; i++)
        {
            Assert.That(inputs[i], Has.Length.EqualTo(op.InputShapes[i].Length), $"{where}: input {i} length");
            x[i] = TestData.Widen(inputs[i]);
        }

        // (a) The double reference's analytic gradient against its own central differences.
        double[] referenceValue = op.Reference(x);
        Assert.That(referenceValue, Has.Length.EqualTo(op.OutputShape.Length), $"{where}: reference output length");
        double[][] referenceGradient = op.ReferenceBackward(x, w);
        for (int i = 0; i < inputs.Length; i++)
        {
            int which = i;
            double[] numeric = CentralDifferences(xi =>
            {
                var probe = (double[][])x.Clone();
                probe[which] = xi;
                return Dot(op.Reference(probe), w);
            }, x[i]);
            AssertClose(referenceGradient[i], numeric, ReferenceRtol, ReferenceAtol, $"{where}: reference ∂loss/∂input{i} vs central differences");
        }

        // (b) The engine's float32 forward value and gradients against the reference.
        var tape = new Tape();
        var vars = new Var[inputs.Length];
        for (int i = 0; i < inputs.Length; i++)
            vars[i] = tape.Input(new Tensor(inputs[i], 0, op.InputShapes[i]), requiresGradient: true);
        Var y = op.Engine(tape, vars);
        Assert.That(y.Shape, Is.EqualTo(op.OutputShape), $"{where}: output shape");
        AssertClose(tape.Value(y), referenceValue, EngineRtol, EngineAtol, $"{where}: engine value vs reference");
        Var loss = tape.Sum(tape.Multiply(y, tape.Input(new Tensor(upstream, 0, op.OutputShape))));
        tape.Backward(loss);
        for (int i = 0; i < inputs.Length; i++)
            AssertClose(tape.Gradient(vars[i]), referenceGradient[i], EngineRtol, EngineAtol, $"{where}: engine ∂loss/∂input{i} vs reference");
    }
}
