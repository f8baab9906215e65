using SkiaSharp;

namespace NafNative.Cli.Tests.View;

/// <summary>A PNG screenshot's pixels, counted by colour inside page rectangles (CSS pixels; the browser test runs at
/// device scale factor 1).</summary>
internal sealed class Screenshot : IDisposable
{
    private readonly SKBitmap _bitmap;

    public Screenshot(string path) =>
        _bitmap = SKBitmap.Decode(path) ?? throw new InvalidDataException($"{path}: not a PNG SkiaSharp can decode.");

    public int Width => _bitmap.Width;
    public int Height => _bitmap.Height;

    public SKColor this[int x, int y] => _bitmap.GetPixel(x, y);

    /// <summary>Pixels of <paramref name="rectangle"/> (clipped to the image) for which <paramref name="match"/> holds,
    /// and how many pixels the rectangle covers.</summary>
    public (int Matching, int Total) Count(SKRectI rectangle, Func<SKColor, bool> match, SKRectI? except = null)
    {
        rectangle.Intersect(new SKRectI(0, 0, Width, Height));
        int matching = 0, total = 0;
        for (int y = rectangle.Top; y < rectangle.Bottom; y++)
            for (int x = rectangle.Left; x < rectangle.Right; x++)
            {
                if (except is SKRectI e && e.Contains(x, y)) continue;
                total++;
                if (match(_bitmap.GetPixel(x, y))) matching++;
            }
        return (matching, total);
    }

    /// <summary>The page's arm orange (#e6801a, rgba 0.9 0.5 0.1 in the MJCF) under any of the scene's lighting: hue
    /// 15–45°, strongly saturated, not black. The background, floor, grid, target and curves are all far from it.</summary>
    public static bool IsArmOrange(SKColor c)
    {
        c.ToHsv(out float hue, out float saturation, out float value);
        return hue is >= 15 and <= 45 && saturation >= 45 && value >= 20;
    }

    /// <summary>The curves' line colour (#1f6fb2), antialiased edges excluded.</summary>
    public static bool IsCurveBlue(SKColor c) => Math.Abs(c.Red - 0x1f) < 40 && Math.Abs(c.Green - 0x6f) < 40 && Math.Abs(c.Blue - 0xb2) < 40;

    public void Dispose() => _bitmap.Dispose();
}
