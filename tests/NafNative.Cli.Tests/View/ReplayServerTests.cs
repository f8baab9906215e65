using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using NafNative.Cli.View;
using NUnit.Framework;

namespace NafNative.Cli.Tests.View;

/// <summary>naf view's server: loopback only, its own Host only, GET only, and only the page's files and its API.</summary>
public sealed class ReplayServerTests
{
    private static readonly ReplayServer.Content Content = new(
        new Dictionary<string, (byte[], string)>
        {
            ["/index.html"] = ("<!doctype html><p>page"u8.ToArray(), "text/html; charset=utf-8"),
            ["/app.js"] = ("console.log(1)"u8.ToArray(), "text/javascript; charset=utf-8"),
        },
        """{"task":"reach"}"""u8.ToArray(), """{"name":"r"}"""u8.ToArray(), () => """{"evals":{}}"""u8.ToArray());

    [Test]
    public async Task Start_PortZero_ListensOnLoopbackOnlyAndAnswersThePageAndApi()
    {
        await using var server = await ReplayServer.StartAsync(0, Content);
        using var http = new HttpClient { BaseAddress = server.Address };

        Assert.That(server.Address.Host, Is.EqualTo("127.0.0.1"));
        Assert.That(server.Address.Port, Is.GreaterThan(0));
        Assert.That(await http.GetStringAsync("/"), Does.Contain("page"));
        var js = await http.GetAsync("/app.js");
        Assert.That(js.Content.Headers.ContentType!.MediaType, Is.EqualTo("text/javascript"));
        Assert.That(await http.GetStringAsync("/api/recording"), Is.EqualTo("""{"task":"reach"}"""));
        Assert.That(await http.GetStringAsync("/api/run"), Is.EqualTo("""{"name":"r"}"""));
        Assert.That(await http.GetStringAsync("/api/curves"), Is.EqualTo("""{"evals":{}}"""));
        Assert.That(js.Headers.CacheControl!.NoStore, Is.True);

        // Nothing listens on the machine's other addresses: a connection to IPv6 loopback (same port) is refused too.
        using var socket = new Socket(AddressFamily.InterNetworkV6, SocketType.Stream, ProtocolType.Tcp);
        Assert.That(() => socket.Connect(IPAddress.IPv6Loopback, server.Address.Port), Throws.InstanceOf<SocketException>());
    }

    [TestCase("/etc/passwd")]
    [TestCase("/naf.dll")]
    [TestCase("/api/../../naf.runtimeconfig.json")]
    [TestCase("/style.css")]
    public async Task Get_AnythingButThePageAndApi_NotFound(string path)
    {
        await using var server = await ReplayServer.StartAsync(0, Content);
        using var http = new HttpClient { BaseAddress = server.Address };
        var response = await http.GetAsync(path);
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
    }

    [Test]
    public async Task Get_ForeignHostHeader_Forbidden()
    {
        // A page elsewhere that points its own name at 127.0.0.1 (DNS rebinding) sends its own Host.
        await using var server = await ReplayServer.StartAsync(0, Content);
        using var http = new HttpClient();
        var request = new HttpRequestMessage(HttpMethod.Get, new Uri(server.Address, "/api/recording"));
        request.Headers.Host = $"attacker.example:{server.Address.Port}";
        var response = await http.SendAsync(request);
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Forbidden));
        Assert.That(await response.Content.ReadAsStringAsync(), Does.Contain("attacker.example"));

        var local = new HttpRequestMessage(HttpMethod.Get, new Uri(server.Address, "/api/recording"));
        local.Headers.Host = $"localhost:{server.Address.Port}";
        Assert.That((await http.SendAsync(local)).StatusCode, Is.EqualTo(HttpStatusCode.OK), "localhost is this machine");
    }

    [Test]
    public async Task Post_MethodNotAllowed()
    {
        await using var server = await ReplayServer.StartAsync(0, Content);
        using var http = new HttpClient { BaseAddress = server.Address };
        var response = await http.PostAsync("/api/recording", new StringContent("x"));
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.MethodNotAllowed));
    }

    [Test]
    public async Task Start_PortInUse_FailsNamingThePort()
    {
        await using var first = await ReplayServer.StartAsync(0, Content);
        int port = first.Address.Port;
        var e = (await Assert.ThrowsAsync<IOException>(async () => await ReplayServer.StartAsync(port, Content)))!;
        Assert.That(e.Message, Does.Contain($"--port {port}").And.Contain("--port 0"));
    }

    [Test]
    public void Curves_CsvFilesOfARun_ColumnsAndRowsWithHalfWrittenLineLeftOut()
    {
        string run = Directory.CreateTempSubdirectory("naf-curves-").FullName;
        try
        {
            File.WriteAllText(Path.Combine(run, "evals.csv"), "wall_seconds,env_steps,success_rate\n1.5,1000,0.25\n3,2000,NaN\n4,30");
            using var doc = JsonDocument.Parse(RunCurves.Json(run));
            var evals = doc.RootElement.GetProperty("evals");
            Assert.That(evals.GetProperty("columns").EnumerateArray().Select(c => c.GetString()), Is.EqualTo(new[] { "wall_seconds", "env_steps", "success_rate" }));
            Assert.That(evals.GetProperty("rows").GetArrayLength(), Is.EqualTo(2), "the half-appended last line is left out");
            Assert.That(evals.GetProperty("rows")[0][2].GetDouble(), Is.EqualTo(0.25));
            Assert.That(evals.GetProperty("rows")[1][2].ValueKind, Is.EqualTo(JsonValueKind.Null), "NaN is not a JSON number");
            Assert.That(doc.RootElement.GetProperty("metrics").GetProperty("rows").GetArrayLength(), Is.Zero, "no metrics.csv yet");
        }
        finally
        {
            Directory.Delete(run, recursive: true);
        }
    }
}
