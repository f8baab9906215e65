using NafNative.Autodiff;
using NafNative.Tensors;
using NUnit.Framework;

namespace NafNative.Tests.Autodiff;

/// <summary>A whole small network: the engine's gradient of an MSE loss over the flat parameter vector against
/// central differences of a double-precision reference forward, perturbing every parameter.</summary>
public sealed class MlpGradientTests
{
    private const int Batch = 5;

    [TestCase(new[] { 4, 6, 3 })]
    [TestCase(new[] { 3, 7, 5, 2 })]
    public void Backward_MseLossOfMlp_GradientMatchesDoubleFiniteDifferences(int[] sizes)
    {
        int seed = TestData.SeedFor(50, sizes.Length, sizes[1]);
        var rng = new Random(seed);
        var layout = new ParameterLayout();
        var mlp = new Mlp(layout, "q", sizes);
        var parameters = new ParameterVector(layout);
        mlp.Initialize(parameters, rng);
        float[] x = TestData.Uniform(rng, Batch * mlp.InputSize);
        float[] target = TestData.Uniform(rng, Batch * mlp.OutputSize);
        string where = $"Mlp [{string.Join("→", sizes)}] batch {Batch} (seed {seed})";

        var reference = new ReferenceMlp(layout, "q", sizes, TestData.Widen(x), TestData.Widen(target));
        double[] theta = TestData.Widen(parameters.Values);
        Assert.That(reference.SmallestHiddenPreactivation(theta), Is.GreaterThan(1e-3),
            $"{where}: a hidden pre-activation sits near ReLU's kink; pick another seed");
        double[] numeric = GradientCheck.CentralDifferences(reference.Loss, theta);

        var tape = new Tape();
        Var prediction = mlp.Forward(tape, parameters, tape.Input(new Tensor(x, 0, new Shape(Batch, mlp.InputSize))));
        Var loss = tape.MeanSquaredError(prediction, tape.Input(new Tensor(target, 0, prediction.Shape)));
        tape.Backward(loss);

        GradientCheck.AssertClose(tape.Value(loss), [reference.Loss(theta)], GradientCheck.EngineRtol, GradientCheck.EngineAtol, $"{where}: loss");
        // Hidden widths ≤ 7 and batch 5: every float32 sum is short, so the engine tolerance of GradientCheck holds;
        // double central differences of this smooth (kink-free) loss are accurate to ~1e-9.
        GradientCheck.AssertClose(parameters.Gradients, numeric, GradientCheck.EngineRtol, GradientCheck.EngineAtol,
            $"{where}: ∂loss/∂θ over all {parameters.Length} parameters");
    }

    /// <summary>The network in double, reading θ through the layout's named slices.</summary>
    private sealed class ReferenceMlp(ParameterLayout layout, string prefix, int[] sizes, double[] x, double[] target)
    {
        public double Loss(double[] theta) => Reference.MeanSquaredError(Forward(theta, out _), target);

        public double SmallestHiddenPreactivation(double[] theta)
        {
            Forward(theta, out double smallest);
            return smallest;
        }

        private double[] Forward(double[] theta, out double smallestHidden)
        {
            smallestHidden = double.PositiveInfinity;
            double[] h = x;
            for (int l = 0; l < sizes.Length - 1; l++)
            {
                double[] weight = Slice(theta, $"{prefix}.{l}.weight");
                double[] bias = Slice(theta, $"{prefix}.{l}.bias");
                h = Reference.Linear(h, weight, bias, Batch, sizes[l], sizes[l + 1]);
                if (l < sizes.Length - 2)
                {
                    foreach (double z in h) smallestHidden = Math.Min(smallestHidden, Math.Abs(z));
                    h = Reference.Map(h, z => Math.Max(z, 0));
                }
            }
            return h;
        }

        private double[] Slice(double[] theta, string name)
        {
            ParameterSlice slice = layout.Slices.Single(s => s.Name == name);
            return theta.AsSpan(slice.Offset, slice.Length).ToArray();
        }
    }
}
