using System.Text.Json;

namespace NafNative.Cli.Bench;

/// <summary>The one JSON document a <c>--json</c> command prints: snake_case keys, invariant numbers.</summary>
internal static class JsonOutput
{
    private static readonly JsonSerializerOptions Options = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        WriteIndented = false,
    };

    public static void Write<T>(TextWriter output, T value) => output.WriteLine(JsonSerializer.Serialize(value, Options));
}
