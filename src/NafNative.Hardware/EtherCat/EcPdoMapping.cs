using System.Globalization;

namespace NafNative.Hardware.EtherCat;

/// <summary>One entry of a PDO mapping object (0x1600…/0x1A00…): the mapped object and its length in bits, packed
/// as CoE stores it: <c>index &lt;&lt; 16 | subindex &lt;&lt; 8 | bits</c> (ETG.1000.6 §5.6.7.4.7).</summary>
public readonly record struct EcPdoEntry(ushort Index, byte Subindex, byte Bits)
{
    public uint Packed => (uint)(Index << 16 | Subindex << 8 | Bits);
    public static EcPdoEntry FromPacked(uint value) => new((ushort)(value >> 16), (byte)(value >> 8), (byte)value);

    /// <summary>Parses <c>INDEX:SUB:BITS</c>, e.g. <c>0x6040:0:16</c> (index hexadecimal, with or without 0x).</summary>
    public static EcPdoEntry Parse(string text)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(text);
        string[] p = text.Split(':');
        string hex = p[0].StartsWith("0x", StringComparison.OrdinalIgnoreCase) ? p[0][2..] : p[0];
        if (p.Length != 3 || !ushort.TryParse(hex, NumberStyles.HexNumber, CultureInfo.InvariantCulture, out ushort index)
            || !byte.TryParse(p[1], CultureInfo.InvariantCulture, out byte sub) || !byte.TryParse(p[2], CultureInfo.InvariantCulture, out byte bits) || bits == 0)
            throw new FormatException($"PDO entry '{text}': use INDEX:SUBINDEX:BITS, e.g. 0x6040:0:16.");
        return new EcPdoEntry(index, sub, bits);
    }

    public override string ToString() => $"0x{Index:X4}:{Subindex:X2}/{Bits}";
}

/// <summary>One PDO: its mapping object's index (0x1600… receive, 0x1A00… transmit) and its entries in order.</summary>
public sealed record EcPdo(ushort Index, IReadOnlyList<EcPdoEntry> Entries);

/// <summary>The PDOs one SyncManager carries (what 0x1C12 or 0x1C13 assigns), in order, and where each mapped
/// object lands in the SyncManager's buffer.</summary>
/// <remarks>Objects are whole bytes here (bit lengths multiples of 8; an entry with index 0 is a gap), as CiA 402
/// process data are; a bit-packed mapping is refused when the mapping is built.</remarks>
public sealed class EcPdoMapping : IEquatable<EcPdoMapping>
{
    public EcPdoMapping(IReadOnlyList<EcPdo> pdos)
    {
        ArgumentNullException.ThrowIfNull(pdos);
        Pdos = pdos;
        int bits = 0;
        foreach (var pdo in pdos)
            foreach (var e in pdo.Entries)
            {
                if (e.Bits % 8 != 0)
                    throw new NotSupportedException($"PDO 0x{pdo.Index:X4} entry {e}: {e.Bits} bits; this master maps whole bytes only.");
                bits += e.Bits;
            }
        Bytes = bits / 8;
    }

    public EcPdoMapping(ushort pdoIndex, params EcPdoEntry[] entries) : this([new EcPdo(pdoIndex, entries)]) { }

    public IReadOnlyList<EcPdo> Pdos { get; }

    /// <summary>Length of the SyncManager buffer this mapping fills.</summary>
    public int Bytes { get; }

    /// <summary>Byte offset of <paramref name="index"/>:<paramref name="subindex"/> in the buffer, or −1 if it is not
    /// mapped.</summary>
    public int OffsetOf(ushort index, byte subindex = 0)
    {
        int at = 0;
        foreach (var pdo in Pdos)
            foreach (var e in pdo.Entries)
            {
                if (e.Index == index && e.Subindex == subindex && index != 0) return at;
                at += e.Bits / 8;
            }
        return -1;
    }

    /// <summary>The CiA 402 drive's standard receive mapping (shared/HARDWARE.md §2.6): controlword, target
    /// position, target velocity, modes of operation — 11 bytes in 0x1600.</summary>
    public static EcPdoMapping StandardOutputs { get; } = new(0x1600, new(Cia402.ControlwordIndex, 0, 16), new(Cia402.TargetPosition, 0, 32),
        new(Cia402.TargetVelocity, 0, 32), new(Cia402.ModesOfOperation, 0, 8));

    /// <summary>The standard transmit mapping: statusword, position actual, velocity actual, modes display — 11 bytes in 0x1A00.</summary>
    public static EcPdoMapping StandardInputs { get; } = new(0x1A00, new(Cia402.StatuswordIndex, 0, 16), new(Cia402.PositionActual, 0, 32),
        new(Cia402.VelocityActual, 0, 32), new(Cia402.ModesDisplay, 0, 8));

    public bool Equals(EcPdoMapping? other)
    {
        if (other is null || other.Pdos.Count != Pdos.Count) return false;
        for (int p = 0; p < Pdos.Count; p++)
            if (Pdos[p].Index != other.Pdos[p].Index || !Pdos[p].Entries.SequenceEqual(other.Pdos[p].Entries)) return false;
        return true;
    }

    public override bool Equals(object? obj) => Equals(obj as EcPdoMapping);
    public override int GetHashCode() => HashCode.Combine(Pdos.Count, Bytes);

    /// <summary>E.g. <c>0x1600 [0x6040:00/16, 0x60FF:00/32]</c>.</summary>
    public override string ToString() => string.Join("; ", Pdos.Select(p => $"0x{p.Index:X4} [{string.Join(", ", p.Entries)}]"));
}
