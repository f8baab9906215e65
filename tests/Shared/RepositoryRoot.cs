namespace NafNative.TestSupport;

/// <summary>The checkout the tests were built from: the nearest folder above the test binaries that holds
/// NafNative.sln, for tests that read files shipped in the repository (configs, Node readers).</summary>
internal static class RepositoryRoot
{
    /// <summary>Its path, or null when the binaries do not sit inside a checkout.</summary>
    public static string? Find()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "NafNative.sln"))) return dir.FullName;
        return null;
    }
}
