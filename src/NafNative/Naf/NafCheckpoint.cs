using System.Buffers.Binary;
using System.IO.Hashing;
using System.Runtime.InteropServices;

using NafNative.Storage;

namespace NafNative.Naf;

/// <summary>Saves and loads a <see cref="NafTrainer"/>'s whole state: options, network shape, parameters, target
/// parameters, Adam moments and the step counter, so a resumed run continues bit-identically.</summary>
/// <remarks>
/// Format (little-endian): magic "NAFCKPT\0"; u32 version (1); i32 observation size, action size, hidden-layer
/// count, each hidden width; i64 steps; i32 parameter count P; f32 γ, τ, learning rate, β₁, β₂, ε; i32 batch size;
/// f32 max gradient norm (NaN = off); i32 seed; then f32[P] online θ, target θ′, Adam m, Adam v; last, u64 XxHash64
/// of every byte before it. Written to a temporary file, flushed to disk, then renamed over the target, so a crash
/// never leaves a half-written checkpoint under the real name. A damaged file raises
/// <see cref="InvalidDataException"/> saying what and where; nothing is loaded from it.
/// </remarks>
public static class NafCheckpoint
{
    public const uint FormatVersion = 1;
    private static ReadOnlySpan<byte> Magic => "NAFCKPT\0"u8;

    /// <summary>Writes the trainer's state to <paramref name="path"/> atomically (temp file, fsync, rename).</summary>
    /// <exception cref="ArgumentException">A parameter, target parameter or Adam moment is NaN or ±∞: nothing is
    /// written, so an earlier checkpoint at <paramref name="path"/> stays as it was.</exception>
    public static void Save(NafTrainer trainer, string path)
    {
        ArgumentNullException.ThrowIfNull(trainer);
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        RequireFinite(trainer.Online.Values, "online parameter θ", path, trainer.Steps);
        RequireFinite(trainer.Target, "target parameter θ′", path, trainer.Steps);
        RequireFinite(trainer.AdamFirstMoment, "Adam first moment m", path, trainer.Steps);
        RequireFinite(trainer.AdamSecondMoment, "Adam second moment v", path, trainer.Steps);
        var o = trainer.Options;
        using var body = new MemoryStream();
        using (var w = new BinaryWriter(body, System.Text.Encoding.UTF8, leaveOpen: true))
        {
            w.Write(Magic);
            w.Write(FormatVersion);
            w.Write(o.ObservationSize);
            w.Write(o.ActionSize);
            w.Write(o.HiddenSizes.Count);
            foreach (int h in o.HiddenSizes) w.Write(h);
            w.Write(trainer.Steps);
            w.Write(trainer.Online.Length);
            w.Write(o.Discount); w.Write(o.TargetUpdateRate); w.Write(o.LearningRate);
            w.Write(o.AdamBeta1); w.Write(o.AdamBeta2); w.Write(o.AdamEpsilon);
            w.Write(o.BatchSize);
            w.Write(o.MaxGradientNorm ?? float.NaN);
            w.Write(o.Seed);
            WriteFloats(w, trainer.Online.Values);
            WriteFloats(w, trainer.Target);
            WriteFloats(w, trainer.AdamFirstMoment);
            WriteFloats(w, trainer.AdamSecondMoment);
        }
        ulong hash = XxHash64.HashToUInt64(body.GetBuffer().AsSpan(0, (int)body.Length));

        AtomicFile.Write(path, file =>
        {
            file.Write(body.GetBuffer().AsSpan(0, (int)body.Length));
            file.Write(HashTrailer(hash));
        });
    }

    private static byte[] HashTrailer(ulong hash)
    {
        var trailer = new byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(trailer, hash);
        return trailer;
    }

    private static void RequireFinite(ReadOnlySpan<float> values, string what, string path, long steps)
    {
        if (System.Numerics.Tensors.TensorPrimitives.IsFiniteAll(values)) return;
        int i = 0;
        while (float.IsFinite(values[i])) i++;
        throw new ArgumentException(
            $"checkpoint {path}: not written: {what} [{i}] is {values[i]} (after update {steps}); a checkpoint of a " +
            "non-finite state could never be resumed usefully, so any earlier file there is kept unchanged.", "trainer");
    }

