namespace NafNative.Cli.View;

/// <summary>The built replay page (src/replay-page, bundled by esbuild) that naf view serves: the files of
/// <c>viewer/</c> beside naf.dll, where the build copies them and the tool package carries them.</summary>
internal static class ReplayPage
{
    public const string Folder = "viewer";

    /// <summary>What to run where the page was not built (no node_modules when naf was built).</summary>
    public const string BuildHint = "(cd src/replay-page && npm ci && npm run build), then build naf again";

    private static readonly Dictionary<string, string> ContentTypes = new(StringComparer.OrdinalIgnoreCase)
    {
        [".html"] = "text/html; charset=utf-8",
        [".js"] = "text/javascript; charset=utf-8",
        [".css"] = "text/css; charset=utf-8",
        [".png"] = "image/png",
        [".svg"] = "image/svg+xml",
    };

    /// <summary>Every file of the page by its URL path ("/index.html", "/app.js"), read into memory once: the server
    /// answers only these names, so no request can reach another file.</summary>
    public static IReadOnlyDictionary<string, (byte[] Bytes, string ContentType)> Load(string? folder = null)
    {
        folder ??= Path.Combine(AppContext.BaseDirectory, Folder);
        foreach (string required in new[] { "index.html", "app.js" })
            if (!File.Exists(Path.Combine(folder, required)))
                throw new FileNotFoundException($"the replay page is not built: {Path.Combine(folder, required)} is missing. Build it: {BuildHint}.");
        var files = new Dictionary<string, (byte[], string)>(StringComparer.Ordinal);
        foreach (string file in Directory.EnumerateFiles(folder, "*", SearchOption.AllDirectories))
        {
            if (!ContentTypes.TryGetValue(Path.GetExtension(file), out string? type)) continue;
            string url = "/" + Path.GetRelativePath(folder, file).Replace(Path.DirectorySeparatorChar, '/');
            files[url] = (File.ReadAllBytes(file), type);
        }
        return files;
    }
}
