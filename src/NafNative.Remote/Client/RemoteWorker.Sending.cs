using NafNative.Remote.Protocol;

namespace NafNative.Remote.Client;

// Design (sending): two batch buffers, one in flight (its Insert on a thread-pool thread, retried until acknowledged)
// while the worker fills the other. A batch is handed off only after the one before it was acknowledged, so sequence
// numbers reach the learner in order, and back-pressure (an unacknowledged batch) holds the worker at the next
// hand-off — between episodes, or, inside an episode, by ending it (TrySendNow never waits).
public sealed partial class RemoteWorker
{
    private TransitionBatcher? _batch, _spare;
    private (Task<InsertReply> Reply, TransitionBatcher Buffer, int Count)? _inFlight;
    // Cancels sends only at the end of the stop grace, so a batch in flight when the worker is told to stop still
    // gets its chance to be acknowledged.
    private readonly CancellationTokenSource _sends = new();
    private ulong _sequence;

    // Hands the filled batch to a sender once the previous one is acknowledged (which is where a slow learner's
    // back-pressure holds this worker), and continues with the spare buffer.
    private void Send(CancellationToken wait)
    {
        if (_batch!.Count == 0) { _batch.Clear(); return; }
        Complete(wait);
        var message = _batch.ToMessage(++_sequence);
        var buffer = _batch;
        var token = _sends.Token;
        _inFlight = (Task.Run(() => _connection.Insert(message, token)), buffer, message.Count);
        _batch = _spare;
        _spare = null;
    }

    // Inside an episode: hands the batch off only if the one before it is acknowledged already; false otherwise.
    private bool TrySendNow()
    {
        if (_inFlight is { } flight && !flight.Reply.IsCompleted) return false;
        Send(CancellationToken.None); // no wait: nothing is in flight, or it has completed
        return true;
    }

    // Waits for the batch in flight (rethrowing its refusal), or until wait is cancelled (OperationCanceledException;
    // the batch stays in flight for SendLast).
    private void Complete(CancellationToken wait)
    {
        if (_inFlight is not { } flight) return;
        try { flight.Reply.Wait(wait); }
        catch (AggregateException) { } // the fault is rethrown unwrapped by GetResult below
        _inFlight = null;
        _spare = flight.Buffer;
        try
        {
            var reply = flight.Reply.GetAwaiter().GetResult();
            AcknowledgedTransitions += flight.Count;
            if (reply.Duplicate) DuplicateBatches++;
        }
        finally
        {
            flight.Buffer.Clear();
        }
    }

    // Stopping: a short grace for the batch in flight and the one in hand (finished episodes); the learner may be
    // gone already, and what is not acknowledged by then is lost with this process (see the delivery guarantee).
    private void SendLast()
    {
        _sends.CancelAfter(TimeSpan.FromSeconds(2));
        long held = (_inFlight?.Count ?? 0) + (_batch?.Count ?? 0), acknowledged = AcknowledgedTransitions;
        try
        {
            // The sends themselves end at the grace (their token), so these waits do too.
            Complete(CancellationToken.None);
            if (_batch is { Count: > 0 }) { Send(CancellationToken.None); Complete(CancellationToken.None); }
        }
        catch (Exception e) when (e is OperationCanceledException or RemoteRefusedException)
        {
            long lost = held - (AcknowledgedTransitions - acknowledged);
            _log?.Invoke($"{_connection.Name}: {lost} transitions not acknowledged at stop (the learner did not answer within the 2 s grace): {e.Message}");
        }
    }
}
