using NafNative.Autodiff;
using NafNative.Tensors;
using NUnit.Framework;

namespace NafNative.Tests.Autodiff;

/// <summary>Relu, Tanh and Exp: values and gradients against a double reference and its central differences.</summary>
public sealed class TapeActivationGradientTests
{
    [TestCase(3, 5)]
    [TestCase(7, 1)]
    [TestCase(1, 17)]
    public void Relu_InputsAwayFromKink_GradientMatchesDoubleReference(int rows, int cols)
    {
        // |x| ≥ 0.02 ≫ h = 1e-6: no central difference straddles the kink at 0.
        int seed = TestData.SeedFor(20, rows, cols);
        var shape = new Shape(rows, cols);
        var op = new OpCase($"Tape.Relu {shape}", [shape], shape,
            x => Reference.Map(x[0], a => Math.Max(a, 0)),
            (x, w) => [Reference.Zip(x[0], w, (a, wi) => a > 0 ? wi : 0)],
            (tape, v) => tape.Relu(v[0]));
        GradientCheck.Check(op, [TestData.AwayFromZero(new Random(seed), shape.Length)], seed);
    }

    [TestCase(3, 5)]
    [TestCase(7, 1)]
    [TestCase(1, 17)]
    public void Tanh_RandomInputs_GradientMatchesDoubleReference(int rows, int cols)
    {
        int seed = TestData.SeedFor(21, rows, cols);
        var shape = new Shape(rows, cols);
        var op = new OpCase($"Tape.Tanh {shape}", [shape], shape,
            x => Reference.Map(x[0], Math.Tanh),
            (x, w) => [Reference.Zip(x[0], w, (a, wi) => wi * (1 - Math.Tanh(a) * Math.Tanh(a)))],
            (tape, v) => tape.Tanh(v[0]));
        GradientCheck.Check(op, [TestData.Uniform(new Random(seed), shape.Length, -2.5f, 2.5f)], seed);
    }

    [TestCase(3, 5)]
    [TestCase(7, 1)]
    [TestCase(1, 17)]
    public void Exp_RandomInputs_GradientMatchesDoubleReference(int rows, int cols)
    {
        // Inputs in [−2, 2): eˣ ≤ 7.4, so rtol 1e-4 still dominates the absolute error of the larger entries.
        int seed = TestData.SeedFor(22, rows, cols);
        var shape = new Shape(rows, cols);
        var op = new OpCase($"Tape.Exp {shape}", [shape], shape,
            x => Reference.Map(x[0], Math.Exp),
            (x, w) => [Reference.Zip(x[0], w, (a, wi) => wi * Math.Exp(a))],
            (tape, v) => tape.Exp(v[0]));
        GradientCheck.Check(op, [TestData.Uniform(new Random(seed), shape.Length, -2f, 2f)], seed);
    }
}