    /// <summary>Loads a checkpoint into a new trainer. With <paramref name="expected"/>, the checkpoint's network
    /// shape must match it (observation, action and hidden sizes).</summary>
    /// <exception cref="InvalidDataException">Not a checkpoint, unsupported version, truncated, checksum mismatch
    /// (corruption), inconsistent sizes, or a shape other than <paramref name="expected"/>'s.</exception>
    public static NafTrainer Load(string path, NafOptions? expected = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        byte[] bytes = File.ReadAllBytes(path);
        var reader = new Reader(bytes, path);

        if (bytes.Length < Magic.Length && Magic.StartsWith(bytes))
            throw reader.Error(bytes.Length, $"truncated: the file ends ({bytes.Length} bytes) inside the magic bytes");
        if (bytes.Length < Magic.Length || !bytes.AsSpan(0, Magic.Length).SequenceEqual(Magic))
            throw reader.Error(0, "not a NafNative checkpoint (magic bytes differ)");
        // Whether the file as it stands is self-consistent: its last 8 bytes hash everything before them. Used to
        // word header errors honestly: a length mismatch with a bad checksum may be a corrupted header, not a cut.
        bool intact = bytes.Length >= Magic.Length + 8
            && XxHash64.HashToUInt64(bytes.AsSpan(0, bytes.Length - 8)) == BinaryPrimitives.ReadUInt64LittleEndian(bytes.AsSpan(bytes.Length - 8));
        string suspect = intact ? "" : "; the checksum does not match either, so the header itself may be corrupted";
        reader.Position = Magic.Length;
        uint version = reader.UInt32("format version");
        if (version != FormatVersion)
            throw reader.Error(Magic.Length, $"format version {version} is not supported (this build reads version {FormatVersion})");

        int obs = reader.Int32("observation size");
        int act = reader.Int32("action size");
        int hiddenCount = reader.Int32("hidden-layer count");
        if (hiddenCount is < 1 or > 64) throw reader.Error(reader.Position - 4, $"hidden-layer count {hiddenCount} is out of range [1, 64]{suspect}");
        var hidden = new int[hiddenCount];
        for (int i = 0; i < hiddenCount; i++) hidden[i] = reader.Int32($"hidden width {i}");
        long steps = reader.Int64("step counter");
        int count = reader.Int32("parameter count");
        float gamma = reader.Single("discount"), tau = reader.Single("target update rate"), lr = reader.Single("learning rate");
        float beta1 = reader.Single("Adam β1"), beta2 = reader.Single("Adam β2"), eps = reader.Single("Adam ε");
        int batch = reader.Int32("batch size");
        float maxNorm = reader.Single("max gradient norm");
        int seed = reader.Int32("seed");

        long expectedLength = reader.Position + 4L * 4 * Math.Max(0, count) + 8;
        if (count < 0 || bytes.Length < expectedLength)
            throw reader.Error(bytes.Length, $"truncated: {bytes.Length} bytes, but {count} parameters need {expectedLength}{suspect}");
        if (bytes.Length > expectedLength)
            throw reader.Error(expectedLength, $"{bytes.Length - expectedLength} unexpected bytes after the checksum{suspect}");
        int hashAt = (int)expectedLength - 8;
        ulong stored = BinaryPrimitives.ReadUInt64LittleEndian(bytes.AsSpan(hashAt));
        ulong computed = XxHash64.HashToUInt64(bytes.AsSpan(0, hashAt));
        if (stored != computed)
            throw reader.Error(hashAt, $"checksum 0x{computed:x16} != stored 0x{stored:x16}: the file is corrupted");

        NafOptions options;
        try
        {
            options = new NafOptions
            {
                ObservationSize = obs, ActionSize = act, HiddenSizes = hidden, Discount = gamma, TargetUpdateRate = tau,
                LearningRate = lr, AdamBeta1 = beta1, AdamBeta2 = beta2, AdamEpsilon = eps, BatchSize = batch,
                MaxGradientNorm = float.IsNaN(maxNorm) ? null : maxNorm, Seed = seed,
            };
        }
        catch (ArgumentException e)
        {
            throw reader.Error(Magic.Length + 4, $"stored options are invalid: {e.Message}");
        }
        if (expected is not null && (expected.ObservationSize != obs || expected.ActionSize != act || !expected.HiddenSizes.SequenceEqual(hidden)))
            throw reader.Error(Magic.Length + 4,
                $"network shape obs {obs}, act {act}, hidden [{string.Join(",", hidden)}] does not match the expected obs {expected.ObservationSize}, " +
                $"act {expected.ActionSize}, hidden [{string.Join(",", expected.HiddenSizes)}]");

        var trainer = new NafTrainer(options);
        if (trainer.Online.Length != count)
            throw reader.Error(Magic.Length + 4, $"stores {count} parameters but its shape needs {trainer.Online.Length}");
        int at = reader.Position;
        ReadOnlySpan<float> floats = MemoryMarshal.Cast<byte, float>(bytes.AsSpan(at, 16 * count));
        if (!BitConverter.IsLittleEndian) throw new PlatformNotSupportedException("NafCheckpoint: big-endian hosts are not supported.");
        trainer.Restore(floats.Slice(0, count), floats.Slice(count, count), floats.Slice(2 * count, count), floats.Slice(3 * count, count), steps);
        return trainer;
    }

    private static void WriteFloats(BinaryWriter w, float[] values) => w.Write(MemoryMarshal.AsBytes(values.AsSpan()));

    /// <summary>Bounds-checked little-endian reads whose errors name the file, the field and the byte offset.</summary>
    private sealed class Reader(byte[] bytes, string path)
    {
        public int Position { get; set; }

        public int Int32(string field) => BinaryPrimitives.ReadInt32LittleEndian(Take(4, field));
        public uint UInt32(string field) => BinaryPrimitives.ReadUInt32LittleEndian(Take(4, field));
        public long Int64(string field) => BinaryPrimitives.ReadInt64LittleEndian(Take(8, field));
        public float Single(string field) => BinaryPrimitives.ReadSingleLittleEndian(Take(4, field));

        public InvalidDataException Error(long offset, string what) => new($"checkpoint {path}: {what} (at byte {offset}).");

        private ReadOnlySpan<byte> Take(int count, string field)
        {
            if (Position + count > bytes.Length)
                throw Error(Position, $"truncated: the file ends ({bytes.Length} bytes) inside the {field}");
            var span = bytes.AsSpan(Position, count);
            Position += count;
            return span;
        }
    }
}
