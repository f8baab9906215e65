using NafNative.Autodiff;
using NafNative.Tensors;
using NUnit.Framework;

namespace NafNative.Tests.Autodiff;

/// <summary>The tape's arena contract: once a fixed graph has run, Reset + the same graph allocates nothing and
/// reproduces the same values bit for bit.</summary>
public sealed class TapeSteadyStateTests
{
    private const int Batch = 64;

    /// <summary>NAF-sized network and one fixed training step on it.</summary>
    private sealed class Step
    {
        public readonly Mlp Network;
        public readonly ParameterVector Parameters;
        public readonly Tensor X, Target;

        public Step(int seed)
        {
            var layout = new ParameterLayout();
            Network = new Mlp(layout, "q", 20, 100, 100, 36);
            Parameters = new ParameterVector(layout);
            var rng = new Random(seed);
            Network.Initialize(Parameters, rng);
            X = new Tensor(TestData.Uniform(rng, Batch * 20), 0, new Shape(Batch, 20));
            Target = new Tensor(TestData.Uniform(rng, Batch * 36), 0, new Shape(Batch, 36));
        }

        public float Run(Tape tape)
        {
            tape.Reset();
            Parameters.ZeroGradients();
            Var prediction = Network.Forward(tape, Parameters, tape.Input(X));
            Var loss = tape.MeanSquaredError(prediction, tape.Input(Target));
            tape.Backward(loss);
            return tape.Value(loss)[0];
        }
    }

    [Test]
    public void ForwardBackward_AfterWarmUpWithResetBetweenSteps_AllocatesZeroBytes()
    {
        // A correctness property (no per-step garbage on the learner thread), not a timing: the arenas, var and node
        // tables and storage slots have all reached their size in the warm-up step.
        int seed = TestData.SeedFor(70);
        var step = new Step(seed);
        var tape = new Tape(arenaCapacity: 16);
        step.Run(tape);

        float sink = 0;
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 10; i++) sink += step.Run(tape);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.That(allocated, Is.Zero, $"seed {seed}: bytes allocated by 10 steps of Mlp 20→100→100→36, batch {Batch} (loss sum {sink})");
    }

    [Test]
    public void Reset_SameGraphAgain_ValuesAndGradientsAreBitwiseIdentical()
    {
        int seed = TestData.SeedFor(71);
        var step = new Step(seed);
        var tape = new Tape(arenaCapacity: 16);
        float firstLoss = step.Run(tape);
        int firstArena = tape.ArenaUsed;
        float[] firstGradients = (float[])step.Parameters.Gradients.Clone();

        float secondLoss = step.Run(tape);
        Assert.That(secondLoss, Is.EqualTo(firstLoss), $"seed {seed}: loss after Reset");
        Assert.That(step.Parameters.Gradients, Is.EqualTo(firstGradients).AsCollection, $"seed {seed}: gradients after Reset");
        Assert.That(tape.ArenaUsed, Is.EqualTo(firstArena), $"seed {seed}: the same graph uses the same arena");

        float freshLoss = step.Run(new Tape());
        Assert.That(freshLoss, Is.EqualTo(firstLoss), $"seed {seed}: a fresh tape gives the same loss");
        Assert.That(step.Parameters.Gradients, Is.EqualTo(firstGradients).AsCollection, $"seed {seed}: a fresh tape gives the same gradients");
    }

    [Test]
    public void Reset_AfterStep_ArenaUsedIsZero()
    {
        var tape = new Tape();
        tape.Exp(tape.Input(new Tensor(3, 5), requiresGradient: true));
        Assert.That(tape.ArenaUsed, Is.EqualTo(30), "fixture: a 3×5 input and its exp use 30 floats, so Reset has something to clear");
        tape.Reset();
        Assert.That(tape.ArenaUsed, Is.Zero);
    }
}
