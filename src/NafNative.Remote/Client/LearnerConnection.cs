using Grpc.Core;
using Grpc.Net.Client;
using NafNative.Remote.Protocol;
using NafNative.Remote.Security;

namespace NafNative.Remote.Client;

// Design:
// - One per worker. Two threads use it: the worker thread (Register, Snapshot) and the batch in flight (Insert, on a
//   thread-pool thread while the worker fills the next batch). Registration is under _registerLock and skipped when
//   another thread has already re-registered since the failing call; _registration is swapped by reference. The
//   GrpcChannel under it is shared by all of a process's workers (thread-safe; one HTTP/2 connection).
// - Every call retries transient failures (learner down, network lost, deadline) with exponential backoff and
//   jitter, for ever, until it succeeds or the token is cancelled; a refusal retrying cannot fix throws
//   RemoteRefusedException. "register again" (the learner restarted, or gave the slot away) re-registers and
//   repeats the call with the new session, so a batch is resent with its original sequence number.
// - Reachability: every attempt stores its outcome's timestamp (a monotonic max, any thread): _lastFailure for a
//   failure retrying may fix, _lastAnswer for any answer (a refusal is an answer too). The worker thread reads
//   LearnerAway once per step, so it notices a lost learner from whichever call met it first.

/// <summary>A worker's calls to the learner: register, fetch the newest parameters, insert a batch until it is
/// acknowledged.</summary>
public sealed class LearnerConnection
{
    private readonly Protocol.Learner.LearnerClient _client;
    private readonly Metadata _headers;
    private readonly RegisterRequest _identity;
    private readonly Action<string>? _log;
    private readonly Random _jitter;
    private readonly object _registerLock = new();
    private RegisterReply? _registration;
    private int _registrations;
    private long _retries;
    // Stopwatch timestamps; written with StoreMax by the calling threads, read by LearnerAway (any thread).
    private long _lastFailure, _lastAnswer;

    public LearnerConnection(GrpcChannel channel, SharedToken token, RegisterRequest identity, Action<string>? log = null)
    {
        ArgumentNullException.ThrowIfNull(channel);
        ArgumentNullException.ThrowIfNull(token);
        ArgumentNullException.ThrowIfNull(identity);
        _client = new Protocol.Learner.LearnerClient(channel);
        _headers = new Metadata { { "authorization", token.Header } };
        _identity = identity;
        _log = log;
        _jitter = new Random(identity.WorkerKey.GetHashCode());
    }

    /// <summary>First wait after a failure; it doubles up to <see cref="MaxBackoff"/>.</summary>
    public TimeSpan MinBackoff { get; init; } = TimeSpan.FromMilliseconds(100);
    public TimeSpan MaxBackoff { get; init; } = TimeSpan.FromSeconds(5);
    /// <summary>Per-call deadline (an insert may wait this long for the learner's rate limiter).</summary>
    public TimeSpan CallTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>The current registration (null before <see cref="Register"/>).</summary>
    // Acquire: pairs with the release store in Register.
    public RegisterReply? Registration => Volatile.Read(ref _registration);

    /// <summary>Times this connection registered (1 + reconnects to a restarted learner).</summary>
    public int Registrations => Volatile.Read(ref _registrations);

    /// <summary>Calls repeated after a transient failure.</summary>
    public long Retries => Interlocked.Read(ref _retries);

    /// <summary>The name this worker registers under (logs and metrics).</summary>
    public string Name => _identity.Name;

    /// <summary>True while the newest attempt of any call failed in a way retrying may fix (the learner is down or
    /// unreachable, or did not answer within <see cref="CallTimeout"/>) and nothing has been answered since.</summary>
    // Acquire loads; pair with the CompareExchange in StoreMax.
    public bool LearnerAway => Volatile.Read(ref _lastFailure) > Volatile.Read(ref _lastAnswer);

    public RegisterReply Register(CancellationToken cancellation) => ReRegister(null, cancellation);

    // failed: the registration the failing call used; if another thread replaced it meanwhile, that one is used.
    private RegisterReply ReRegister(RegisterReply? failed, CancellationToken cancellation)
    {
        lock (_registerLock)
        {
            var current = Registration;
            if (failed is not null && !ReferenceEquals(current, failed) && current is not null) return current;
            var fresh = Retry("register", () => _client.Register(_identity, Options(cancellation)), cancellation, reRegister: false);
            // Release: the reply's fields are visible before another thread sees the reference.
            Volatile.Write(ref _registration, fresh);
            Interlocked.Increment(ref _registrations);
            return fresh;
        }
    }

    /// <summary>The learner's newest parameters if newer than <paramref name="haveVersion"/> of the current session
    /// (else Unchanged).</summary>
    public SnapshotReply Snapshot(long haveVersion, CancellationToken cancellation) => Snapshot(haveVersion, Registration?.LearnerSession, cancellation);

