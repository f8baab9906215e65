namespace NafNative.Cli.Training;

/// <summary>Turns Ctrl-C into a cancellation token for as long as it lives, so a run stops cleanly (and leaves its
/// checkpoint) instead of the process being killed.</summary>
internal sealed class CtrlC : IDisposable
{
    private readonly CancellationTokenSource _interrupt = new();
    private readonly ConsoleCancelEventHandler _handler;

    public CtrlC()
    {
        _handler = (_, e) => { e.Cancel = true; _interrupt.Cancel(); };
        Console.CancelKeyPress += _handler;
    }

    public CancellationToken Token => _interrupt.Token;

    public void Dispose()
    {
        Console.CancelKeyPress -= _handler;
        _interrupt.Dispose();
    }
}
