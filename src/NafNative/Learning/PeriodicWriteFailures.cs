namespace NafNative.Learning;

// Design:
// - Writers: the learner thread (periodic checkpoints and evaluations posted to it) and the controlling thread
//   (metrics rows) call Try. Reader: the controlling thread calls TakeNew to report, and reads Checkpoints for
//   metrics.csv. All under one lock: failures are rare and never on a per-step path.

/// <summary>Periodic run-folder writes that failed (disk full, read-only folder): counted, kept for reporting, and
/// not fatal, so the run goes on and the write is retried next period.</summary>
internal sealed class PeriodicWriteFailures
{
    private readonly Lock _gate = new();
    private readonly List<string> _unreported = [];
    private long _checkpoints;

    /// <summary>Periodic checkpoints (checkpoint.naf, best.naf) that could not be written so far.</summary>
    public long Checkpoints
    {
        get { lock (_gate) return _checkpoints; }
    }

    /// <summary>Runs <paramref name="write"/>; on an I/O or permission error records it against
    /// <paramref name="file"/> and returns false.</summary>
    public bool Try(string file, Action write, bool checkpoint)
    {
        try
        {
            write();
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            lock (_gate)
            {
                if (checkpoint) _checkpoints++;
                _unreported.Add($"{(checkpoint ? "periodic checkpoint" : "periodic write of")} {file} failed: {e.Message}; " +
                    (checkpoint ? "its previous version is intact; " : "") + "training goes on and retries next period");
            }
            return false;
        }
    }

    /// <summary>Queues a warning that is not a failure (reported with them, not counted).</summary>
    public void Note(string message)
    {
        lock (_gate) _unreported.Add(message);
    }

    /// <summary>Failures not yet reported, oldest first; each is returned once.</summary>
    public string[] TakeNew()
    {
        lock (_gate)
        {
            if (_unreported.Count == 0) return [];
            string[] messages = [.. _unreported];
            _unreported.Clear();
            return messages;
        }
    }
}
