using System.Buffers.Binary;
using System.IO.Hashing;
using System.Runtime.InteropServices;
using NafNative.Storage;

namespace NafNative.Replay;

/// <summary>A replay ring's contents and a run's progress, saved beside a checkpoint so that a resumed run continues
/// with the same replay (not an empty one that refills) and the same environment-step count.</summary>
/// <remarks>
/// Format (little-endian): magic "NAFREPL\0"; u32 version (1); i32 observation size, action size; i64 updates (the
/// trainer step count of the checkpoint this file belongs with); i64 environment steps (all workers, over every
/// resumed run); then N transitions of the ring's slot layout (<see cref="ReplayRing.Stride"/> f32 each, oldest
/// first); i64 N; u64 XxHash64 of every byte before it. N may be 0 (progress only, when the replay was too large to
/// save). Written atomically (<see cref="AtomicFile"/>). Loading checks every byte (length, count, checksum) before
/// the first transition enters the ring, so a damaged file changes nothing.
/// </remarks>
public static class ReplayFile
{
    public const uint FormatVersion = 1;
    private const int HeaderBytes = 8 + 4 + 4 + 4 + 8 + 8;
    private const int TrailerBytes = 8 + 8;
    private const int ChunkRows = 1024;
    private static ReadOnlySpan<byte> Magic => "NAFREPL\0"u8;

    /// <summary>What a replay file holds, apart from its transitions.</summary>
    public sealed record Header(int ObservationSize, int ActionSize, long Updates, long EnvSteps, long Count);

    /// <summary>Writes the transitions <paramref name="ring"/> holds (when <paramref name="includeTransitions"/>)
    /// and the progress counters to <paramref name="path"/> atomically; returns how many transitions it wrote.</summary>
    /// <remarks>Safe while producers insert: each transition is copied under its slot's seqlock. Tickets overwritten
    /// during the write (the ring lapping the copy) are left out; a transition still being written is waited for up to
    /// <paramref name="maxWait"/>. Call it where producers are held (the learner thread with an updates-per-insert
    /// ratio, or after the run has stopped) and the file is the ring's exact contents. <paramref name="maxWait"/> bounds
    /// the waiting of the whole save.</remarks>
    public static long Save(ReplayRing ring, string path, long updates, long envSteps, bool includeTransitions, TimeSpan maxWait)
    {
        ArgumentNullException.ThrowIfNull(ring);
        ArgumentOutOfRangeException.ThrowIfNegative(updates);
        ArgumentOutOfRangeException.ThrowIfNegative(envSteps);
        long written = 0;
        AtomicFile.Write(path, file =>
        {
            var hash = new XxHash64();
            Span<byte> header = stackalloc byte[HeaderBytes];
            Magic.CopyTo(header);
            BinaryPrimitives.WriteUInt32LittleEndian(header[8..], FormatVersion);
            BinaryPrimitives.WriteInt32LittleEndian(header[12..], ring.ObservationSize);
            BinaryPrimitives.WriteInt32LittleEndian(header[16..], ring.ActionSize);
            BinaryPrimitives.WriteInt64LittleEndian(header[20..], updates);
            BinaryPrimitives.WriteInt64LittleEndian(header[28..], envSteps);
            Emit(file, hash, header);
            if (includeTransitions)
            {
                var chunk = new float[ChunkRows * ring.Stride];
                int rows = 0;
                var (first, end) = ring.HeldTickets();
                // One budget for the whole save, not per ticket: producers stopped mid-insert cannot add up to a hang.
                long deadline = System.Diagnostics.Stopwatch.GetTimestamp() + (long)(maxWait.TotalSeconds * System.Diagnostics.Stopwatch.Frequency);
                for (long ticket = first; ticket < end; ticket++)
                {
                    var left = TimeSpan.FromSeconds(Math.Max(0, deadline - System.Diagnostics.Stopwatch.GetTimestamp()) / (double)System.Diagnostics.Stopwatch.Frequency);
                    if (!ring.TryCopyTicket(ticket, chunk.AsSpan(rows * ring.Stride, ring.Stride), left)) continue;
                    if (++rows == ChunkRows)
                    {
                        Emit(file, hash, MemoryMarshal.AsBytes(chunk.AsSpan()));
                        written += rows;
                        rows = 0;
                    }
                }
                Emit(file, hash, MemoryMarshal.AsBytes(chunk.AsSpan(0, rows * ring.Stride)));
                written += rows;
            }
            Span<byte> trailer = stackalloc byte[TrailerBytes];
            BinaryPrimitives.WriteInt64LittleEndian(trailer, written);
            hash.Append(trailer[..8]);
            BinaryPrimitives.WriteUInt64LittleEndian(trailer[8..], hash.GetCurrentHashAsUInt64());
            file.Write(trailer);
        });
        return written;
    }

