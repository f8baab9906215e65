using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using NafNative.Interop.Onnx;
using NafNative.Naf;
using NUnit.Framework;

namespace NafNative.Tests.Interop.Onnx;

/// <summary>The exported model run by ONNX Runtime (an implementation this project did not write) against
/// <see cref="NafPolicy"/>.</summary>
[TestFixture]
public sealed class OnnxPolicyTests
{
    private const int Seed = 20261203;

    // reach's shape (obs 23, act 7, 2×100) and one of one hidden layer of another width and one action.
    [TestCase(23, 7, new[] { 100, 100 })]
    [TestCase(3, 1, new[] { 17 })]
    [TestCase(31, 8, new[] { 64, 48, 32 })]
    public void Run_RandomObservations_ActionsEqualNafPolicyWithin1e5(int obs, int act, int[] hidden)
    {
        var (network, parameters) = Network(obs, act, hidden);
        using var session = new InferenceSession(OnnxPolicy.Build(network, parameters));
        var policy = new NafPolicy(network);
        var random = new Random(Seed);
        const int batch = 64;
        var x = new float[batch * obs];
        for (int i = 0; i < x.Length; i++) x[i] = (float)(random.NextDouble() * 6 - 3);

        float[] got = Run(session, x, batch, obs);

        Assert.That(got, Has.Length.EqualTo(batch * act));
        var expected = new float[act];
        double worst = 0;
        int saturated = 0;
        for (int r = 0; r < batch; r++)
        {
            policy.Greedy(parameters, x.AsSpan(r * obs, obs), expected);
            for (int j = 0; j < act; j++)
            {
                worst = Math.Max(worst, Math.Abs(got[r * act + j] - expected[j]));
                if (Math.Abs(expected[j]) > 0.999f) saturated++;
            }
        }
        Assert.That(worst, Is.LessThanOrEqualTo(1e-5), $"max |onnx − NafPolicy| (seed {Seed})");
        Assert.That(saturated, Is.LessThan(batch * act / 2), "the test must not compare mostly saturated tanh outputs");
    }

    [Test]
    public void Run_SingleObservation_EqualsNafPolicy()
    {
        var (network, parameters) = Network(23, 7, [100, 100]);
        using var session = new InferenceSession(OnnxPolicy.Build(network, parameters));
        var x = Enumerable.Range(0, 23).Select(i => MathF.Sin(i)).ToArray();
        var expected = new float[7];
        new NafPolicy(network).Greedy(parameters, x, expected);
        Assert.That(Run(session, x, 1, 23), Is.EqualTo(expected).Within(1e-5f));
    }

    [Test]
    public void Model_DeclaresObservationAndActionWithFreeBatch()
    {
        var (network, parameters) = Network(23, 7, [100, 100]);
        using var session = new InferenceSession(OnnxPolicy.Build(network, parameters));
        var input = session.InputMetadata.Single();
        var output = session.OutputMetadata.Single();
        Assert.Multiple(() =>
        {
            Assert.That(input.Key, Is.EqualTo("observation"));
            Assert.That(input.Value.ElementType, Is.EqualTo(typeof(float)));
            Assert.That(input.Value.Dimensions, Is.EqualTo(new[] { -1, 23 }));
            Assert.That(input.Value.SymbolicDimensions[0], Is.EqualTo("batch"));
            Assert.That(output.Key, Is.EqualTo("action"));
            Assert.That(output.Value.Dimensions, Is.EqualTo(new[] { -1, 7 }));
        });
    }

    [Test]
    public void Run_WrongObservationWidth_ClearErrorNamingInputAndExpectedWidth()
    {
        var (network, parameters) = Network(23, 7, [100, 100]);
        using var session = new InferenceSession(OnnxPolicy.Build(network, parameters));
        var e = Assert.Throws<OnnxRuntimeException>(() => Run(session, new float[2 * 20], 2, 20));
        Assert.That(e!.Message, Does.Contain("observation").And.Contain("Expected: 23").And.Contain("Got: 20"));
    }

    [Test]
    public void Build_ParametersOfAnotherNetwork_ThrowsNamingBothLengths()
    {
        var network = new NafNetwork(3, 1, [4]);
        var e = Assert.Throws<ArgumentException>(() => OnnxPolicy.Build(network, new float[network.ParameterCount + 1]));
        Assert.That(e!.Message, Does.Contain($"[{network.ParameterCount + 1}]").And.Contain($"[{network.ParameterCount}]"));
    }

    internal static float[] Run(InferenceSession session, float[] x, int batch, int obs)
    {
        var input = NamedOnnxValue.CreateFromTensor("observation", new DenseTensor<float>(x, [batch, obs]));
        using var results = session.Run([input]);
        return results.Single(r => r.Name == "action").AsEnumerable<float>().ToArray();
    }

    // PyTorch-style initialisation, then scaled up so the μ head reaches tanh's curved part as a trained one does.
    private static (NafNetwork Network, float[] Parameters) Network(int obs, int act, int[] hidden)
    {
        var network = new NafNetwork(obs, act, hidden);
        var parameters = new NafNative.Autodiff.ParameterVector(network.Layout);
        network.Body.Initialize(parameters, new Random(Seed));
        float[] values = parameters.Values.ToArray();
        for (int i = 0; i < values.Length; i++) values[i] *= 2f;
        return (network, values);
    }
}
