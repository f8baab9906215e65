using System.Runtime.Intrinsics;

namespace NafNative.Kernels.Cpu;

/// <summary>The widest SIMD code path a CPU kernel may take.</summary>
public enum SimdWidth
{
    /// <summary>Plain scalar loops.</summary>
    Scalar = 0,
    /// <summary>256-bit vectors (8 floats): AVX2, or two NEON registers.</summary>
    Vector256 = 1,
    /// <summary>512-bit vectors (16 floats): AVX-512.</summary>
    Vector512 = 2,
}

/// <summary>Runtime dispatch for the CPU kernels, with a ceiling tests use to force each path.</summary>
/// <remarks>
/// <see cref="Active"/> is the narrower of what the hardware accelerates and <see cref="Max"/>.
/// CI machines have AVX-512, so the Vector256 and scalar paths only run in tests that lower <see cref="Max"/>.
/// The ceiling is process-wide: set it only from single-threaded test fixtures or start-up code.
/// </remarks>
public static class SimdPath
{
    /// <summary>The widest path the hardware accelerates.</summary>
    public static SimdWidth Hardware { get; } =
        Vector512.IsHardwareAccelerated ? SimdWidth.Vector512
        : Vector256.IsHardwareAccelerated ? SimdWidth.Vector256
        : SimdWidth.Scalar;

    private static SimdWidth _max = SimdWidth.Vector512;
    private static SimdWidth _active = Hardware;

    /// <summary>Ceiling on the path kernels take; defaults to the widest.</summary>
    public static SimdWidth Max
    {
        get => _max;
        set
        {
            if (value is < SimdWidth.Scalar or > SimdWidth.Vector512)
                throw new ArgumentOutOfRangeException(nameof(value), value, "SimdPath.Max must be Scalar, Vector256 or Vector512.");
            _max = value;
            _active = value < Hardware ? value : Hardware;
        }
    }

    /// <summary>The path kernels take now.</summary>
    public static SimdWidth Active => _active;

    /// <summary>Lowers <see cref="Max"/> until the returned scope is disposed (tests).</summary>
    public static Scope Force(SimdWidth width)
    {
        var previous = _max;
        Max = width;
        return new Scope(previous);
    }

    /// <summary>Restores the previous ceiling when disposed.</summary>
    public readonly struct Scope : IDisposable
    {
        private readonly SimdWidth _previous;
        internal Scope(SimdWidth previous) => _previous = previous;
        public void Dispose() => Max = _previous;
    }
}
