using NafNative.Naf;
using NafNative.Naf.Gpu;
using NafNative.Replay;
using NafNative.TestSupport;
using NUnit.Framework;

namespace NafNative.Tests.Naf.Gpu;

/// <summary>The GPU trainer on ILGPU's CPU accelerator against the CPU trainer: same start, same batches, same
/// parameters after 10 updates within a stated tolerance; and its input and device errors.</summary>
/// <remarks>
/// <para>Tolerance for θ and θ′ after 10 updates: |θ_gpu − θ_cpu| ≤ 2e-6 absolute (and the same for each step's
/// loss relative to its value). Why: both backends compute the same float expressions, but sums run in other orders
/// (tiled GEMM vs register-blocked SIMD GEMM, bias folded into the product vs added first, tree vs SIMD reductions)
/// and the device uses XMath.Exp/Tanh without FMA. Gradients therefore differ by a few ulp of the magnitudes summed
/// (~1e-7 relative). Adam turns a gradient into a step of ~lr·m/√v, whose relative error is of that order, so each
/// update moves θ by lr = 1e-3 ± ~1e-9 and ten updates by ≲ 1e-8 — except where a gradient component is itself a
/// cancellation near zero, where m/√v can shift by O(1) at step one and the step by up to ~lr. Measured worst
/// differences: θ 1.5e-8 (no clipping) and 3.0e-8 (clipped), θ′ ≤ 2e-9; so 2e-6 leaves ~70× headroom yet still
/// catches any real error (a wrong index, a missing term or a wrong bias correction moves θ by ≳ 1e-4, and the
/// test also checks each step's loss and ‖g‖).</para>
/// </remarks>
[TestFixture]
public sealed class GpuNafTrainerTests
{
    private const double ParameterTolerance = 2e-6;

    private static NafOptions SmallOptions(float? maxNorm = null) => new()
    {
        ObservationSize = 5,
        ActionSize = 3,
        HiddenSizes = [8, 6],
        BatchSize = 7,
        Seed = 3,
        TargetUpdateRate = 0.05f, // large enough that θ′ visibly moves in 10 updates
        MaxGradientNorm = maxNorm,
    };

    // The agreement tests below run on ILGPU's CPU accelerator everywhere and on CUDA where ILGPU finds a device
    // (ignored, with the reason, where it does not), at the same tolerances.
    private static GpuDevice On(GpuDevice device)
    {
        if (device == GpuDevice.Cuda) CudaTestGuard.RequireCuda();
        return device;
    }

    [TestCase(null, GpuDevice.CpuAccelerator)]
    [TestCase(0.05f, GpuDevice.CpuAccelerator)]
    [TestCase(null, GpuDevice.Cuda)]
    [TestCase(0.05f, GpuDevice.Cuda)]
    public void TenUpdates_OnDevice_MatchCpuTrainer(float? maxNorm, GpuDevice device)
    {
        var options = SmallOptions(maxNorm);
        var cpu = new NafTrainer(options);
        using var gpu = new GpuNafTrainer(options, On(device));
        Assert.That(gpu.Parameters.ToArray(), Is.EqualTo(cpu.Online.Values), "both start from the CPU trainer's initial parameters");

        var random = new Random(42);
        var batch = new ReplayBatch(options.BatchSize, options.ObservationSize, options.ActionSize);
        for (int step = 0; step < 10; step++)
        {
            Fill(batch, random);
            float lossCpu = cpu.Step(batch);
            gpu.Step(batch); // returns a loss that lags by up to LossWindow − 1 updates
            float lossGpu = gpu.SynchronizeLoss();
            Assert.That(lossGpu, Is.EqualTo(lossCpu).Within(ParameterTolerance * (1 + Math.Abs(lossCpu))), $"loss at step {step + 1}");
            Assert.That(gpu.LastGradientNorm, Is.EqualTo(cpu.LastGradientNorm).Within(1e-5 * (1 + cpu.LastGradientNorm)), $"‖g‖ at step {step + 1}");
        }

        Assert.That(gpu.Steps, Is.EqualTo(10));
        AssertClose(gpu.Parameters.ToArray(), cpu.Online.Values, "θ");
        AssertClose(gpu.DownloadTarget(), cpu.Target, "θ′");
        Assert.That(MaxDifference(gpu.Parameters.ToArray(), InitialParameters(options)), Is.GreaterThan(1e-3), "the updates moved θ");
    }

