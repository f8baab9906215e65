using NafNative.Autodiff;
using NafNative.Tensors;
using NUnit.Framework;

namespace NafNative.Tests.Autodiff;

/// <summary>Mlp's parameter layout, initialisation and argument checks.</summary>
public sealed class MlpTests
{
    [Test]
    public void Constructor_ThreeSizes_RegistersWeightsAndBiasesInOrder()
    {
        var layout = new ParameterLayout();
        layout.Add("before", Shape.Vector(2));
        var mlp = new Mlp(layout, "v", 4, 6, 3);
        Assert.That(layout.Slices, Is.EqualTo(new ParameterSlice[]
        {
            new("before", 0, Shape.Vector(2)),
            new("v.0.weight", 2, new Shape(4, 6)),
            new("v.0.bias", 26, Shape.Vector(6)),
            new("v.1.weight", 32, new Shape(6, 3)),
            new("v.1.bias", 50, Shape.Vector(3)),
        }).AsCollection);
        Assert.That(layout.Length, Is.EqualTo(53));
        Assert.That(mlp.InputSize, Is.EqualTo(4));
        Assert.That(mlp.OutputSize, Is.EqualTo(3));
        Assert.That(mlp.LayerCount, Is.EqualTo(2));
        Assert.That(mlp.MultiplyAddsPerSample(), Is.EqualTo(4 * 6 + 6 * 3));
    }

    [Test]
    public void Initialize_FixedSeed_ValuesWithinFanInBoundAndRepeatable()
    {
        const int seed = TestData.BaseSeed;
        var layout = new ParameterLayout();
        var mlp = new Mlp(layout, "q", 16, 9, 4);
        var first = new ParameterVector(layout);
        var second = new ParameterVector(layout);
        mlp.Initialize(first, new Random(seed));
        mlp.Initialize(second, new Random(seed));
        Assert.That(second.Values, Is.EqualTo(first.Values).AsCollection, $"seed {seed}: same seed, same weights");
        Assert.That(first.Value(layout.Slices[0]).ToArray(), Is.All.InRange(-0.25f, 0.25f), "layer 0: |w| ≤ 1/√16");
        Assert.That(first.Value(layout.Slices[2]).ToArray(), Is.All.InRange(-1f / 3, 1f / 3), "layer 1: |w| ≤ 1/√9");
        Assert.That(first.Values, Has.Some.Not.EqualTo(0f));
    }

    [TestCase(new[] { 4 })]
    [TestCase(new int[0])]
    public void Constructor_FewerThanTwoSizes_ThrowsArgumentException(int[] sizes)
    {
        var ex = Assert.Throws<ArgumentException>(() => new Mlp(new ParameterLayout(), "q", sizes));
        Assert.That(ex.Message, Does.Contain("Mlp 'q'").And.Contain("needs an input and an output size"));
        Assert.That(ex.ParamName, Is.EqualTo("sizes"));
    }

    [TestCase(new[] { 4, 0, 3 })]
    [TestCase(new[] { 4, 6, -2 })]
    public void Constructor_NonPositiveSize_ThrowsArgumentOutOfRangeNamingIt(int[] sizes)
    {
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => new Mlp(new ParameterLayout(), "q", sizes));
        int bad = Array.FindIndex(sizes, s => s <= 0);
        Assert.That(ex.Message, Does.Contain($"sizes[{bad}] = {sizes[bad]} must be positive"));
    }

    [Test]
    public void Constructor_PrefixAlreadyInLayout_ThrowsArgumentException()
    {
        var layout = new ParameterLayout();
        _ = new Mlp(layout, "q", 2, 2);
        var ex = Assert.Throws<ArgumentException>(() => new Mlp(layout, "q", 2, 2));
        Assert.That(ex.Message, Does.Contain("'q.0.weight' already exists"));
    }

    [Test]
    public void Forward_WrongFeatureCount_ThrowsArgumentExceptionNamingShapes()
    {
        var layout = new ParameterLayout();
        var mlp = new Mlp(layout, "q", 4, 6, 3);
        var parameters = new ParameterVector(layout);
        var tape = new Tape();
        Var x = tape.Input(new Tensor(5, 7));
        var ex = Assert.Throws<ArgumentException>(() => mlp.Forward(tape, parameters, x));
        Assert.That(ex.Message, Does.Contain("Mlp.Forward").And.Contain("[5×7]").And.Contain("takes 4"));
    }
}
