using System.Runtime.InteropServices;

namespace NafNative.Cli.Training;

/// <summary>Turns SIGINT (Ctrl-C) and SIGTERM into a cancellation token for as long as it lives, so a run stops
/// cleanly (and leaves its checkpoint) instead of the process being killed, then exits with the conventional code.</summary>
internal sealed class CtrlC : IDisposable
{
    private readonly CancellationTokenSource _interrupt = new();
    private readonly PosixSignalRegistration[] _registrations;
    private int _signal; // 0, or the exit code of the first signal received (written by the runtime's signal thread)

    public CtrlC()
    {
        _registrations =
        [
            PosixSignalRegistration.Create(PosixSignal.SIGINT, context => OnSignal(context, 130)),
            PosixSignalRegistration.Create(PosixSignal.SIGTERM, context => OnSignal(context, 143)),
        ];
    }

    public CancellationToken Token => _interrupt.Token;

    /// <summary>128 + the signal's number for the first signal received (SIGINT 130, SIGTERM 143), or null.</summary>
    // Acquire; pairs with the CompareExchange in OnSignal.
    public int? ExitCode => Volatile.Read(ref _signal) is int code and not 0 ? code : null;

    /// <summary>The signal's name for messages ("SIGINT" or "SIGTERM"), or null.</summary>
    public string? SignalName => ExitCode switch { 130 => "SIGINT", 143 => "SIGTERM", _ => null };

    public void Dispose()
    {
        foreach (var registration in _registrations) registration.Dispose();
        _interrupt.Dispose();
    }

    private void OnSignal(PosixSignalContext context, int exitCode)
    {
        context.Cancel = true; // do not terminate: the run stops itself and writes its final checkpoint
        // Full fence; the first signal decides the exit code. Pairs with the Volatile.Read in ExitCode.
        Interlocked.CompareExchange(ref _signal, exitCode, 0);
        try { _interrupt.Cancel(); }
        catch (ObjectDisposedException) { } // a signal after the run already ended
    }
}
