using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace NafNative.Cli.View;

/// <summary>The HTTP server behind naf view: Kestrel bound to 127.0.0.1 only, answering the replay page's files, the
/// recording, the run's facts and its learning curves, nothing else.</summary>
/// <remarks>Requests whose Host header is not this server's own loopback address are refused (403): a web page on
/// another site could otherwise point its own host name at 127.0.0.1 (DNS rebinding) and read the run through the
/// visitor's browser. Every answer is GET/HEAD only; the page needs no network beyond this server.</remarks>
internal sealed class ReplayServer : IAsyncDisposable
{
    private readonly WebApplication _app;

    private ReplayServer(WebApplication app, Uri address)
    {
        _app = app;
        Address = address;
    }

    /// <summary>http://127.0.0.1:port/ as bound (the port the system chose when 0 was asked for).</summary>
    public Uri Address { get; }

    /// <summary>What the server answers.</summary>
    /// <param name="Page">The page's files by URL path (<see cref="ReplayPage.Load"/>).</param>
    /// <param name="Recording">/api/recording: the recording as JSON.</param>
    /// <param name="Run">/api/run: the run's facts as JSON.</param>
    /// <param name="Curves">/api/curves: the learning curves as JSON, made per request.</param>
    public sealed record Content(IReadOnlyDictionary<string, (byte[] Bytes, string ContentType)> Page, byte[] Recording, byte[] Run, Func<byte[]> Curves);

    /// <summary>Starts serving on 127.0.0.1:<paramref name="port"/> (0: any free port). An address in use throws
    /// <see cref="IOException"/> naming the port.</summary>
    public static async Task<ReplayServer> StartAsync(int port, Content content, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(content);
        if (port is < 0 or > 65535) throw new ArgumentOutOfRangeException(nameof(port), port, "--port must be 0–65535.");
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = [], ContentRootPath = AppContext.BaseDirectory });
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, port));
        var app = builder.Build();
        app.Run(context => Answer(context, content));
        try
        {
            await app.StartAsync(cancellation).ConfigureAwait(false);
        }
        catch (IOException e)
        {
            await app.DisposeAsync().ConfigureAwait(false);
            throw new IOException($"--port {port}: cannot listen on 127.0.0.1:{port} ({e.Message}); choose another port, or --port 0 for any free one.", e);
        }
        var bound = new Uri(app.Urls.Single());
        return new ReplayServer(app, new Uri($"http://127.0.0.1:{bound.Port}/"));
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync().ConfigureAwait(false);
        await _app.DisposeAsync().ConfigureAwait(false);
    }

    private static Task Answer(HttpContext context, Content content)
    {
        var request = context.Request;
        var response = context.Response;
        if (!IsOwnLoopbackHost(request.Host, context.Connection.LocalPort))
            return Text(response, StatusCodes.Status403Forbidden, $"naf view answers only to http://127.0.0.1:{context.Connection.LocalPort}/ (Host '{request.Host}' refused).");
        if (!HttpMethods.IsGet(request.Method) && !HttpMethods.IsHead(request.Method))
            return Text(response, StatusCodes.Status405MethodNotAllowed, $"{request.Method}: naf view only answers GET.");
        string path = request.Path.Value is null or "/" ? "/index.html" : request.Path.Value;
        switch (path)
        {
            case "/api/recording": return Bytes(response, content.Recording, "application/json");
            case "/api/run": return Bytes(response, content.Run, "application/json");
            case "/api/curves": return Bytes(response, content.Curves(), "application/json");
        }
        return content.Page.TryGetValue(path, out var file)
            ? Bytes(response, file.Bytes, file.ContentType)
            : Text(response, StatusCodes.Status404NotFound, $"{path}: not part of the replay page.");
    }

    private static bool IsOwnLoopbackHost(HostString host, int port) =>
        host.Port == port && (host.Host == "127.0.0.1" || string.Equals(host.Host, "localhost", StringComparison.OrdinalIgnoreCase));

    private static Task Bytes(HttpResponse response, byte[] bytes, string contentType)
    {
        response.ContentType = contentType;
        response.ContentLength = bytes.Length;
        // A rebuilt naf or a new recording on the same port must never be answered from the browser's cache.
        response.Headers.CacheControl = "no-store";
        response.Headers["X-Content-Type-Options"] = "nosniff";
        return HttpMethods.IsHead(response.HttpContext.Request.Method) ? Task.CompletedTask : response.Body.WriteAsync(bytes).AsTask();
    }

    private static Task Text(HttpResponse response, int status, string message)
    {
        response.StatusCode = status;
        return Bytes(response, System.Text.Encoding.UTF8.GetBytes(message + "\n"), "text/plain; charset=utf-8");
    }
}
