using System.Runtime.InteropServices;

namespace NafNative.Replay;

/// <summary>A <see langword="long"/> alone on its cache line: 64 bytes of padding on each side, so a counter that
/// many threads hammer never shares a line with a neighbouring field (Disruptor-net's <c>Sequence</c> layout).</summary>
/// <remarks>Access <see cref="Value"/> only through <see cref="Volatile"/> or <see cref="Interlocked"/>; the owner
/// documents which.</remarks>
[StructLayout(LayoutKind.Explicit, Size = 128)]
internal struct PaddedCounter
{
    [FieldOffset(64)]
    public long Value;
}
