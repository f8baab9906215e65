using System.Net;
using NafNative.Remote.Protocol;
using NafNative.Remote.Security;

namespace NafNative.Remote.Server;

/// <summary>How the learner's gRPC service listens and what it tells workers.</summary>
public sealed record LearnerServerOptions
{
    /// <summary>The default port of <c>naf learner</c>.</summary>
    public const int DefaultPort = 50051;

    /// <summary>Where to listen; loopback unless the user asks otherwise (port 0: any free port, see
    /// <see cref="LearnerServer.Address"/>).</summary>
    public IPEndPoint Listen { get; init; } = new(IPAddress.Loopback, DefaultPort);

    public required SharedToken Token { get; init; }

    /// <summary>TLS: the learner's certificate (with its key); null serves plaintext HTTP/2 (h2c).</summary>
    public System.Security.Cryptography.X509Certificates.X509Certificate2? Certificate { get; init; }

    /// <summary>Remote workers that may be registered at once (RunMetrics slots).</summary>
    public int MaxWorkers { get => field; init => field = value is >= 1 and <= 1024 ? value : throw new ArgumentOutOfRangeException(nameof(MaxWorkers), value, "LearnerServerOptions.MaxWorkers must be in [1, 1024]."); } = 16;

    /// <summary>Transitions per batch at most; the receive limit is derived from it, so a bigger message is refused
    /// before it is parsed.</summary>
    public int MaxBatchTransitions { get => field; init => field = value is >= 1 and <= 65536 ? value : throw new ArgumentOutOfRangeException(nameof(MaxBatchTransitions), value, "LearnerServerOptions.MaxBatchTransitions must be in [1, 65536]."); } = 1024;

    /// <summary>A slot whose worker has not been heard from for this long may be given to a new worker.</summary>
    public TimeSpan SlotReuseAfter { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>The run settings sent to every worker (network shape, noise, pacing).</summary>
    public required RunSettings Settings { get; init; }

    /// <summary>Tests only: called after each Insert stored (or found a duplicate of) its batch, with the count of
    /// inserts so far; true makes the call fail with UNAVAILABLE as if the reply were lost on the way.</summary>
    internal Func<long, bool>? DropReplyForTest { get; init; }

    /// <summary>Where refusals and connections are reported (one line each; the CLI prints them on stderr).</summary>
    public Action<string>? Log { get; init; }
}
