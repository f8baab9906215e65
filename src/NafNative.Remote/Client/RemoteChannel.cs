using System.Net;
using Grpc.Net.Client;
using NafNative.Environments;
using NafNative.Remote.Protocol;
using NafNative.Remote.Security;

namespace NafNative.Remote.Client;

/// <summary>Opens the channel a worker process's workers share, and describes a worker to the learner.</summary>
public static class RemoteChannel
{
    /// <summary>A channel to <paramref name="url"/> (http://host:port for plaintext h2c, https:// for TLS);
    /// <paramref name="trustFile"/>: PEM certificate(s) to trust for the learner instead of the system CAs.</summary>
    /// <exception cref="ArgumentException">The URL is not an absolute http(s) URL, or the trust file is unusable.</exception>
    public static GrpcChannel Create(string url, string? trustFile = null)
    {
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || (uri.Scheme != "http" && uri.Scheme != "https"))
            throw new ArgumentException($"--connect {url}: give the learner as http://HOST:PORT (plaintext) or https://HOST:PORT (TLS).");
        if (trustFile is not null && uri.Scheme != "https")
            throw new ArgumentException($"--tls-ca is given but --connect {url} is plaintext: use https://.");
        var handler = new SocketsHttpHandler
        {
            ConnectTimeout = TimeSpan.FromSeconds(5),
            // A learner that vanished without closing the connection (cable pulled, machine off) is noticed within
            // ~15 s instead of at the next call's deadline.
            KeepAlivePingDelay = TimeSpan.FromSeconds(10),
            KeepAlivePingTimeout = TimeSpan.FromSeconds(5),
            EnableMultipleHttp2Connections = true,
        };
        if (TlsFiles.TrustOnly(trustFile) is { } validate) handler.SslOptions.RemoteCertificateValidationCallback = validate;
        return GrpcChannel.ForAddress(uri, new GrpcChannelOptions
        {
            HttpHandler = handler,
            MaxReceiveMessageSize = 256 * 1024 * 1024, // a snapshot of a big network
            MaxSendMessageSize = null,
        });
    }

    /// <summary>True when <paramref name="url"/> names a loopback host (plaintext there is not on any wire).</summary>
    public static bool IsLoopback(string url) =>
        Uri.TryCreate(url, UriKind.Absolute, out var uri) && (uri.IsLoopback || (IPAddress.TryParse(uri.Host.Trim('[', ']'), out var ip) && IPAddress.IsLoopback(ip)));

    /// <summary>What the learner checks at registration: task, sizes, action bounds ([−1, 1], the DESIGN contract),
    /// a name for the logs and metrics, and a key unique to this worker.</summary>
    public static RegisterRequest Describe(IEnvironment environment, string task, string name, string? key = null)
    {
        ArgumentNullException.ThrowIfNull(environment);
        var request = new RegisterRequest
        {
            Protocol = Server.LearnerService.Protocol, Task = task, ObservationSize = environment.ObservationSize,
            ActionSize = environment.ActionSize, Name = name, WorkerKey = key ?? Guid.NewGuid().ToString("N"),
        };
        for (int i = 0; i < environment.ActionSize; i++) { request.ActionLow.Add(-1f); request.ActionHigh.Add(1f); }
        return request;
    }
}
