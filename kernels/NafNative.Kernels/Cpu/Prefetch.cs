using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics.X86;

namespace NafNative.Kernels.Cpu;

/// <summary>Non-blocking cache-line prefetch hints: ask the memory system for lines that will be read soon, without
/// waiting for them (unlike a load). A no-op on CPUs without a prefetch instruction exposed to .NET.</summary>
public static class Prefetch
{
    private const int LineBytes = 64;

    /// <summary>Hints every cache line of <paramref name="values"/>[start, start + count) into all cache levels.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static unsafe void Lines<T>(ReadOnlySpan<T> values, int start, int count) where T : unmanaged
    {
        if ((uint)start > (uint)values.Length || (uint)count > (uint)(values.Length - start))
            throw new ArgumentOutOfRangeException(nameof(start), $"Prefetch.Lines: [{start}, {start + count}) lies outside [0, {values.Length}).");
        if (!Sse.IsSupported || count == 0) return;
        byte* p = (byte*)Unsafe.AsPointer(ref Unsafe.AsRef(in MemoryMarshal.GetReference(values))) + (long)start * sizeof(T);
        byte* end = p + (long)count * sizeof(T);
        // Hints never fault and the GC may move the array only between safepoints; a stale address just wastes a hint.
        for (byte* line = (byte*)((nuint)p & ~(nuint)(LineBytes - 1)); line < end; line += LineBytes) Sse.Prefetch0(line);
    }
}
