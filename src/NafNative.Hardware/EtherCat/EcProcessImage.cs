using System.Buffers.Binary;

namespace NafNative.Hardware.EtherCat;

/// <summary>The process image of a segment: one LRW per cycle carries every slave's outputs and brings back every
/// slave's inputs, the working counter supervised (2 per slave with outputs + 1 per slave with inputs).</summary>
/// <remarks>Logical layout: the outputs of slaves 0, 1, … one after the other, then their inputs the same way — one
/// contiguous range, so one LRW. Each slave's sizes come from its PDO mapping. Allocation-free per cycle.</remarks>
public sealed class EcProcessImage
{
    private readonly EcMaster _master;
    private readonly byte[] _image;
    private readonly int[] _outputAt, _outputBytes, _inputAt, _inputBytes;

    internal EcProcessImage(EcMaster master, IReadOnlyList<(int OutputBytes, int InputBytes)> sizes)
    {
        _master = master;
        int n = sizes.Count;
        (_outputAt, _outputBytes, _inputAt, _inputBytes) = (new int[n], new int[n], new int[n], new int[n]);
        int at = 0, wkc = 0;
        for (int i = 0; i < n; i++)
        {
            var (o, inp) = sizes[i];
            if (o < 0 || inp < 0 || o > 0x7FF || inp > 0x7FF) throw new ArgumentOutOfRangeException(nameof(sizes), $"slave {i}: {o} output and {inp} input bytes; each must be 0..2047.");
            (_outputAt[i], _outputBytes[i]) = (at, o);
            at += o;
            wkc += o > 0 ? 2 : 0;
        }
        for (int i = 0; i < n; i++)
        {
            (_inputAt[i], _inputBytes[i]) = (at, sizes[i].InputBytes);
            at += sizes[i].InputBytes;
            wkc += sizes[i].InputBytes > 0 ? 1 : 0;
        }
        if (at > EcFrame.MaxPayload - EcFrame.HeaderLength - EcFrame.DatagramOverhead)
            throw new ArgumentOutOfRangeException(nameof(sizes), $"the process image is {at} bytes; one LRW in one frame carries at most {EcFrame.MaxPayload - EcFrame.HeaderLength - EcFrame.DatagramOverhead}.");
        Slaves = n;
        ExpectedWorkingCounter = wkc;
        _image = new byte[at];
    }

    public int Slaves { get; }
    public int ExpectedWorkingCounter { get; }
    /// <summary>Bytes of the whole image (outputs then inputs).</summary>
    public int Length => _image.Length;
    /// <summary>Cycles whose working counter was not <see cref="ExpectedWorkingCounter"/>.</summary>
    public long WorkingCounterErrors { get; private set; }

    /// <summary>Where slave <paramref name="slave"/>'s outputs start in the logical image (its FMMU 0).</summary>
    public int OutputOffset(int slave) => _outputAt[slave];
    /// <summary>Where slave <paramref name="slave"/>'s inputs start in the logical image (its FMMU 1).</summary>
    public int InputOffset(int slave) => _inputAt[slave];

    /// <summary>Slave <paramref name="slave"/>'s outputs, written by the caller before <see cref="Exchange"/>.</summary>
    public Span<byte> Outputs(int slave) => _image.AsSpan(_outputAt[slave], _outputBytes[slave]);

    /// <summary>Slave <paramref name="slave"/>'s inputs, as of the last <see cref="Exchange"/>.</summary>
    public ReadOnlySpan<byte> Inputs(int slave) => _image.AsSpan(_inputAt[slave], _inputBytes[slave]);

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