    [Test]
    public void TenUpdates_SplitKWeightGradients_MatchCpuTrainer([Values] GpuDevice device)
    {
        // Batch 40 in slices of 16: three K slices per weight gradient, added atomically (another summation order).
        var options = SmallOptions() with { BatchSize = 40 };
        var cpu = new NafTrainer(options);
        using var gpu = new GpuNafTrainer(options, On(device)) { SplitKRows = 16 };
        var random = new Random(7);
        var batch = new ReplayBatch(options.BatchSize, options.ObservationSize, options.ActionSize);
        for (int step = 0; step < 10; step++)
        {
            Fill(batch, random);
            float lossCpu = cpu.Step(batch);
            gpu.Step(batch);
            Assert.That(gpu.SynchronizeLoss(), Is.EqualTo(lossCpu).Within(ParameterTolerance * (1 + Math.Abs(lossCpu))), $"loss at step {step + 1}");
        }
        AssertClose(gpu.Parameters.ToArray(), cpu.Online.Values, "θ (split-K)");
        AssertClose(gpu.DownloadTarget(), cpu.Target, "θ′ (split-K)");
    }

    [Test]
    public void DeferredLoss_WindowOf3_LagsThenCatchesUpAndParametersStillMatch([Values] GpuDevice device)
    {
        // K = 3: Step only enqueues; every third Step synchronises and returns that update's own loss; between, it
        // returns the last finished one. Ten updates with no explicit synchronisation in between still give the CPU
        // trainer's θ (each window's three batches went through three staging buffers).
        var options = SmallOptions();
        var cpu = new NafTrainer(options);
        using var gpu = new GpuNafTrainer(options, On(device), lossWindow: 3);
        Assert.That(gpu.LossWindow, Is.EqualTo(3));
        var random = new Random(11);
        var batch = new ReplayBatch(options.BatchSize, options.ObservationSize, options.ActionSize);
        var cpuLosses = new List<float>();
        var returned = new List<float>();
        for (int step = 0; step < 10; step++)
        {
            Fill(batch, random);
            cpuLosses.Add(cpu.Step(batch));
            returned.Add(gpu.Step(batch));
        }
        for (int step = 0; step < 10; step++)
        {
            // Update t (1-based) returns the loss of update 3·⌊t/3⌋ (0 before the first window completes).
            int known = 3 * ((step + 1) / 3);
            float expected = known == 0 ? 0f : cpuLosses[known - 1];
            Assert.That(returned[step], Is.EqualTo(expected).Within(ParameterTolerance * (1 + Math.Abs(expected))), $"returned loss at update {step + 1}");
        }
        Assert.That(gpu.SynchronizeLoss(), Is.EqualTo(cpuLosses[9]).Within(ParameterTolerance * (1 + Math.Abs(cpuLosses[9]))), "exact loss of update 10");
        Assert.That(gpu.LastGradientNorm, Is.EqualTo(cpu.LastGradientNorm).Within(1e-5 * (1 + cpu.LastGradientNorm)));
        AssertClose(gpu.Parameters.ToArray(), cpu.Online.Values, "θ (loss window 3)");
        AssertClose(gpu.DownloadTarget(), cpu.Target, "θ′ (loss window 3)");
    }

