using ILGPU;
using ILGPU.Runtime;
using ILGPU.Runtime.Cuda;
using NafNative.Learning;
using NafNative.Replay;

namespace NafNative.Naf.Gpu;

/// <summary>The NAF update of <see cref="NafTrainer"/> run wholly on an ILGPU accelerator (CUDA, or ILGPU's CPU
/// accelerator for tests): TD target from the target network, Q = V + A, MSE, backward, optional clipping, Adam,
/// Polyak — the same equations, the same initial parameters, the same results within float reassociation.</summary>
/// <remarks>
/// <para>Owned by one thread (the learner). Parameters θ and θ′ (one buffer [θ | θ′], so one launch runs both
/// networks' forward passes), gradients, Adam moments, activations for <see cref="NafOptions.BatchSize"/> rows and
/// every scratch value live on the device, allocated once in the constructor. An update uploads only the batch (one
/// copy from a page-locked staging buffer, packed [x | x′ | u | r | terminated]) and allocates nothing on the managed
/// heap.</para>
/// <para>Asynchronous updates: <see cref="Step(ReplayBatch)"/> only enqueues; it does not wait for the device. Each
/// update's loss and gradient norm go to their slot of a device ring of <see cref="LossWindow"/> (K) pairs; every K
/// updates (and whenever the host must synchronise anyway: <see cref="Parameters"/>, <see cref="DownloadTarget"/>,
/// <see cref="SynchronizeLoss"/>, <see cref="DownloadState"/>) the stream is synchronised and the ring is downloaded
/// once. So <b>the loss that Step returns (and <see cref="LastGradientNorm"/>) lags by up to K − 1 updates</b>: it is
/// the loss of the last update known to have finished (0 before any has). Call <see cref="SynchronizeLoss"/> for the
/// exact loss of the last update. The host therefore enqueues update t + 1 while the device still runs update t.
/// Each of the K updates of a window packs its batch into its own page-locked staging buffer, and a staging buffer is
/// reused only after a synchronisation, so the host never overwrites a batch whose upload the device has not yet
/// performed (the device-side batch buffer is one: the in-order stream runs the next upload after the previous
/// update's last kernel). K = 1 gives the old behaviour: every Step waits for its own loss.</para>
/// <para>One update is 3L + 2 launches for L layers (11 for two hidden layers): L forward GEMMs (bias folded in as a
/// ones column, ReLU in the epilogue, online and target as the two problems of one grid), one fused TD/advantage
/// kernel, L weight-and-bias-gradient GEMMs (split over the batch, with atomic adds, past 64 rows; plus one memset
/// then), L − 1 input-gradient GEMMs (ReLU mask in the epilogue), one reduction (loss, ‖g‖) and one fused
/// clip/Adam/Polyak pass.</para>
/// <para><see cref="Parameters"/> downloads θ into one of two page-locked host mirrors in turn, so the span handed
/// out by the previous call stays intact while the next download is written.</para>
/// </remarks>
public sealed partial class GpuNafTrainer : IUpdateStep, IDisposable
{
    private readonly Context _context;
    private readonly Accelerator _accelerator;
    private readonly int _parameterCount, _batchFloats;
    private readonly int[] _sizes, _weightOffsets;
    private readonly PageLockedArray1D<float>[] _staging = [];
    private readonly PageLockedArray1D<float> _lossHost = null!;
    private readonly PageLockedArray1D<float>[] _mirrors = new PageLockedArray1D<float>[2];
    private int _nextMirror;
    private int _inFlight; // updates enqueued since the last synchronisation (= the next update's ring/staging slot)
    private NafTrainer? _snapshot;
    private int _boundThread;
    private bool _disposed;

    /// <summary>Updates per loss download when none is given (see <see cref="LossWindow"/>).</summary>
    public const int DefaultLossWindow = 16;

