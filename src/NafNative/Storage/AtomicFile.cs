using System.Globalization;

namespace NafNative.Storage;

/// <summary>Writes a file so that a crash (or <c>kill -9</c>) at any moment leaves either the previous version or
/// the new one under its name, never a part: the bytes go to a temporary file beside it, are flushed to disk, and the
/// temporary file is renamed over the target (atomic on one POSIX file system).</summary>
public static class AtomicFile
{
    private const string TempMarker = ".tmp-";

    /// <summary>Writes <paramref name="path"/> through <paramref name="write"/>; on any failure the temporary file is
    /// removed and the old file is untouched.</summary>
    public static void Write(string path, Action<FileStream> write)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        ArgumentNullException.ThrowIfNull(write);
        string full = Path.GetFullPath(path);
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        // The process id in the name lets RemoveStaleTemporaries tell a dead writer's leftovers from a live one's.
        string temp = $"{full}{TempMarker}{Environment.ProcessId}-{Environment.CurrentManagedThreadId}";
        try
        {
            using (var file = new FileStream(temp, FileMode.Create, FileAccess.Write, FileShare.None, bufferSize: 1 << 16))
            {
                write(file);
                file.Flush(flushToDisk: true);
            }
            File.Move(temp, full, overwrite: true);
        }
        catch
        {
            File.Delete(temp);
            throw;
        }
    }

    /// <summary>Deletes temporary files in <paramref name="folder"/> left by writers that no longer run (a process
    /// killed mid-write); returns their names. Files of live processes are kept.</summary>
    public static IReadOnlyList<string> RemoveStaleTemporaries(string folder)
    {
        var removed = new List<string>();
        if (!Directory.Exists(folder)) return removed;
        foreach (string file in Directory.EnumerateFiles(folder, $"*{TempMarker}*"))
        {
            string name = Path.GetFileName(file);
            string tail = name[(name.LastIndexOf(TempMarker, StringComparison.Ordinal) + TempMarker.Length)..];
            int dash = tail.IndexOf('-');
            if (dash <= 0 || !int.TryParse(tail.AsSpan(0, dash), NumberStyles.None, CultureInfo.InvariantCulture, out int pid)) continue;
            if (pid == Environment.ProcessId || IsRunning(pid)) continue;
            File.Delete(file);
            removed.Add(name);
        }
        return removed;
    }

    private static bool IsRunning(int pid)
    {
        try
        {
            using var process = System.Diagnostics.Process.GetProcessById(pid);
            return !process.HasExited;
        }
        catch (ArgumentException)
        {
            return false; // no such process
        }
        catch (InvalidOperationException)
        {
            return false;
        }
    }
}