    [Test]
    public void FromCpuState_ContinuesLikeTheCpuTrainer_AndDownloadStateRoundTrips([Values] GpuDevice device)
    {
        // Three CPU updates, hand the state to the GPU trainer (as --resume with --backend gpu does), then four more
        // on each: same θ, θ′, Adam moments and steps; DownloadState gives them back as a CPU trainer (checkpoints).
        var options = SmallOptions(0.05f);
        var cpu = new NafTrainer(options);
        var random = new Random(5);
        var batch = new ReplayBatch(options.BatchSize, options.ObservationSize, options.ActionSize);
        for (int step = 0; step < 3; step++)
        {
            Fill(batch, random);
            cpu.Step(batch);
        }
        using var gpu = new GpuNafTrainer(cpu, On(device));
        Assert.That(gpu.Steps, Is.EqualTo(3));
        for (int step = 0; step < 4; step++)
        {
            Fill(batch, random);
            cpu.Step(batch);
            gpu.Step(batch);
        }
        var state = gpu.DownloadState();
        Assert.That(state.Steps, Is.EqualTo(7));
        AssertClose(state.Online.Values, cpu.Online.Values, "θ (resumed)");
        AssertClose(state.Target, cpu.Target, "θ′ (resumed)");
        AssertClose(state.AdamFirstMoment, cpu.AdamFirstMoment, "Adam m (resumed)");
        Assert.That(MaxDifference(state.AdamSecondMoment, cpu.AdamSecondMoment), Is.LessThanOrEqualTo(1e-9), "Adam v (resumed)");
        Assert.That(state.Online.Values, Is.EqualTo(gpu.Parameters.ToArray()));
    }