    /// <summary>Opens <paramref name="device"/> and allocates everything one update needs; parameters start as the
    /// CPU trainer's do for the same options (seed and sizes).</summary>
    /// <param name="options">Network, optimiser and batch size, as for <see cref="NafTrainer"/>.</param>
    /// <param name="device">CUDA, or ILGPU's CPU accelerator.</param>
    /// <param name="lossWindow">K: updates between loss downloads (and the most the returned loss lags); 1 = wait for
    /// every update's loss.</param>
    /// <exception cref="InvalidOperationException">CUDA asked for and none found; or the device cannot run 16×16 groups.</exception>
    /// <exception cref="InsufficientMemoryException">The device cannot hold the buffers (names device and sizes).</exception>
    public GpuNafTrainer(NafOptions options, GpuDevice device, int lossWindow = DefaultLossWindow)
        : this(options ?? throw new ArgumentNullException(nameof(options)), null, device, lossWindow)
    {
    }

    /// <summary>Opens <paramref name="device"/> and continues <paramref name="state"/> (a CPU trainer, e.g. one
    /// loaded from a checkpoint): its options, θ, θ′, Adam moments and step count are uploaded.</summary>
    public GpuNafTrainer(NafTrainer state, GpuDevice device, int lossWindow = DefaultLossWindow)
        : this((state ?? throw new ArgumentNullException(nameof(state))).Options, state, device, lossWindow)
    {
    }

    private GpuNafTrainer(NafOptions options, NafTrainer? state, GpuDevice device, int lossWindow)
    {
        if (lossWindow < 1)
            throw new ArgumentOutOfRangeException(nameof(lossWindow), lossWindow, "GpuNafTrainer: the loss window must be at least 1 update.");
        Options = options;
        LossWindow = lossWindow;
        // Same initial parameters as the CPU trainer (initialisation depends only on seed and sizes; batch 1 keeps
        // this temporary small).
        var initial = state ?? new NafTrainer(options with { BatchSize = 1 });
        Network = initial.Network;
        _parameterCount = Network.ParameterCount;
        _sizes = [.. Network.Body.Sizes];
        _weightOffsets = WeightOffsets(Network, _sizes);
        int b = options.BatchSize, obs = options.ObservationSize, n = options.ActionSize;
        _batchFloats = checked(b * (2 * obs + n + 2));

        (_context, _accelerator) = GpuAccelerators.Open(device);
        try
        {
            _boundThread = Environment.CurrentManagedThreadId;
            DeviceName = GpuAccelerators.Describe(_accelerator);
            if (_accelerator.MaxNumThreadsPerGroup < Kernels.Gpu.GemmKernels.TileSize * Kernels.Gpu.GemmKernels.TileSize)
                throw new InvalidOperationException(
                    $"GpuNafTrainer: {DeviceName} allows {_accelerator.MaxNumThreadsPerGroup} threads per group; the GEMM needs " +
                    $"{Kernels.Gpu.GemmKernels.TileSize * Kernels.Gpu.GemmKernels.TileSize}.");
            long rowTiles = (b + Kernels.Gpu.GemmKernels.TileSize - 1) / Kernels.Gpu.GemmKernels.TileSize;
            if (rowTiles > _accelerator.MaxGridSize.Y)
                throw new ArgumentOutOfRangeException(nameof(options), b,
                    $"GpuNafTrainer: batch {b} needs {rowTiles} GEMM row tiles but {DeviceName} allows a grid of at most " +
                    $"{_accelerator.MaxGridSize.Y} in y; use a batch of at most {(long)_accelerator.MaxGridSize.Y * Kernels.Gpu.GemmKernels.TileSize}.");
            AllocateDeviceBuffers(b, obs, n);
            _staging = new PageLockedArray1D<float>[lossWindow];
            for (int k = 0; k < lossWindow; k++) _staging[k] = AllocateHost(_batchFloats, $"batch staging {k}");
            _lossHost = AllocateHost(2L * lossWindow, "loss/norm ring");
            _mirrors[0] = AllocateHost(_parameterCount, "parameter mirror 0");
            _mirrors[1] = AllocateHost(_parameterCount, "parameter mirror 1");
            LoadKernels();
            var values = initial.Online.Values;
            _parameters.View.SubView(0, _parameterCount).CopyFromCPU(values);
            if (state is null)
            {
                _parameters.View.SubView(_parameterCount, _parameterCount).CopyFromCPU(values);
                _m.MemSetToZero();
                _v.MemSetToZero();
            }
            else
            {
                _parameters.View.SubView(_parameterCount, _parameterCount).CopyFromCPU(state.Target);
                _m.View.CopyFromCPU(state.AdamFirstMoment);
                _v.View.CopyFromCPU(state.AdamSecondMoment);
                Steps = state.Steps;
            }
            _lossRing.MemSetToZero();
            _accelerator.Synchronize();
        }
        catch
        {
            DisposeBuffers();
            _accelerator.Dispose();
            _context.Dispose();
            throw;
        }
    }