    /// <summary>As above, for a version from <paramref name="haveSession"/>: one from another session (a learner that
    /// has since restarted, its versions counting from 1 again) counts as none, so the new learner's parameters come.</summary>
    public SnapshotReply Snapshot(long haveVersion, string? haveSession, CancellationToken cancellation) =>
        Retry("snapshot", used => _client.GetSnapshot(new SnapshotRequest
        {
            WorkerId = used.WorkerId, LearnerSession = used.LearnerSession, HaveVersion = used.LearnerSession == haveSession ? haveVersion : 0,
        }, Options(cancellation)), cancellation);

    /// <summary>Sends <paramref name="batch"/> until the learner acknowledges it (stored, or already stored: a
    /// duplicate). Its worker id and session are refreshed on each try.</summary>
    public InsertReply Insert(TransitionBatch batch, CancellationToken cancellation) =>
        Retry("insert", used =>
        {
            batch.WorkerId = used.WorkerId;
            batch.LearnerSession = used.LearnerSession;
            return _client.Insert(batch, Options(cancellation));
        }, cancellation);

    // A call under the current registration; "register again" re-registers and repeats it.
    private T Retry<T>(string what, Func<RegisterReply, T> call, CancellationToken cancellation)
    {
        var used = Registration ?? throw new InvalidOperationException("LearnerConnection: Register first.");
        return Retry(what, () => call(used), cancellation, reRegister: true, onReRegister: () => used = ReRegister(used, cancellation));
    }

    private CallOptions Options(CancellationToken cancellation) => new(_headers, DateTime.UtcNow + CallTimeout, cancellation);

    private T Retry<T>(string what, Func<T> call, CancellationToken cancellation, bool reRegister, Action? onReRegister = null)
    {
        TimeSpan wait = MinBackoff;
        while (true)
        {
            cancellation.ThrowIfCancellationRequested();
            try
            {
                var result = call();
                StoreMax(ref _lastAnswer, System.Diagnostics.Stopwatch.GetTimestamp());
                return result;
            }
            catch (RpcException e) when (e.StatusCode == StatusCode.Cancelled && cancellation.IsCancellationRequested)
            {
                throw new OperationCanceledException(cancellation);
            }
            catch (RpcException e) when (reRegister && e.StatusCode == StatusCode.FailedPrecondition)
            {
                StoreMax(ref _lastAnswer, System.Diagnostics.Stopwatch.GetTimestamp());
                _log?.Invoke($"{_identity.Name}: {e.Status.Detail}; registering again");
                onReRegister!();
                wait = MinBackoff;
            }
            catch (RpcException e) when (IsTlsFailure(e.Status.DebugException))
            {
                // A certificate the worker does not trust will not become trusted by retrying.
                throw new RemoteRefusedException($"{_identity.Name}: TLS to the learner failed: {Innermost(e.Status.DebugException!).Message} " +
                    "(give the learner's certificate or CA with --tls-ca, and connect by the name it was issued for)", e);
            }
            catch (RpcException e) when (IsFatal(e.StatusCode, what))
            {
                StoreMax(ref _lastAnswer, System.Diagnostics.Stopwatch.GetTimestamp());
                throw new RemoteRefusedException($"{_identity.Name}: the learner refused {what}: {e.Status.Detail} ({e.StatusCode})", e);
            }
            catch (RpcException e)
            {
                StoreMax(ref _lastFailure, System.Diagnostics.Stopwatch.GetTimestamp());
                Interlocked.Increment(ref _retries);
                _log?.Invoke($"{_identity.Name}: {what} failed ({e.StatusCode}: {e.Status.Detail}); retrying in {wait.TotalSeconds:F1} s");
                // Jitter: workers that lost the learner together do not all come back in the same millisecond.
                if (cancellation.WaitHandle.WaitOne(wait * (0.5 + _jitter.NextDouble()))) throw new OperationCanceledException(cancellation);
                wait = TimeSpan.FromTicks(Math.Min(MaxBackoff.Ticks, wait.Ticks * 2));
            }
        }
    }

    // Two threads may report outcomes out of order; the field only ever moves forward, so the newest outcome wins.
    private static void StoreMax(ref long field, long timestamp)
    {
        long seen = Volatile.Read(ref field);
        while (timestamp > seen)
        {
            // Full fence; pairs with the Volatile.Read calls in LearnerAway.
            long was = Interlocked.CompareExchange(ref field, timestamp, seen);
            if (was == seen) return;
            seen = was;
        }
    }

    private static bool IsTlsFailure(Exception? e)
    {
        for (; e is not null; e = e.InnerException)
            if (e is System.Security.Authentication.AuthenticationException) return true;
        return false;
    }

    private static Exception Innermost(Exception e)
    {
        while (e.InnerException is not null) e = e.InnerException;
        return e;
    }

    // Refusals that say the worker itself is wrong; everything else (Unavailable, DeadlineExceeded, Internal, and
    // ResourceExhausted when all slots are taken) may pass.
    private static bool IsFatal(StatusCode code, string what) => code switch
    {
        StatusCode.Unauthenticated or StatusCode.PermissionDenied or StatusCode.InvalidArgument or StatusCode.Unimplemented => true,
        StatusCode.FailedPrecondition => true, // on register: a mismatch (the other calls re-register instead)
        StatusCode.ResourceExhausted => what != "register", // an insert over the message limit: resending cannot help
        _ => false,
    };
}