    /// <summary>Reads and checks the whole file (every byte hashed) without loading it.</summary>
    /// <exception cref="InvalidDataException">Not a replay file, another version, truncated, a count that does not fit
    /// the length, or a checksum mismatch; the message names the file and the byte.</exception>
    public static Header Verify(string path)
    {
        using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1 << 16);
        long length = file.Length;
        if (length < HeaderBytes + TrailerBytes)
            throw Error(path, length, $"truncated: {length} bytes, shorter than the {HeaderBytes + TrailerBytes}-byte header and trailer");
        Span<byte> header = stackalloc byte[HeaderBytes];
        file.ReadExactly(header);
        if (!header[..8].SequenceEqual(Magic)) throw Error(path, 0, "not a NafNative replay file (magic bytes differ)");
        uint version = BinaryPrimitives.ReadUInt32LittleEndian(header[8..]);
        if (version != FormatVersion) throw Error(path, 8, $"format version {version} is not supported (this build reads version {FormatVersion})");
        int obs = BinaryPrimitives.ReadInt32LittleEndian(header[12..]);
        int act = BinaryPrimitives.ReadInt32LittleEndian(header[16..]);
        long updates = BinaryPrimitives.ReadInt64LittleEndian(header[20..]);
        long envSteps = BinaryPrimitives.ReadInt64LittleEndian(header[28..]);
        if (obs <= 0 || act <= 0 || updates < 0 || envSteps < 0)
            throw Error(path, 12, $"header values out of range (observation {obs}, action {act}, updates {updates}, env steps {envSteps})");
        long rowBytes = 4L * (2L * obs + act + 3);
        long payload = length - HeaderBytes - TrailerBytes;
        if (payload % rowBytes != 0)
            throw Error(path, length, $"truncated or padded: {payload} payload bytes are not a whole number of {rowBytes}-byte transitions");

        var hash = new XxHash64();
        hash.Append(header);
        var buffer = new byte[1 << 16];
        for (long left = payload; left > 0;)
        {
            int n = file.Read(buffer, 0, (int)Math.Min(buffer.Length, left));
            if (n == 0) throw Error(path, length - left, "the file ended while it was being read");
            hash.Append(buffer.AsSpan(0, n));
            left -= n;
        }
        Span<byte> trailer = stackalloc byte[TrailerBytes];
        file.ReadExactly(trailer);
        long count = BinaryPrimitives.ReadInt64LittleEndian(trailer);
        hash.Append(trailer[..8]);
        ulong stored = BinaryPrimitives.ReadUInt64LittleEndian(trailer[8..]);
        ulong computed = hash.GetCurrentHashAsUInt64();
        if (stored != computed)
            throw Error(path, length - 8, $"checksum 0x{computed:x16} != stored 0x{stored:x16}: the file is corrupted");
        if (count != payload / rowBytes)
            throw Error(path, length - TrailerBytes, $"says {count} transitions but holds {payload / rowBytes}");
        return new Header(obs, act, updates, envSteps, count);
    }

    /// <summary>Verifies the file, then inserts its transitions, oldest first, into <paramref name="ring"/> (the newest
    /// <see cref="ReplayRing.Capacity"/> of them when the ring is smaller than the file).</summary>
    /// <exception cref="InvalidDataException">The file is damaged (see <see cref="Verify"/>) or was saved for other
    /// observation/action sizes; the ring is untouched.</exception>
    public static Header Load(string path, ReplayRing ring)
    {
        ArgumentNullException.ThrowIfNull(ring);
        var header = Verify(path);
        if (header.ObservationSize != ring.ObservationSize || header.ActionSize != ring.ActionSize)
            throw Error(path, 12, $"holds transitions of observation size {header.ObservationSize} and action size {header.ActionSize}; " +
                $"this run's task has {ring.ObservationSize} and {ring.ActionSize}");
        int stride = ring.Stride, obs = ring.ObservationSize, act = ring.ActionSize;
        long skip = Math.Max(0, header.Count - ring.Capacity);
        using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1 << 16);
        file.Position = HeaderBytes + skip * stride * 4L;
        var chunk = new float[ChunkRows * stride];
        for (long left = header.Count - skip; left > 0;)
        {
            int rows = (int)Math.Min(ChunkRows, left);
            file.ReadExactly(MemoryMarshal.AsBytes(chunk.AsSpan(0, rows * stride)));
            for (int r = 0; r < rows; r++)
            {
                ReadOnlySpan<float> row = chunk.AsSpan(r * stride, stride);
                ring.Insert(row[..obs], row.Slice(obs, act), row[obs + act], row.Slice(obs + act + 1, obs),
                    row[stride - 2] != 0, row[stride - 1] != 0);
            }
            left -= rows;
        }
        return header;
    }

    private static void Emit(FileStream file, XxHash64 hash, ReadOnlySpan<byte> bytes)
    {
        hash.Append(bytes);
        file.Write(bytes);
    }

    private static InvalidDataException Error(string path, long offset, string what) => new($"replay file {path}: {what} (at byte {offset}).");
}
