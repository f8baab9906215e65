using System.Diagnostics.CodeAnalysis;
using System.Text.Json.Nodes;

namespace NafNative.Hardware.Robots;

/// <summary>Strict reading of a JSON object: every error names the file and the field's path (e.g.
/// <c>joints[2].id</c>); unknown keys are refused, so a typo never silently falls back to a default.</summary>
internal sealed class JsonFields
{
    private readonly JsonObject _object;
    private readonly string _path;
    private readonly string _file;
    private readonly HashSet<string> _read = [];

    public JsonFields(JsonNode? node, string path, string file)
    {
        _file = file;
        _path = path;
        _object = node as JsonObject ?? throw Error(path, $"must be a JSON object, got {Kind(node)}");
    }

    public string Path(string key) => _path.Length == 0 ? key : $"{_path}.{key}";

    public JsonNode? Optional(string key)
    {
        _read.Add(key);
        return _object.TryGetPropertyValue(key, out var node) ? node : null;
    }

    public JsonNode Required(string key) => Optional(key) ?? throw Error(Path(key), "is missing");

    public string String(string key) => AsString(Required(key), Path(key));
    public string? OptionalString(string key) => Optional(key) is { } n ? AsString(n, Path(key)) : null;

    public double Number(string key, double? min = null, double? max = null) => AsNumber(Required(key), Path(key), min, max);
    public double Number(string key, double fallback, double? min, double? max) =>
        Optional(key) is { } n ? AsNumber(n, Path(key), min, max) : fallback;

    public int Integer(string key, int? min = null, int? max = null) => AsInteger(Required(key), Path(key), min, max);
    public int Integer(string key, int fallback, int? min, int? max) =>
        Optional(key) is { } n ? AsInteger(n, Path(key), min, max) : fallback;

    public double[] Numbers(string key, int? count = null) => AsNumbers(Required(key), Path(key), count);
    public double[]? OptionalNumbers(string key, int? count = null) => Optional(key) is { } n ? AsNumbers(n, Path(key), count) : null;

    public JsonArray Array(string key) => Required(key) as JsonArray ?? throw Error(Path(key), $"must be an array, got {Kind(Required(key))}");

    /// <summary>Throws if the object has a key nobody read.</summary>
    public void RefuseUnknown()
    {
        foreach (var (key, _) in _object)
            if (!_read.Contains(key))
                throw Error(Path(key), $"is not a known field here (known: {string.Join(", ", _read.Order())})");
    }

    public InvalidDataException Error(string path, string problem) => new($"robot file {_file}: {path} {problem}.");

    private string AsString(JsonNode node, string path) =>
        node is JsonValue v && v.TryGetValue(out string? s) && !string.IsNullOrWhiteSpace(s) ? s : throw Error(path, $"must be a non-empty string, got {Kind(node)}");

    public double AsNumber(JsonNode? node, string path, double? min, double? max)
    {
        // A parsed file holds JsonElement numbers, a built document CLR ints or doubles: read every kind through its text.
        if (node is not JsonValue v || v.GetValueKind() != System.Text.Json.JsonValueKind.Number
            || !double.TryParse(v.ToJsonString(), System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out double d))
            throw Error(path, $"must be a number, got {Kind(node)}");
        if (!double.IsFinite(d)) throw Error(path, $"must be finite, got {d}");
        if (min is double lo && d < lo) throw Error(path, $"= {d} is below its minimum {lo}");
        if (max is double hi && d > hi) throw Error(path, $"= {d} is above its maximum {hi}");
        return d;
    }

    private int AsInteger(JsonNode node, string path, int? min, int? max)
    {
        double d = AsNumber(node, path, min, max);
        if (d != Math.Floor(d)) throw Error(path, $"= {d} must be a whole number");
        return (int)d;
    }

    private double[] AsNumbers(JsonNode node, string path, int? count)
    {
        if (node is not JsonArray a) throw Error(path, $"must be an array of numbers, got {Kind(node)}");
        if (count is int c && a.Count != c) throw Error(path, $"has {a.Count} numbers; it needs {c}");
        var values = new double[a.Count];
        for (int i = 0; i < a.Count; i++) values[i] = AsNumber(a[i], $"{path}[{i}]", null, null);
        return values;
    }

    [return: NotNull]
    private static string Kind(JsonNode? node) => node switch
    {
        null => "null",
        JsonObject => "an object",
        JsonArray => "an array",
        JsonValue v => $"{v.GetValueKind().ToString().ToLowerInvariant()} {v.ToJsonString()}",
        _ => node.GetType().Name,
    };
}
