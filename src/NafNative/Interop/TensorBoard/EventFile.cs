namespace NafNative.Interop.TensorBoard;

// Design:
// - Writers: a training session's controlling thread (metrics rows) and its learner thread (evaluations), each
//   through one call that takes the lock for the whole record; no reader inside the process. A record is flushed
//   when written, so TensorBoard sees it at once and a killed process leaves whole records (TensorBoard ignores a
//   torn last one).

/// <summary>A TensorBoard event file (<c>events.out.tfevents.&lt;unixtime&gt;.&lt;host&gt;</c>) in a run folder:
/// scalars and text, read by TensorBoard's scalar and text dashboards (<c>tensorboard --logdir runs</c>).</summary>
/// <remarks>Each process writing into the folder (a run, then each resume) opens a file of its own, as TensorFlow's
/// writers do; TensorBoard reads them all as one run. Thread-safe. Allocates per call (per metrics row), never per
/// environment step.</remarks>
public sealed class EventFile : IDisposable
{
    /// <summary>What every event file's name starts with (TensorBoard finds files containing "tfevents").</summary>
    public const string Prefix = "events.out.tfevents.";

    private readonly Lock _gate = new();
    private readonly FileStream _stream;

    private EventFile(string path, FileStream stream)
    {
        Path = path;
        _stream = stream;
    }

    public string Path { get; }

    /// <summary>Starts a new event file in <paramref name="folder"/> with the file_version record.</summary>
    public static EventFile Create(string folder)
    {
        long seconds = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        string host = SafeHost(Environment.MachineName);
        for (int attempt = 0; ; attempt++)
        {
            // Two processes in the same second (a quick resume) get distinct files rather than one appending to the other.
            string name = $"{Prefix}{seconds}.{host}" + (attempt == 0 ? "" : $".{attempt}");
            string path = System.IO.Path.Combine(folder, name);
            FileStream stream;
            try
            {
                // Unbuffered: each record is one write, so a failed one (disk full) leaves nothing pending that a
                // later flush or Dispose would retry and throw from.
                stream = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.Read, bufferSize: 0);
            }
            catch (IOException) when (File.Exists(path) && attempt < 100)
            {
                continue;
            }
            var file = new EventFile(path, stream);
            file.Append(EventMessages.FileVersionEvent(Now()));
            return file;
        }
    }

    /// <summary>The event files in <paramref name="folder"/>, oldest first (by name: the names carry the time).</summary>
    public static string[] Find(string folder)
    {
        if (!Directory.Exists(folder)) return [];
        string[] files = Directory.GetFiles(folder, Prefix + "*");
        Array.Sort(files, StringComparer.Ordinal);
        return files;
    }

    /// <summary>One event of scalars at <paramref name="step"/> (env steps); NaN values are left out.</summary>
    public void WriteScalars(long step, ReadOnlySpan<(string Tag, double Value)> values) =>
        Append(EventMessages.ScalarsEvent(Now(), step, values));

    /// <summary>A Markdown text summary under <paramref name="tag"/> (TensorBoard's Text tab).</summary>
    public void WriteText(string tag, string markdown, long step = 0)
    {
        ArgumentNullException.ThrowIfNull(tag);
        ArgumentNullException.ThrowIfNull(markdown);
        Append(EventMessages.TextEvent(Now(), step, tag, markdown));
    }

    public void Dispose()
    {
        lock (_gate) _stream.Dispose();
    }

    /// <summary>Writes one framed record; a write that fails is cut off again, so the file stays a sequence of whole
    /// records and the next write (retried next period) appends to a readable file.</summary>
    private void Append(byte[] record)
    {
        byte[] framed = TfRecord.Frame(record);
        lock (_gate)
        {
            long start = _stream.Position;
            try
            {
                _stream.Write(framed);
            }
            catch (IOException)
            {
                try
                {
                    _stream.SetLength(start);
                    _stream.Position = start;
                }
                catch (IOException)
                {
                    // The file may now end in a torn record; TensorBoard's reader stops there, as after a kill.
                }
                throw;
            }
        }
    }

    private static double Now() => DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() / 1000.0;

    private static string SafeHost(string host)
    {
        var chars = host.ToCharArray();
        for (int i = 0; i < chars.Length; i++)
            if (!char.IsAsciiLetterOrDigit(chars[i]) && chars[i] != '-' && chars[i] != '_') chars[i] = '_';
        return chars.Length == 0 ? "localhost" : new string(chars);
    }
}
