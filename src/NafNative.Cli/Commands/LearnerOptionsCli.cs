using System.CommandLine;
using System.Net;
using System.Security.Cryptography.X509Certificates;
using NafNative.Cli.Training;
using NafNative.Remote.Protocol;
using NafNative.Remote.Security;
using NafNative.Remote.Server;

namespace NafNative.Cli.Commands;

/// <summary>The learner service's options, shared by <c>naf learner</c> and <c>naf train --listen</c>.</summary>
internal sealed class LearnerOptionsCli
{
    private readonly bool _alwaysListen;
    private readonly Option<string?> _listen;
    private readonly Option<string?> _tokenFile = new("--token-file") { Description = $"File holding the shared token every worker must present (else the {SharedToken.EnvironmentVariable} environment variable)." };
    private readonly Option<string?> _tlsCert = new("--tls-cert") { Description = $"Serve TLS with this certificate: a PEM file (with --tls-key) or a .pfx/.p12 (password in {TlsFiles.PfxPasswordVariable})." };
    private readonly Option<string?> _tlsKey = new("--tls-key") { Description = "The PEM private key of --tls-cert." };
    private readonly Option<int> _maxWorkers = new("--max-remote-workers") { Description = "Remote workers that may be registered at once.", DefaultValueFactory = _ => 16 };

    public LearnerOptionsCli(bool alwaysListen)
    {
        _alwaysListen = alwaysListen;
        _listen = new Option<string?>("--listen")
        {
            Description = $"Serve remote workers at HOST:PORT (default 127.0.0.1:{LearnerServerOptions.DefaultPort}: loopback only; " +
                "0.0.0.0:PORT for every interface, then use --tls-cert)." + (alwaysListen ? "" : " Without it naf train serves none."),
        };
    }

    public void AddTo(Command command)
    {
        command.Options.Add(_listen);
        command.Options.Add(_tokenFile);
        command.Options.Add(_tlsCert);
        command.Options.Add(_tlsKey);
        command.Options.Add(_maxWorkers);
    }

    /// <summary>Null when this run serves no remote workers; else the token and certificate, loaded (and checked) now.</summary>
    public Setup? Build(ParseResult parse, TextWriter log)
    {
        string? listen = parse.GetValue(_listen);
        if (listen is null && !_alwaysListen)
        {
            if (parse.GetValue(_tlsCert) is not null || parse.GetValue(_tokenFile) is not null)
                throw new ArgumentException("--token-file and --tls-cert configure the learner service: add --listen HOST:PORT.");
            return null;
        }
        var endpoint = ParseListen(listen ?? $"127.0.0.1:{LearnerServerOptions.DefaultPort}");
        var token = SharedToken.Load(parse.GetValue(_tokenFile));
        string? certFile = parse.GetValue(_tlsCert), keyFile = parse.GetValue(_tlsKey);
        if (keyFile is not null && certFile is null) throw new ArgumentException("--tls-key needs --tls-cert.");
        var certificate = certFile is null ? null : TlsFiles.LoadServerCertificate(certFile, keyFile);
        int max = parse.GetValue(_maxWorkers);
        if (max is < 1 or > 1024) throw new ArgumentException($"--max-remote-workers must be in [1, 1024], got {max}.");
        return new Setup(endpoint, token, certificate, max, log);
    }

    /// <summary>"HOST:PORT" (HOST an IP address or localhost), or a bare port on loopback.</summary>
    public static IPEndPoint ParseListen(string text)
    {
        if (int.TryParse(text, out int port) && port is >= 0 and <= 65535) return new IPEndPoint(IPAddress.Loopback, port);
        string replaced = text.StartsWith("localhost:", StringComparison.OrdinalIgnoreCase) ? "127.0.0.1" + text[9..] : text;
        if (IPEndPoint.TryParse(replaced, out var endpoint) && replaced.Contains(':')) return endpoint;
        throw new ArgumentException($"--listen {text}: give HOST:PORT with HOST an IP address (127.0.0.1 loopback, 0.0.0.0 every interface) or localhost.");
    }

    /// <summary>The loaded settings; <see cref="Configure"/> makes the server once the run's settings are known.</summary>
    public sealed class Setup(IPEndPoint endpoint, SharedToken token, X509Certificate2? certificate, int maxWorkers, TextWriter log) : IDisposable
    {
        private LearnerServer? _server;

        public LearnerServer Server => _server ?? throw new InvalidOperationException("Configure first.");

        public void Configure(TrainConfig config)
        {
            var settings = new RunSettings
            {
                Noise = config.Noise, NoiseInitial = config.NoiseInitial, NoiseDecay = config.NoiseDecay, NoiseMinimum = config.NoiseMinimum,
                RealTime = config.ResolvedPacing == Learning.Pacing.RealTime, TimeScale = config.TimeScale, Seed = config.Seed,
            };
            settings.HiddenSizes.AddRange(config.Hidden);
            _server = new LearnerServer(new LearnerServerOptions
            {
                Listen = endpoint, Token = token, Certificate = certificate, MaxWorkers = maxWorkers, Settings = settings,
                Log = line => { lock (log) log.WriteLine($"learner: {line}"); },
            });
        }

        public void Dispose() => certificate?.Dispose();
    }
}
