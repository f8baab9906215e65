using NafNative.Naf;
using NUnit.Framework;

namespace NafNative.Tests.Naf;

/// <summary>NafOptions rejects every invalid value as it is set, naming the field, and documents its defaults.</summary>
public sealed class NafOptionsTests
{
    /// <summary>Valid options with one field set to <paramref name="value"/> (an int field takes it truncated).</summary>
    private static NafOptions With(string field, double value)
    {
        var o = new NafOptions { ObservationSize = 3, ActionSize = 2 };
        return field switch
        {
            "ObservationSize" => new NafOptions { ObservationSize = (int)value, ActionSize = 2 },
            "ActionSize" => new NafOptions { ObservationSize = 3, ActionSize = (int)value },
            "Discount" => o with { Discount = (float)value },
            "TargetUpdateRate" => o with { TargetUpdateRate = (float)value },
            "LearningRate" => o with { LearningRate = (float)value },
            "AdamBeta1" => o with { AdamBeta1 = (float)value },
            "AdamBeta2" => o with { AdamBeta2 = (float)value },
            "AdamEpsilon" => o with { AdamEpsilon = (float)value },
            "BatchSize" => o with { BatchSize = (int)value },
            "MaxGradientNorm" => o with { MaxGradientNorm = (float)value },
            _ => throw new ArgumentException($"no field {field}", nameof(field)),
        };
    }

    [TestCase("ObservationSize", 0)]
    [TestCase("ObservationSize", -3)]
    [TestCase("ActionSize", 0)]
    [TestCase("ActionSize", -1)]
    [TestCase("ActionSize", 65)]
    [TestCase("Discount", -0.01)]
    [TestCase("Discount", 1.01)]
    [TestCase("Discount", double.NaN)]
    [TestCase("Discount", double.PositiveInfinity)]
    [TestCase("TargetUpdateRate", 0)]
    [TestCase("TargetUpdateRate", -0.001)]
    [TestCase("TargetUpdateRate", 1.001)]
    [TestCase("TargetUpdateRate", double.NaN)]
    [TestCase("LearningRate", 0)]
    [TestCase("LearningRate", -1e-3)]
    [TestCase("LearningRate", double.NaN)]
    [TestCase("LearningRate", double.PositiveInfinity)]
    [TestCase("AdamBeta1", -0.1)]
    [TestCase("AdamBeta1", 1)]
    [TestCase("AdamBeta1", double.NaN)]
    [TestCase("AdamBeta2", -0.1)]
    [TestCase("AdamBeta2", 1)]
    [TestCase("AdamBeta2", 1.5)]
    [TestCase("AdamBeta2", double.NaN)]
    [TestCase("AdamEpsilon", 0)]
    [TestCase("AdamEpsilon", -1e-8)]
    [TestCase("AdamEpsilon", double.NaN)]
    [TestCase("AdamEpsilon", double.PositiveInfinity)]
    [TestCase("BatchSize", 0)]
    [TestCase("BatchSize", -64)]
    [TestCase("MaxGradientNorm", 0)]
    [TestCase("MaxGradientNorm", -1)]
    [TestCase("MaxGradientNorm", double.NaN)]
    [TestCase("MaxGradientNorm", double.PositiveInfinity)]
    public void Init_InvalidValue_ThrowsArgumentOutOfRangeExceptionNamingField(string field, double value)
    {
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => With(field, value), $"{field} = {value}");
        Assert.That(ex.Message, Does.Contain($"NafOptions.{field}"), $"{field} = {value}");
        Assert.That(ex.ParamName, Is.EqualTo(field), $"{field} = {value}");
    }

    [TestCase("ActionSize", 64)]
    [TestCase("ActionSize", 1)]
    [TestCase("Discount", 0)]
    [TestCase("Discount", 1)]
    [TestCase("TargetUpdateRate", 1)]
    [TestCase("TargetUpdateRate", 1e-6)]
    [TestCase("AdamBeta1", 0)]
    [TestCase("AdamBeta2", 0.999999)]
    [TestCase("BatchSize", 1)]
    public void Init_BoundaryValue_IsAccepted(string field, double value)
    {
        NafOptions options = With(field, value);
        Assert.That(typeof(NafOptions).GetProperty(field)!.GetValue(options), Is.EqualTo(value).Within(1e-12 + 1e-7 * Math.Abs(value)),
            $"{field} = {value}");
    }

    [Test]
    public void HiddenSizes_Empty_ThrowsArgumentExceptionNamingField()
    {
        var ex = Assert.Throws<ArgumentException>(() => _ = new NafOptions { ObservationSize = 3, ActionSize = 2, HiddenSizes = [] });
        Assert.That(ex.Message, Does.Contain("NafOptions.HiddenSizes"));
        Assert.That(ex.ParamName, Is.EqualTo("HiddenSizes"));
    }

    [TestCase(new[] { 0 }, 0)]
    [TestCase(new[] { 100, -1 }, 1)]
    [TestCase(new[] { 8, 8, 0 }, 2)]
    public void HiddenSizes_NonPositiveWidth_ThrowsArgumentOutOfRangeExceptionNamingLayer(int[] hidden, int bad)
    {
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => _ = new NafOptions { ObservationSize = 3, ActionSize = 2, HiddenSizes = hidden });
        Assert.That(ex.Message, Does.Contain($"NafOptions.HiddenSizes[{bad}]"));
    }

    [Test]
    public void HiddenSizes_Null_ThrowsArgumentNullExceptionNamingField()
    {
        var ex = Assert.Throws<ArgumentNullException>(() => _ = new NafOptions { ObservationSize = 3, ActionSize = 2, HiddenSizes = null! });
        Assert.That(ex.ParamName, Is.EqualTo("HiddenSizes"));
    }

    [Test]
    public void HiddenSizes_CallerMutatesItsArray_OptionsKeepTheirCopy()
    {
        int[] hidden = [32, 16];
        var options = new NafOptions { ObservationSize = 3, ActionSize = 2, HiddenSizes = hidden };
        hidden[0] = -5;
        Assert.That(options.HiddenSizes, Is.EqualTo(new[] { 32, 16 }).AsCollection);
    }

    [Test]
    public void Defaults_AreTheDocumentedValues()
    {
        var options = new NafOptions { ObservationSize = 3, ActionSize = 2 };
        Assert.Multiple(() =>
        {
            Assert.That(options.Discount, Is.EqualTo(0.99f), "γ (NAF 2016a)");
            Assert.That(options.TargetUpdateRate, Is.EqualTo(0.001f), "τ (NAF 2016a, DDPG)");
            Assert.That(options.LearningRate, Is.EqualTo(1e-3f), "learning rate");
            Assert.That(options.HiddenSizes, Is.EqualTo(new[] { 100, 100 }).AsCollection, "hidden layers (2016b)");
            Assert.That(options.BatchSize, Is.EqualTo(64), "batch size");
            Assert.That(options.AdamBeta1, Is.EqualTo(0.9f), "Adam β₁");
            Assert.That(options.AdamBeta2, Is.EqualTo(0.999f), "Adam β₂");
            Assert.That(options.AdamEpsilon, Is.EqualTo(1e-8f), "Adam ε");
            Assert.That(options.MaxGradientNorm, Is.Null, "no clipping by default");
            Assert.That(options.Seed, Is.Zero, "seed");
        });
    }
}
