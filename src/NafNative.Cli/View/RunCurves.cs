using System.Globalization;
using System.Text.Json;

namespace NafNative.Cli.View;

/// <summary>A run's learning curves for the replay page: evals.csv (periodic greedy evaluations) and metrics.csv
/// (training progress) as JSON columns and rows, read afresh on each request so a run still training shows its
/// newest rows.</summary>
internal static class RunCurves
{
    /// <summary><c>{"evals": {"columns": [...], "rows": [[...], ...]}, "metrics": {...}}</c>; a missing file gives
    /// empty columns and rows, a cell that is not a number gives null, and a line with the wrong number of cells (a
    /// row still being appended) is left out.</summary>
    public static byte[] Json(string runPath)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            Table(json, "evals", Path.Combine(runPath, Learning.RunFolder.EvalsFile));
            Table(json, "metrics", Path.Combine(runPath, Learning.RunFolder.MetricsFile));
            json.WriteEndObject();
        }
        return buffer.ToArray();
    }

    private static void Table(Utf8JsonWriter json, string name, string path)
    {
        string[] lines = File.Exists(path) ? ReadShared(path) : [];
        string[] columns = lines.Length > 0 ? lines[0].Split(',') : [];
        json.WriteStartObject(name);
        json.WriteStartArray("columns");
        foreach (string c in columns) json.WriteStringValue(c);
        json.WriteEndArray();
        json.WriteStartArray("rows");
        foreach (string line in lines.Skip(1))
        {
            string[] cells = line.Split(',');
            if (cells.Length != columns.Length) continue;
            json.WriteStartArray();
            foreach (string cell in cells)
            {
                if (double.TryParse(cell, NumberStyles.Float, CultureInfo.InvariantCulture, out double v) && double.IsFinite(v)) json.WriteNumberValue(v);
                else json.WriteNullValue();
            }
            json.WriteEndArray();
        }
        json.WriteEndArray();
        json.WriteEndObject();
    }

    // naf train may be appending to the file right now.
    private static string[] ReadShared(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd().Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
    }
}