    [Test]
    public void Construct_LossWindowBelowOne_Throws() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => new GpuNafTrainer(SmallOptions(), GpuDevice.CpuAccelerator, lossWindow: 0));

    [Test]
    public void Parameters_TwoCalls_AlternateMirrorsWithEqualContents()
    {
        using var gpu = new GpuNafTrainer(SmallOptions(), GpuDevice.CpuAccelerator);
        var first = gpu.Parameters;
        var second = gpu.Parameters;
        Assert.That(first.ToArray(), Is.EqualTo(second.ToArray()));
        Assert.That(first.Overlaps(second), Is.False, "double-buffered: the second download does not overwrite the first span");
    }

    [Test]
    public void Step_WrongLengths_ThrowsNamingShapes()
    {
        var options = SmallOptions();
        using var gpu = new GpuNafTrainer(options, GpuDevice.CpuAccelerator);
        var ex = Assert.Throws<ArgumentException>(() => gpu.Step(new float[7 * 5], new float[7 * 3], new float[6], new float[7 * 5], new float[7]));
        Assert.That(ex!.Message, Does.Contain("rewards [7]").And.Contain("[6]").And.Contain("staging buffer"));
    }

    [Test]
    public void Step_BatchLargerThanStaging_ThrowsNamingSizes()
    {
        var options = SmallOptions();
        using var gpu = new GpuNafTrainer(options, GpuDevice.CpuAccelerator);
        var tooBig = new ReplayBatch(64, options.ObservationSize, options.ActionSize);
        var ex = Assert.Throws<ArgumentException>(() => gpu.Step(tooBig));
        Assert.That(ex!.Message, Does.Contain("64 transitions").And.Contain("BatchSize = 7").And.Contain("floats"));
    }

    [Test]
    public void Construct_NetworkLargerThanMemory_ThrowsNamingDeviceAndSizes()
    {
        // 2 × 10⁶ rows × 2¹⁶ units of activations alone = 524 GB: beyond any host behind the CPU accelerator (its
        // allocation fails at once: Linux refuses a single allocation larger than RAM + swap).
        var options = SmallOptions() with { BatchSize = 1_000_000, HiddenSizes = [1 << 16] };
        var ex = Assert.Throws<InsufficientMemoryException>(() => new GpuNafTrainer(options, GpuDevice.CpuAccelerator));
        Assert.That(ex!.Message, Does.Contain("CPUAccelerator").And.Contain("batch 1000000").And.Contain("B in all"));
    }

    [Test]
    public void Construct_BatchBeyondGridLimit_ThrowsNamingBatchAndLimit()
    {
        var options = SmallOptions() with { BatchSize = 1 << 26 };
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => new GpuNafTrainer(options, GpuDevice.CpuAccelerator));
        Assert.That(ex!.Message, Does.Contain("batch 67108864").And.Contain("use a batch of at most"));
    }

    [Test]
    public void Construct_CudaWithoutDevice_ThrowsNamingWhatWasLookedFor()
    {
        CudaTestGuard.RequireNoCuda();
        var ex = Assert.Throws<InvalidOperationException>(() => new GpuNafTrainer(SmallOptions(), GpuDevice.Cuda));
        Assert.That(ex!.Message, Does.Contain("CUDA").And.Contain("found none").And.Contain("--backend cpu"));
    }

    [Test]
    public void Step_AfterDispose_Throws()
    {
        var gpu = new GpuNafTrainer(SmallOptions(), GpuDevice.CpuAccelerator);
        gpu.Dispose();
        Assert.Throws<ObjectDisposedException>(() => gpu.Step(new float[35], new float[21], new float[7], new float[35], new float[7]));
    }

    /// <summary>As on the CPU: a NaN reward's update is skipped on the device (θ, θ′ and Adam untouched), counted when
    /// the losses come back, and too many in a row throw.</summary>
    [Test]
    public void Step_NonFiniteReward_SkippedOnDeviceCountedAndStopsAfterTheLimit([Values] GpuDevice device)
    {
        var options = SmallOptions() with { MaxConsecutiveNonFiniteUpdates = 4 };
        using var gpu = new GpuNafTrainer(options, On(device), lossWindow: 2);
        var random = new Random(9);
        var batch = new ReplayBatch(options.BatchSize, options.ObservationSize, options.ActionSize);
        Fill(batch, random);
        gpu.Step(batch);
        var state = gpu.DownloadState();
        float[] online = (float[])state.Online.Values.Clone(), target = (float[])state.Target.Clone();
        float[] m = (float[])state.AdamFirstMoment.Clone(), v = (float[])state.AdamSecondMoment.Clone();

        batch.Rewards[1] = float.NaN;
        gpu.Step(batch);
        gpu.Step(batch);
        state = gpu.DownloadState();
        Assert.Multiple(() =>
        {
            Assert.That(state.Online.Values, Is.EqualTo(online), "θ");
            Assert.That(state.Target, Is.EqualTo(target), "θ′");
            Assert.That(state.AdamFirstMoment, Is.EqualTo(m), "m");
            Assert.That(state.AdamSecondMoment, Is.EqualTo(v), "v");
            Assert.That(gpu.NonFiniteUpdates, Is.EqualTo(2));
            Assert.That(gpu.ConsecutiveNonFiniteUpdates, Is.EqualTo(2));
            Assert.That(gpu.Steps, Is.EqualTo(3));
        });

        gpu.Step(batch);
        var e = Assert.Throws<InvalidOperationException>(() => gpu.Step(batch), "the window holding the 4th in a row comes back");
        Assert.That(e!.Message, Does.Contain("4 updates in a row"));
        Assert.That(gpu.NonFiniteUpdates, Is.EqualTo(4));
        Assert.That(gpu.DownloadState().Online.Values, Is.EqualTo(online), "still the last finite state");
    }

    private static float[] InitialParameters(NafOptions options) => new NafTrainer(options).Online.Values;

    private static void Fill(ReplayBatch batch, Random random)
    {
        Fill(batch.Observations, random);
        Fill(batch.NextObservations, random);
        Fill(batch.Actions, random);
        Fill(batch.Rewards, random);
        for (int i = 0; i < batch.Size; i++) batch.Terminated[i] = random.Next(4) == 0 ? 1f : 0f;
    }

    private static void Fill(float[] values, Random random)
    {
        for (int i = 0; i < values.Length; i++) values[i] = (float)(random.NextDouble() * 2 - 1);
    }

    private static double MaxDifference(float[] a, float[] b)
    {
        double worst = 0;
        for (int i = 0; i < a.Length; i++) worst = Math.Max(worst, Math.Abs(a[i] - b[i]));
        return worst;
    }

    private static void AssertClose(float[] got, float[] expected, string what)
    {
        Assert.That(got, Has.Length.EqualTo(expected.Length), what);
        double worst = MaxDifference(got, expected);
        TestContext.Out.WriteLine($"{what}: max |gpu − cpu| = {worst:G3} over {got.Length} parameters");
        Assert.That(worst, Is.LessThanOrEqualTo(ParameterTolerance), $"{what}: max |gpu − cpu| after 10 updates");
    }
}
