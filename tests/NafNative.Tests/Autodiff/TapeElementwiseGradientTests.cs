using NafNative.Autodiff;
using NafNative.Tensors;
using NUnit.Framework;

namespace NafNative.Tests.Autodiff;

/// <summary>Add, Subtract, Multiply and Scale: values and gradients against a double reference and its central
/// differences.</summary>
public sealed class TapeElementwiseGradientTests
{
    [TestCase(3, 5)]
    [TestCase(7, 1)]
    [TestCase(1, 17)]
    public void Add_RandomInputs_GradientMatchesDoubleReference(int rows, int cols) =>
        CheckBinary("Tape.Add", 1, rows, cols, (a, b) => a + b, (a, b, w) => w, (a, b, w) => w, (t, a, b) => t.Add(a, b));

    [TestCase(3, 5)]
    [TestCase(7, 1)]
    [TestCase(1, 17)]
    public void Subtract_RandomInputs_GradientMatchesDoubleReference(int rows, int cols) =>
        CheckBinary("Tape.Subtract", 2, rows, cols, (a, b) => a - b, (a, b, w) => w, (a, b, w) => -w, (t, a, b) => t.Subtract(a, b));

    [TestCase(3, 5)]
    [TestCase(7, 1)]
    [TestCase(1, 17)]
    public void Multiply_RandomInputs_GradientMatchesDoubleReference(int rows, int cols) =>
        CheckBinary("Tape.Multiply", 3, rows, cols, (a, b) => a * b, (a, b, w) => w * b, (a, b, w) => w * a, (t, a, b) => t.Multiply(a, b));

    [TestCase(3, 5, -1.7f)]
    [TestCase(7, 1, 0.25f)]
    [TestCase(1, 17, 3f)]
    public void Scale_RandomInput_GradientMatchesDoubleReference(int rows, int cols, float factor)
    {
        int seed = TestData.SeedFor(4, rows, cols);
        var shape = new Shape(rows, cols);
        var op = new OpCase($"Tape.Scale {shape} by {factor}", [shape], shape,
            x => Reference.Map(x[0], a => factor * a),
            (x, w) => [Reference.Map(w, wi => factor * wi)],
            (tape, v) => tape.Scale(v[0], factor));
        GradientCheck.Check(op, [TestData.Uniform(new Random(seed), shape.Length)], seed);
    }

    [Test]
    public void Multiply_SameVarTwice_GradientIsTwiceTheValue()
    {
        // y = a ⊙ a: both backward contributions (dy·b, dy·a) add into a's one gradient, giving 2a ⊙ w.
        int seed = TestData.SeedFor(5);
        var shape = new Shape(3, 5);
        var op = new OpCase("Tape.Multiply(a, a) [3×5]", [shape], shape,
            x => Reference.Map(x[0], a => a * a),
            (x, w) => [Reference.Zip(x[0], w, (a, wi) => 2 * a * wi)],
            (tape, v) => tape.Multiply(v[0], v[0]));
        GradientCheck.Check(op, [TestData.Uniform(new Random(seed), shape.Length)], seed);
    }

    [Test]
    public void Subtract_OnlySecondOperandNeedsGradient_GradientIsNegatedUpstream()
    {
        int seed = TestData.SeedFor(6);
        var rng = new Random(seed);
        float[] a = TestData.Uniform(rng, 15), b = TestData.Uniform(rng, 15), w = TestData.Uniform(rng, 15);
        var shape = new Shape(3, 5);
        var tape = new Tape();
        Var va = tape.Input(new Tensor(a, 0, shape));
        Var vb = tape.Input(new Tensor(b, 0, shape), requiresGradient: true);
        tape.Backward(tape.Sum(tape.Multiply(tape.Subtract(va, vb), tape.Input(new Tensor(w, 0, shape)))));
        Assert.That(tape.Gradient(vb).ToArray(), Is.EqualTo(w.Select(x => -x).ToArray()).AsCollection,
            $"seed {seed}: ∂/∂b Σ (a − b) ⊙ w = −w exactly");
    }

    private static void CheckBinary(string name, int salt, int rows, int cols, Func<double, double, double> f,
        Func<double, double, double, double> da, Func<double, double, double, double> db, Func<Tape, Var, Var, Var> engine)
    {
        int seed = TestData.SeedFor(10 + salt, rows, cols);
        var rng = new Random(seed);
        var shape = new Shape(rows, cols);
        var op = new OpCase($"{name} {shape}", [shape, shape], shape,
            x => Reference.Zip(x[0], x[1], f),
            (x, w) =>
            {
                var ga = new double[shape.Length];
                var gb = new double[shape.Length];
                for (int i = 0; i < ga.Length; i++)
                {
                    ga[i] = da(x[0][i], x[1][i], w[i]);
                    gb[i] = db(x[0][i], x[1][i], w[i]);
                }
                return [ga, gb];
            },
            (tape, v) => engine(tape, v[0], v[1]));
        GradientCheck.Check(op, [TestData.Uniform(rng, shape.Length), TestData.Uniform(rng, shape.Length)], seed);
    }
}
