using NafNative.Autodiff;
using NafNative.Tensors;
using NUnit.Framework;

namespace NafNative.Tests.Autodiff;

/// <summary>MatMul and Linear: values and gradients against a double reference and its central differences.</summary>
public sealed class TapeProductGradientTests
{
    [TestCase(3, 5, 7)]
    [TestCase(7, 1, 17)]
    [TestCase(1, 17, 1)]
    [TestCase(5, 7, 11)]
    public void MatMul_RandomInputs_GradientMatchesDoubleReference(int m, int k, int n)
    {
        int seed = TestData.SeedFor(1, m, k, n);
        var rng = new Random(seed);
        var op = new OpCase($"Tape.MatMul [{m}×{k}]·[{k}×{n}]",
            [new Shape(m, k), new Shape(k, n)], new Shape(m, n),
            x => Reference.MatMul(x[0], x[1], m, k, n),
            (x, w) =>
            {
                var (da, db) = Reference.MatMulBackward(x[0], x[1], w, m, k, n);
                return [da, db];
            },
            (tape, v) => tape.MatMul(v[0], v[1]));
        GradientCheck.Check(op, [TestData.Uniform(rng, m * k), TestData.Uniform(rng, k * n)], seed);
    }

    [TestCase(5, 7, 11)]
    [TestCase(1, 17, 3)]
    [TestCase(7, 1, 5)]
    [TestCase(3, 5, 1)]
    public void Linear_RandomInputs_GradientMatchesDoubleReference(int batch, int inputs, int outputs)
    {
        int seed = TestData.SeedFor(2, batch, inputs, outputs);
        var rng = new Random(seed);
        var op = new OpCase($"Tape.Linear batch {batch} × in {inputs} × out {outputs}",
            [new Shape(batch, inputs), new Shape(inputs, outputs), Shape.Vector(outputs)], new Shape(batch, outputs),
            x => Reference.Linear(x[0], x[1], x[2], batch, inputs, outputs),
            (x, w) =>
            {
                var (dx, dWeight) = Reference.MatMulBackward(x[0], x[1], w, batch, inputs, outputs);
                return [dx, dWeight, Reference.SumColumns(w, batch, outputs)];
            },
            (tape, v) => tape.Linear(v[0], v[1], v[2]));
        GradientCheck.Check(op,
            [TestData.Uniform(rng, batch * inputs), TestData.Uniform(rng, inputs * outputs), TestData.Uniform(rng, outputs)], seed);
    }

    [Test]
    public void MatMul_SameVarTwice_GradientSumsBothUses()
    {
        // y = a·a for a square a: ∂/∂a Σ y⊙w = w·aᵀ + aᵀ·w, both contributions landing on one gradient.
        const int n = 5;
        int seed = TestData.SeedFor(3, n);
        var rng = new Random(seed);
        var op = new OpCase($"Tape.MatMul(a, a) [{n}×{n}]",
            [new Shape(n, n)], new Shape(n, n),
            x => Reference.MatMul(x[0], x[0], n, n, n),
            (x, w) =>
            {
                var (da, db) = Reference.MatMulBackward(x[0], x[0], w, n, n, n);
                return [Reference.Zip(da, db, (p, q) => p + q)];
            },
            (tape, v) => tape.MatMul(v[0], v[0]));
        GradientCheck.Check(op, [TestData.Uniform(rng, n * n)], seed);
    }
}
