using System.Globalization;
using System.IO.Hashing;
using System.Text;
using System.Text.Json;
using NafNative.Storage;

namespace NafNative.Recording;

/// <summary>The file <c>naf record</c> writes: one header line, then the <see cref="EpisodeRecording"/> as UTF-8 JSON.</summary>
/// <remarks>
/// <para>Header (one line of JSON, ending in '\n'):
/// <c>{"format":"nafnative-recording","version":1,"payload_bytes":N,"payload_xxhash64":"16 hex digits"}</c>. The
/// payload is the N bytes after it, and its XxHash64 (seed 0) must equal the stored one, so a truncated, padded or
/// altered file is refused, as is any other version: a reader never guesses at a layout it does not know. Keys are
/// snake_case; numbers are float32 where the simulator's state is (positions, angles) and double for time.</para>
/// <para>Written through <see cref="AtomicFile"/>, so a killed <c>naf record</c> leaves the previous file or the new
/// one, never half of one.</para>
/// </remarks>
public static class RecordingFile
{
    public const string Format = "nafnative-recording";
    public const int Version = 1;
    /// <summary>The usual file name in a run folder.</summary>
    public const string DefaultName = "recording.nafrec";

    private const int MaxHeaderBytes = 4096;
    private const long MaxFileBytes = 1L << 30;

    /// <summary>snake_case names, and a missing or null field is an error rather than a silent default.</summary>
    public static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        RespectNullableAnnotations = true,
        RespectRequiredConstructorParameters = true,
    };

    public static void Write(string path, EpisodeRecording recording)
    {
        ArgumentNullException.ThrowIfNull(recording);
        recording.Validate();
        byte[] payload = JsonSerializer.SerializeToUtf8Bytes(recording, Json);
        byte[] header = Encoding.UTF8.GetBytes(JsonSerializer.Serialize(new Header(Format, Version, payload.Length, Hash(payload)), Json) + "\n");
        AtomicFile.Write(path, file =>
        {
            file.Write(header);
            file.Write(payload);
        });
    }

    /// <summary>Reads and checks a recording. Throws <see cref="InvalidDataException"/> naming the file and what is
    /// wrong with it (not a recording, another version, truncated, checksum mismatch, a payload that does not fit its
    /// scene), <see cref="FileNotFoundException"/> when there is none.</summary>
    public static EpisodeRecording Read(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (!File.Exists(path)) throw new FileNotFoundException($"recording {path}: no such file.", path);
        long size = new FileInfo(path).Length;
        if (size > MaxFileBytes) throw Bad(path, $"{size} bytes; a recording is at most {MaxFileBytes} bytes.");
        byte[] bytes = File.ReadAllBytes(path);
        int newline = Array.IndexOf(bytes, (byte)'\n', 0, Math.Min(bytes.Length, MaxHeaderBytes));
        if (newline < 0) throw Bad(path, "no header line; it is not a NafNative recording (naf record writes them).");
        Header header;
        try
        {
            header = JsonSerializer.Deserialize<Header>(bytes.AsSpan(0, newline), Json) ?? throw new JsonException("null header");
        }
        catch (JsonException e)
        {
            throw Bad(path, $"the header line is not a NafNative recording header ({e.Message}).");
        }
        if (header.Format != Format) throw Bad(path, $"format '{header.Format}', expected '{Format}'.");
        if (header.Version != Version)
            throw Bad(path, $"format version {header.Version}; this naf reads version {Version} only. Record it again with this naf (naf record).");
        long payloadBytes = bytes.Length - (newline + 1L);
        if (payloadBytes < header.PayloadBytes)
            throw Bad(path, $"truncated: the header promises {header.PayloadBytes} payload bytes, the file holds {payloadBytes}. Record it again.");
        if (payloadBytes > header.PayloadBytes)
            throw Bad(path, $"{payloadBytes - header.PayloadBytes} bytes after the {header.PayloadBytes}-byte payload the header promises; the file was altered.");
        var payload = bytes.AsSpan(newline + 1);
        string hash = Hash(payload);
        if (!string.Equals(hash, header.PayloadXxhash64, StringComparison.OrdinalIgnoreCase))
            throw Bad(path, $"checksum xxhash64 {hash} != stored {header.PayloadXxhash64}: the file is corrupted. Record it again.");
        try
        {
            var recording = JsonSerializer.Deserialize<EpisodeRecording>(payload, Json) ?? throw new FormatException("the payload is null.");
            recording.Validate();
            return recording;
        }
        catch (Exception e) when (e is JsonException or FormatException)
        {
            throw Bad(path, $"its payload is not a valid recording: {e.Message}");
        }
    }

    private static string Hash(ReadOnlySpan<byte> payload) => XxHash64.HashToUInt64(payload).ToString("x16", CultureInfo.InvariantCulture);

    private static InvalidDataException Bad(string path, string what) => new($"recording {path}: {what}");

    private sealed record Header(string Format, int Version, long PayloadBytes, string PayloadXxhash64);
}
