using NafNative.Autodiff;
using NafNative.Tensors;
using NUnit.Framework;

namespace NafNative.Tests.Autodiff;

/// <summary>NAF's use of GatherColumns: a head's packed entries scattered into a dense, row-major n × n
/// lower-triangular L per sample, and its diagonal picked out for exponentiation.</summary>
public sealed class NafLowerTriangularGatherTests
{
    [TestCase(1, 1)]
    [TestCase(3, 4)]
    [TestCase(6, 5)]
    public void GatherColumns_GatherIndex_ScattersPackedEntriesIntoLowerTriangle(int n, int batch)
    {
        int entries = LowerTriangular.EntryCount(n);
        int seed = TestData.SeedFor(60, n, batch);
        var rng = new Random(seed);
        float[] packed = TestData.Uniform(rng, batch * entries);
        float[] upstream = TestData.Uniform(rng, batch * n * n);
        var tape = new Tape();
        Var head = tape.Input(new Tensor(packed, 0, new Shape(batch, entries)), requiresGradient: true);
        Var dense = tape.GatherColumns(head, LowerTriangular.GatherIndex(n));
        Assert.That(dense.Shape, Is.EqualTo(new Shape(batch, n * n)));
        tape.Backward(tape.Sum(tape.Multiply(dense, tape.Input(new Tensor(upstream, 0, dense.Shape)))));

        ReadOnlySpan<float> l = tape.Value(dense);
        ReadOnlySpan<float> gradient = tape.Gradient(head);
        for (int r = 0; r < batch; r++)
            for (int i = 0; i < n; i++)
                for (int j = 0; j < n; j++)
                {
                    float got = l[r * n * n + i * n + j];
                    if (j > i)
                    {
                        Assert.That(got, Is.EqualTo(0f), $"seed {seed}: sample {r}, L[{i}, {j}] above the diagonal");
                        continue;
                    }
                    int t = LowerTriangular.PackedIndex(i, j);
                    Assert.That(got, Is.EqualTo(packed[r * entries + t]), $"seed {seed}: sample {r}, L[{i}, {j}] = entry {t}");
                    // Each packed entry feeds exactly one dense element, so its gradient is that element's upstream
                    // weight, exactly (one float add onto zero).
                    Assert.That(gradient[r * entries + t], Is.EqualTo(upstream[r * n * n + i * n + j]),
                        $"seed {seed}: sample {r}, ∂/∂entry {t} = upstream of L[{i}, {j}]");
                }
    }

    [TestCase(3, 4)]
    [TestCase(4, 1)]
    public void GatherColumns_LWithExponentiatedDiagonal_GradientMatchesDoubleReference(int n, int batch)
    {
        // NAF's L: off-diagonal entries as they are, diagonal exp(entry). Built from tape ops as
        // L = gather(a, GatherIndex) + gather(exp(a) − a, GatherIndex restricted to the diagonal).
        int entries = LowerTriangular.EntryCount(n);
        int[] lower = LowerTriangular.GatherIndex(n);
        int[] diagonalOnly = new int[n * n];
        for (int k = 0; k < diagonalOnly.Length; k++) diagonalOnly[k] = k / n == k % n ? lower[k] : -1;
        int seed = TestData.SeedFor(61, n, batch);
        var op = new OpCase($"NAF L [{batch}×{entries}] → [{batch}×{n * n}]",
            [new Shape(batch, entries)], new Shape(batch, n * n),
            x =>
            {
                double[] y = Reference.GatherColumns(x[0], batch, entries, lower);
                for (int k = 0; k < y.Length; k++)
                    if ((k % (n * n)) / n == k % n) y[k] = Math.Exp(y[k]);
                return y;
            },
            (x, w) =>
            {
                double[] da = Reference.GatherColumnsBackward(w, batch, entries, lower);
                for (int r = 0; r < batch; r++)
                    for (int i = 0; i < n; i++)
                    {
                        int t = r * entries + LowerTriangular.PackedIndex(i, i);
                        da[t] *= Math.Exp(x[0][t]);
                    }
                return [da];
            },
            (tape, v) =>
            {
                Var a = v[0];
                Var diagonalCorrection = tape.Subtract(tape.Exp(a), a);
                return tape.Add(tape.GatherColumns(a, lower), tape.GatherColumns(diagonalCorrection, diagonalOnly));
            });
        GradientCheck.Check(op, [TestData.Uniform(new Random(seed), batch * entries)], seed);
    }

    [Test]
    public void GatherColumns_DiagonalIndex_PicksDiagonalOfEachSample()
    {
        const int n = 4;
        int entries = LowerTriangular.EntryCount(n);
        var packed = new float[2 * entries];
        for (int k = 0; k < packed.Length; k++) packed[k] = k;
        var tape = new Tape();
        Var diagonal = tape.GatherColumns(tape.Input(new Tensor(packed, 0, new Shape(2, entries))), LowerTriangular.DiagonalIndex(n));
        Assert.That(tape.Value(diagonal).ToArray(), Is.EqualTo(new float[] { 0, 2, 5, 9, 10, 12, 15, 19 }).AsCollection);
    }
}
