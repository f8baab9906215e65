using ILGPU;
using ILGPU.Runtime;

namespace NafNative.Naf.Gpu;

// State download: θ into the alternating host mirrors, θ′, and the whole trainer into a CPU NafTrainer (checkpoints,
// evaluation); each waits for every enqueued update first. The upload is the constructor's.
public sealed partial class GpuNafTrainer
{
    /// <summary>The whole trainer state (θ, θ′, Adam moments, steps) after every enqueued update, in a CPU
    /// <see cref="NafTrainer"/> owned by this trainer and overwritten by the next call (checkpoints, evaluation).</summary>
    public NafTrainer DownloadState()
    {
        ThrowIfDisposed();
        Flush();
        var snapshot = _snapshot ??= new NafTrainer(Options);
        var both = new float[2 * _parameterCount];
        var m = new float[_parameterCount];
        var v = new float[_parameterCount];
        _parameters.View.CopyToCPU(both);
        _m.View.CopyToCPU(m);
        _v.View.CopyToCPU(v);
        snapshot.Restore(both.AsSpan(0, _parameterCount), both.AsSpan(_parameterCount), m, v, Steps);
        return snapshot;
    }

    /// <summary>θ after every enqueued update, downloaded now into one of two alternating host mirrors (valid until
    /// the call after next).</summary>
    public ReadOnlySpan<float> Parameters
    {
        get
        {
            ThrowIfDisposed();
            Flush();
            var mirror = _mirrors[_nextMirror];
            _nextMirror ^= 1;
            Download(_parameters.View.SubView(0, _parameterCount), mirror);
            return mirror.Span;
        }
    }

    /// <summary>θ′ (target network), copied to a new array (tests, checkpoints).</summary>
    public float[] DownloadTarget()
    {
        ThrowIfDisposed();
        Flush();
        var target = new float[_parameterCount];
        _parameters.View.SubView(_parameterCount, _parameterCount).CopyToCPU(target);
        return target;
    }

    private void Download(ArrayView1D<float, Stride1D.Dense> source, PageLockedArray1D<float> host)
    {
        Bind();
        source.CopyToPageLockedAsync(_accelerator.DefaultStream, host);
        _accelerator.DefaultStream.Synchronize();
    }
}
