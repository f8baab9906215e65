using System.Diagnostics;
using System.Text.RegularExpressions;
using NUnit.Framework;

namespace NafNative.Cli.Tests.View;

/// <summary><c>naf view</c> as a child process on a port the system picks; Dispose kills it.</summary>
internal sealed partial class ViewProcess : IDisposable
{
    private readonly Process _process;
    private readonly Task<string> _stderr;

    public ViewProcess(params string[] arguments)
    {
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (string a in new[] { Path.Combine(AppContext.BaseDirectory, "naf.dll"), "view", "--port", "0" }.Concat(arguments))
            info.ArgumentList.Add(a);
        _process = Process.Start(info)!;
        _stderr = _process.StandardError.ReadToEndAsync();
        var line = _process.StandardOutput.ReadLineAsync();
        if (!line.Wait(TimeSpan.FromSeconds(90)) || line.Result is null)
        {
            Dispose();
            Assert.Fail($"naf view printed no address within 90 s: {_stderr.Result}");
        }
        var match = Address().Match(line.Result!);
        if (!match.Success)
        {
            Dispose();
            Assert.Fail($"naf view's first line names no http://127.0.0.1 address: '{line.Result}' {_stderr.Result}");
        }
        Url = new Uri(match.Value);
        _ = _process.StandardOutput.ReadToEndAsync();
    }

    public Uri Url { get; private set; } = new("http://127.0.0.1/");

    public void Dispose()
    {
        if (!_process.HasExited) _process.Kill(entireProcessTree: true);
        _process.WaitForExit();
        _process.Dispose();
    }

    [GeneratedRegex(@"http://127\.0\.0\.1:\d+/")]
    private static partial Regex Address();
}
