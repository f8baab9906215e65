namespace NafNative.Autodiff;

/// <summary>Index maps between NAF's packed lower-triangular head entries and a dense n × n matrix.</summary>
/// <remarks>Packing is row by row: entry t holds L[i, j] for j ≤ i, t = i(i+1)/2 + j (so the diagonal entry of
/// row i is at i(i+1)/2 + i).</remarks>
public static class LowerTriangular
{
    /// <summary>n(n+1)/2: the number of packed entries of an n × n lower-triangular matrix.</summary>
    public static int EntryCount(int n)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(n);
        return n * (n + 1) / 2;
    }

    /// <summary>The index of L[i, j] (j ≤ i) in the packed entries.</summary>
    public static int PackedIndex(int i, int j)
    {
        if (j < 0 || j > i) throw new ArgumentOutOfRangeException(nameof(j), $"LowerTriangular.PackedIndex: ({i}, {j}) is not on or below the diagonal.");
        return i * (i + 1) / 2 + j;
    }

    /// <summary>A gather index for <see cref="Tape.GatherColumns"/>: dense[i·n + j] = packed[index] for j ≤ i, else −1 (zero).</summary>
    public static int[] GatherIndex(int n)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(n);
        var index = new int[n * n];
        for (int i = 0; i < n; i++)
            for (int j = 0; j < n; j++)
                index[i * n + j] = j <= i ? PackedIndex(i, j) : -1;
        return index;
    }

    /// <summary>A gather index picking the n diagonal entries out of the packed entries.</summary>
    public static int[] DiagonalIndex(int n)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(n);
        var index = new int[n];
        for (int i = 0; i < n; i++) index[i] = PackedIndex(i, i);
        return index;
    }
}
