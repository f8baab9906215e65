using System.Buffers.Binary;

namespace NafNative.Hardware.EtherCat;

/// <summary>The process image of a segment of equal slaves: one LRW per cycle carries every slave's outputs and
/// brings back every slave's inputs, the working counter supervised (2 per slave for outputs + 1 for inputs).</summary>
/// <remarks>Logical layout: outputs of slave i at [i·out, (i+1)·out), inputs at [n·out + i·in, …) — one contiguous
/// range, so one LRW. Allocation-free per cycle.</remarks>
public sealed class EcProcessImage
{
    private readonly EcMaster _master;
    private readonly byte[] _image;

    internal EcProcessImage(EcMaster master, int slaves, int outputBytes, int inputBytes)
    {
        _master = master;
        Slaves = slaves;
        OutputBytes = outputBytes;
        InputBytes = inputBytes;
        _image = new byte[slaves * (outputBytes + inputBytes)];
    }

    public int Slaves { get; }
    public int OutputBytes { get; }
    public int InputBytes { get; }
    public int ExpectedWorkingCounter => 3 * Slaves;
    /// <summary>Cycles whose working counter was not <see cref="ExpectedWorkingCounter"/>.</summary>
    public long WorkingCounterErrors { get; private set; }

    /// <summary>Slave <paramref name="slave"/>'s outputs, written by the caller before <see cref="Exchange"/>.</summary>
    public Span<byte> Outputs(int slave) => _image.AsSpan(slave * OutputBytes, OutputBytes);

    /// <summary>Slave <paramref name="slave"/>'s inputs, as of the last <see cref="Exchange"/>.</summary>
    public ReadOnlySpan<byte> Inputs(int slave) => _image.AsSpan(Slaves * OutputBytes + slave * InputBytes, InputBytes);

    /// <summary>One LRW of the whole image; returns whether the working counter was as expected (every slave exchanged).</summary>
    public bool Exchange()
    {
        // The LRW carries the outputs out and the inputs back in the same bytes; the outputs part comes back as sent.
        int wkc = _master.Transact(EcCommand.Lrw, 0x0000, 0x0000, _image);
        if (wkc == ExpectedWorkingCounter) return true;
        WorkingCounterErrors++;
        return false;
    }

    public static ushort ReadU16(ReadOnlySpan<byte> b, int at) => BinaryPrimitives.ReadUInt16LittleEndian(b[at..]);
    public static int ReadI32(ReadOnlySpan<byte> b, int at) => BinaryPrimitives.ReadInt32LittleEndian(b[at..]);
}