    public NafOptions Options { get; }
    public NafNetwork Network { get; }

    /// <summary>The accelerator in words: name, type, memory (and architecture for CUDA).</summary>
    public string DeviceName { get; }

    /// <summary>The open accelerator (for reports such as peak FLOP/s).</summary>
    public Accelerator Accelerator => _accelerator;

    /// <summary>Updates enqueued so far (Adam's t), including skipped non-finite ones; some may still be running on
    /// the device.</summary>
    public long Steps { get; private set; }

    /// <summary>Updates the device skipped because their loss or gradient norm was NaN or ±∞ (θ, θ′ and Adam's moments
    /// untouched), counted when their losses are downloaded (so it lags as <see cref="LastLoss"/> does).</summary>
    public long NonFiniteUpdates { get; private set; }

    /// <summary>Skipped updates since the last applied one (same lag). The download that brings it to
    /// <see cref="NafOptions.MaxConsecutiveNonFiniteUpdates"/> throws, so a run stops at most K − 1 updates later than
    /// the CPU trainer would.</summary>
    public int ConsecutiveNonFiniteUpdates { get; private set; }

    /// <summary>K: updates between loss downloads; the loss <see cref="Step(ReplayBatch)"/> returns lags by up to K − 1.</summary>
    public int LossWindow { get; }

    /// <summary>TD loss of the last update known to have finished (lags by up to K − 1 updates; 0 before any).</summary>
    public float LastLoss { get; private set; }

    /// <summary>Gradient L2 norm, before any clipping, of the same update as <see cref="LastLoss"/> (same lag).</summary>
    public float LastGradientNorm { get; private set; }

    /// <summary>Transitions per update; a batch must have exactly this many.</summary>
    public int BatchSize => Options.BatchSize;

    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        try
        {
            // Nothing may still read a buffer (or a page-locked staging buffer) when it is freed.
            Bind();
            _accelerator.Synchronize();
        }
        catch (Exception e) when (e is CudaException or AcceleratorException or InvalidOperationException)
        {
            // The device already failed; free what can be freed.
        }
        DisposeBuffers();
        _accelerator.Dispose();
        _context.Dispose();
    }

    // A CUDA context is current per thread: rebind when the learner thread is not the constructing thread.
    private void Bind()
    {
        int thread = Environment.CurrentManagedThreadId;
        if (thread == _boundThread) return;
        _accelerator.Bind();
        _boundThread = thread;
    }

    private PageLockedArray1D<float> AllocateHost(long length, string what)
    {
        try
        {
            return _accelerator.AllocatePageLocked1D<float>(length);
        }
        catch (Exception e) when (IsAllocationFailure(e))
        {
            throw new InsufficientMemoryException(
                $"GpuNafTrainer: could not allocate the page-locked host buffer '{what}' of {length} floats ({length * 4L} bytes) for " +
                $"{DeviceName}: {e.Message}", e);
        }
    }

    private static int[] WeightOffsets(NafNetwork network, int[] sizes)
    {
        var slices = network.Layout.Slices;
        var offsets = new int[sizes.Length - 1];
        for (int l = 0; l < offsets.Length; l++)
        {
            var weight = slices[2 * l];
            var bias = slices[2 * l + 1];
            // The fused [W; b] GEMMs need each bias right after its weight (Mlp registers them in that order).
            if (weight.Name != $"naf.{l}.weight" || bias.Name != $"naf.{l}.bias" || bias.Offset != weight.Offset + sizes[l] * sizes[l + 1])
                throw new InvalidOperationException(
                    $"GpuNafTrainer: layer {l} is laid out as {weight} then {bias}; the GPU backend needs naf.{l}.bias directly after naf.{l}.weight.");
            offsets[l] = weight.Offset;
        }
        return offsets;
    }

    private static bool IsAllocationFailure(Exception e) =>
        e is OutOfMemoryException or CudaException or AcceleratorException or ArgumentOutOfRangeException;

    private void ThrowIfDisposed() => ObjectDisposedException.ThrowIf(_disposed, this);
}
